"""Wire formats of the REST API. Read-only views of records; writes go through actions."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from townhall.agencies.models import (
    Agency,
    AttributeDatatype,
    Goal,
    GoalMetric,
    Service,
    ServiceAttribute,
    ServiceKind,
    StaffMembership,
    Team,
)
from townhall.identity.actions import current_assurance_record
from townhall.identity.models import ApiToken, AssuranceLevel, AssuranceMethod, User

# --- errors (documentation only: townhall.api.errors builds these) -------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in words a person can read."))
    status = serializers.IntegerField(help_text=_("The HTTP status code, repeated."))


class ValidationErrorSerializer(ErrorSerializer):
    # DRF's metaclass takes declared fields out of the class, so this does not hide
    # Serializer.errors at run time; the stubs cannot know that.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Each field that was not valid, with its messages."),
    )


# --- shared fields -------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "enum": list(AssuranceLevel.values),
        "description": "How sure we are who someone is: none, email_verified or "
        "identity_verified, in rising order.",
    },
    component_name="AssuranceLevelEnum",
)
class AssuranceLevelField(serializers.ChoiceField):
    """An assurance level; one schema component wherever it appears (accounts, services)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=AssuranceLevel.choices, **kwargs)


# --- tokens --------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )
    name = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("So you can tell your tokens apart, such as “Laptop script”."),
    )


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=_("The key. It is shown only now: store it, we keep only its hash.")
    )
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApiTokenSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "is_active"]
        read_only_fields = fields


# --- the caller's account ------------------------------------------------------------------


class OwnMembershipSerializer(serializers.ModelSerializer):
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    title = serializers.CharField(source="job_title", read_only=True)

    class Meta:
        model = StaffMembership
        fields = [
            "id",
            "agency",
            "agency_name",
            "public_name",
            "title",
            "job_title",
            "role",
            "is_public_profile",
        ]
        read_only_fields = fields


class AssuranceSourceSerializer(serializers.Serializer):
    """How the account reached its current level (the record it stands on)."""

    method = serializers.ChoiceField(
        choices=AssuranceMethod.choices,
        read_only=True,
        help_text=_("email, oidc (an identity provider), in_person or admin."),
    )
    provider = serializers.CharField(
        source="provider_name",
        read_only=True,
        allow_null=True,
        help_text=_("The identity provider's name, for oidc; otherwise null."),
    )
    reached_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.method != AssuranceMethod.OIDC:
            data["provider"] = None
        else:
            data["provider"] = instance.provider_name or instance.provider_id
        return data


class AccountSerializer(serializers.ModelSerializer):
    assurance_level = AssuranceLevelField(read_only=True)
    assurance_source = serializers.SerializerMethodField(
        help_text=_("How the current level was reached; null at level none.")
    )
    staff_memberships = OwnMembershipSerializer(
        many=True, read_only=True, source="active_memberships"
    )

    class Meta:
        model = User
        fields = [
            "email",
            "display_name",
            "legal_name",
            "preferred_language",
            "assurance_level",
            "assurance_source",
            "assurance_changed_at",
            "staff_memberships",
        ]
        read_only_fields = fields

    @extend_schema_field(AssuranceSourceSerializer(allow_null=True))
    def get_assurance_source(self, user: User) -> dict[str, Any] | None:
        record = current_assurance_record(user)
        return AssuranceSourceSerializer(record).data if record else None


# --- agencies ------------------------------------------------------------------------------


class GoalSerializer(serializers.ModelSerializer):
    metric = serializers.ChoiceField(
        choices=GoalMetric.choices,
        read_only=True,
        allow_null=True,
        help_text=_(
            "The transparency dashboard's figure the goal is checked against (as named in "
            "GET /api/v1/transparency/agencies/{slug}/), or null when the goal has no number."
        ),
    )
    target = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The number the goal aims at, in percent or hours as `metric` says; null "
            "when the goal has no number."
        ),
    )

    class Meta:
        model = Goal
        fields = ["title", "description", "measure", "metric", "target"]

    def to_representation(self, instance: Goal) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        data["metric"] = data["metric"] or None  # as the dashboard's API says "none"
        return data


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["name", "slug", "description"]


class PublicStaffSerializer(serializers.ModelSerializer):
    profile_url = serializers.SerializerMethodField()

    class Meta:
        model = StaffMembership
        fields = ["id", "public_name", "job_title", "role", "profile_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_profile_url(self, membership: StaffMembership) -> str:
        # The agency is known from the prefetch, so this costs no query.
        path = reverse(
            "agencies:staff-detail",
            kwargs={"slug": membership.agency.slug, "person": membership.slug},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class StandardSerializer(serializers.Serializer):
    """A service's standard: how soon the agency answers, in working days."""

    acknowledge_working_days = serializers.IntegerField(
        help_text=_("Working days after filing within which a person first replies.")
    )
    respond_working_days = serializers.IntegerField(
        help_text=_("Working days after filing within which the answer is due.")
    )
    extension_working_days = serializers.IntegerField(
        help_text=_(
            "Working days the answer may be extended by, once and with a reason (0: never)."
        )
    )


class AgencyServiceSerializer(serializers.ModelSerializer):
    """A service as listed in its agency; `/api/v1/services/{code}/` has the whole of it."""

    standard = StandardSerializer(source="*", read_only=True)

    class Meta:
        model = Service
        fields = ["code", "name", "description", "kind", "standard"]
        read_only_fields = fields


class ServiceAgencySerializer(serializers.ModelSerializer):
    timezone = serializers.CharField(
        source="time_zone", read_only=True, help_text=_("IANA time zone of its working days.")
    )

    class Meta:
        model = Agency
        fields = ["slug", "name", "jurisdiction", "timezone"]
        read_only_fields = fields


class AttributeValueSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("What an answer sends."))
    name = serializers.CharField(help_text=_("What people read."))


class ServiceAttributeSerializer(serializers.ModelSerializer):
    """A question a service asks, in the shape of an Open311 attribute."""

    datatype = serializers.ChoiceField(
        choices=AttributeDatatype.choices,
        read_only=True,
        help_text=_(
            "Open311's datatypes, plus “date” for a day without a time (Open311 itself "
            "offers such a question as “datetime”)."
        ),
    )
    values = AttributeValueSerializer(
        many=True, read_only=True, help_text=_("The choices of a list question; else empty.")
    )

    class Meta:
        model = ServiceAttribute
        fields = [
            "code",
            "datatype",
            "required",
            "order",
            "description",
            "datatype_description",
            "variable",
            "values",
        ]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer):
    """Expects the queryset of `ServiceViewSet` (agency joined, attributes prefetched)."""

    agency = ServiceAgencySerializer(read_only=True)
    required_assurance = AssuranceLevelField(
        read_only=True, help_text=_("The assurance level an account needs to file a request.")
    )
    required_assurance_level = AssuranceLevelField(
        source="required_assurance",
        read_only=True,
        help_text=_("The same as required_assurance, under the name the account API uses."),
    )
    keywords = serializers.ListField(child=serializers.CharField(), read_only=True)
    standard = StandardSerializer(source="*", read_only=True)
    attributes = ServiceAttributeSerializer(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "description",
            "kind",
            "group",
            "keywords",
            "agency",
            "standard",
            "allows_private",
            "public_by_default",
            "location_required",
            "required_assurance",
            "required_assurance_level",
            "attributes",
        ]
        read_only_fields = fields


class AgencySerializer(serializers.ModelSerializer):
    """Expects the queryset of `AgencyViewSet` (parent joined, the rest prefetched)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:agency-detail", lookup_field="slug")
    parent = serializers.SerializerMethodField(  # type: ignore[assignment]  # see `errors`
        help_text=_("The slug of the agency it is part of.")
    )
    goals = GoalSerializer(many=True, read_only=True)
    teams = TeamSerializer(many=True, read_only=True)
    staff = PublicStaffSerializer(many=True, read_only=True, source="public_staff")
    services = AgencyServiceSerializer(many=True, read_only=True, source="offered_services")

    class Meta:
        model = Agency
        fields = [
            "url",
            "name",
            "slug",
            "purpose",
            "jurisdiction",
            "time_zone",
            "parent",
            "email",
            "phone",
            "goals",
            "teams",
            "staff",
            "services",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent(self, agency: Agency) -> Any:
        parent = agency.parent
        if parent is None or not parent.is_published:
            return None
        return parent.slug


class ServiceFilterSerializer(serializers.Serializer):
    """The query string of `GET /api/v1/services/`."""

    agency = serializers.SlugField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text=_("Only the services of the published agency with this slug."),
        error_messages={
            "invalid": _("Give an agency by its slug, such as public-works."),
            "max_length": _("Give an agency by its slug, such as public-works."),
        },
    )
    kind = serializers.ChoiceField(
        choices=ServiceKind.choices,
        required=False,
        allow_blank=True,
        help_text=_("Only services of this kind."),
        error_messages={
            "invalid_choice": _(
                "“{input}” is not a kind of service. Choose one of: question, "
                "problem_report, service, foi_request, complaint."
            )
        },
    )
