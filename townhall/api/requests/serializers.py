"""Wire formats of service requests in the REST API: what is read and what is sent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from townhall.agencies.models import Service, memberships_of
from townhall.conversations.models import BODY_MAX_LENGTH, Attachment, Message
from townhall.service_requests.models import (
    ADDRESS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    REASON_MAX_LENGTH,
    ServiceRequest,
    Status,
)

QUEUES = ["mine", "team", "unassigned", "at_risk", "overdue", "waiting", "all"]
# The most a single coordinate is written with; a millionth of a degree is ~10 cm.
COORDINATE_PLACES = Decimal("0.000001")


# --- fields shared by the representations ----------------------------------------------------


class PersonSerializer(serializers.Serializer):
    """A staff member as the public sees them: work name and job title."""

    name = serializers.CharField(source="public_name", help_text=_lazy("Their work name."))
    title = serializers.CharField(source="job_title", help_text=_lazy("Their job title."))


class AgencyReferenceSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class TeamReferenceSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class LocationSerializer(serializers.Serializer):
    lat = serializers.FloatField(allow_null=True, help_text=_lazy("Latitude, WGS 84."))
    long = serializers.FloatField(allow_null=True, help_text=_lazy("Longitude, WGS 84."))
    address = serializers.CharField(help_text=_lazy("The address as the requester gave it."))


def _location(request: ServiceRequest) -> dict[str, Any] | None:
    if request.latitude is None and not request.address:
        return None
    return {
        "lat": None if request.latitude is None else float(request.latitude),
        "long": None if request.longitude is None else float(request.longitude),
        "address": request.address,
    }


def _absolute(context: Mapping[str, Any], path: str) -> str:
    http_request = context.get("request")
    return http_request.build_absolute_uri(path) if http_request is not None else path


class CommitmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text=_lazy(
            "The commitment's id, for POST /requests/{reference}/commitments/{id}/keep/."
        )
    )
    kind = serializers.CharField(
        help_text=_lazy("acknowledge, respond, extension, or custom (a promise typed in a reply).")
    )
    description = serializers.CharField(help_text=_lazy("The words of a custom promise."))
    due_at = serializers.DateTimeField()
    state = serializers.CharField(help_text=_lazy("open, kept, broken, renegotiated or cancelled."))
    made_by = PersonSerializer(
        source="made_by_persona",
        allow_null=True,
        help_text=_lazy("Who promised; null when it came from the service's standard."),
    )
    kept_at = serializers.DateTimeField(allow_null=True)
    broken_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_lazy("When it broke; it stays broken even if the work was done later."),
    )
    reason = serializers.CharField(
        source="closed_reason",
        help_text=_lazy("Why it was renegotiated or cancelled, in public."),
    )


class TimelineEntrySerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    verb = serializers.CharField(help_text=_lazy("What happened, such as request.filed."))
    summary = serializers.CharField(help_text=_lazy("The same in a sentence."))
    by = serializers.SerializerMethodField(
        help_text=_lazy(
            "Who acted: a staff member as “name, title, agency”, the requester by their "
            "display name; null for the system or anyone else."
        )
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_by(self, entry: Any) -> str | None:
        if entry.persona_id is not None:
            return str(entry.persona.signature)
        requester = self.context.get("requester")
        if requester is not None and entry.actor_id == requester.pk:
            return str(requester.display_name)
        return None


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField(help_text=_lazy("Detected from the content."))
    size = serializers.IntegerField(help_text=_lazy("In bytes."))
    url = serializers.SerializerMethodField(help_text=_lazy("Download it (same token)."))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment: Attachment) -> str:
        path = reverse(
            "api:request-file",
            kwargs={"reference": self.context["reference"], "pk": attachment.pk},
        )
        return _absolute(self.context, path)


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    written_at = serializers.DateTimeField(source="created_at")
    by = serializers.CharField(
        source="signature",
        help_text=_lazy("Staff sign with name, title and agency; citizens with their name."),
    )
    from_staff = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(
        help_text=_lazy(
            "As written (Markdown). Empty for a hidden message, except for its author and "
            "the moderators."
        )
    )
    body_html = serializers.SerializerMethodField(
        help_text=_lazy("The body rendered and sanitised (empty when `body` is).")
    )
    internal = serializers.BooleanField(
        source="is_internal", help_text=_lazy("An internal note, seen by the agency's staff only.")
    )
    hidden = serializers.BooleanField(source="is_hidden")
    hidden_notice = serializers.SerializerMethodField(
        help_text=_lazy("For a hidden message: “Hidden by moderator Lee Chen: personal data”.")
    )
    attachments = AttachmentSerializer(many=True, source="attachments.all")

    def get_from_staff(self, message: Message) -> bool:
        return message.persona_id is not None

    # `request_messages` prepared each message for the reader (moderation.prepare_messages).
    def _readable(self, message: Message) -> bool:
        return not message.is_hidden or bool(getattr(message, "can_see_hidden", False))

    def get_body(self, message: Message) -> str:
        return message.body if self._readable(message) else ""

    def get_body_html(self, message: Message) -> str:
        if not self._readable(message):
            return ""
        return str(getattr(message, "display_html", "") or message.body_html)

    def get_hidden_notice(self, message: Message) -> str:
        return str(getattr(message, "hidden_notice", ""))


# --- the request, in a list and whole ---------------------------------------------------------


class RequestSummarySerializer(serializers.Serializer):
    """A service request, in a list."""

    # Expects service, agency, team and assignee joined.

    url = serializers.SerializerMethodField(help_text=_lazy("This request in the API."))
    reference = serializers.CharField()
    status_page = serializers.SerializerMethodField(
        help_text=_lazy("The request's status page on the website.")
    )
    service = serializers.CharField(source="service.code", help_text=_lazy("The service code."))
    service_name = serializers.CharField(source="service.name")
    status = serializers.ChoiceField(choices=Status.choices)
    submitted_at = serializers.DateTimeField()
    public = serializers.BooleanField(source="is_public")
    agency = AgencyReferenceSerializer(help_text=_lazy("The agency holding it now."))
    team = TeamReferenceSerializer(allow_null=True)
    assignee = PersonSerializer(
        allow_null=True, help_text=_lazy("The person holding it, or null while nobody does.")
    )
    expected_at = serializers.DateTimeField(
        allow_null=True, help_text=_lazy("When the answer is due (the open respond commitment).")
    )
    requester_id = serializers.SerializerMethodField(
        help_text=_lazy(
            "The requester's citizen id, for GET /api/v1/citizens/{id}/timeline/: shown to "
            "the agency's staff (and to the requester); null for anyone else."
        )
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_requester_id(self, request: ServiceRequest) -> int | None:
        """One query per response at most (the caller's agencies), none for the
        requester, site administrators, visitors and staff queues."""
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not user.is_authenticated:
            return None
        if (
            request.requester_id == user.pk
            or user.is_superuser
            or self.context.get("handled_by_caller")
        ):
            return request.requester_id  # type: ignore[no-any-return]
        agencies = self.context.get("staff_agency_ids")
        if agencies is None:
            agencies = set(memberships_of(user).values_list("agency_id", flat=True))
            self.context["staff_agency_ids"] = agencies  # type: ignore[index]
        return request.requester_id if request.agency_id in agencies else None  # type: ignore[no-any-return]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, request: ServiceRequest) -> str:
        path = reverse("api:request-detail", kwargs={"reference": request.reference})
        return _absolute(self.context, path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_status_page(self, request: ServiceRequest) -> str:
        return _absolute(self.context, request.get_absolute_url())


class RequestSerializer(RequestSummarySerializer):
    """A service request whole, with its commitments, timeline and conversation."""

    # Expects `api_commitments`, `api_timeline` and `api_messages`, set by `represent`.

    description = serializers.CharField()
    attributes = serializers.DictField(
        source="answers", help_text=_lazy("The answers to the service's questions, by code.")
    )
    location = serializers.SerializerMethodField()
    status_reason = serializers.CharField(
        help_text=_lazy("Why it was declined, transferred or reopened, in public.")
    )
    duplicate_of = serializers.SerializerMethodField(
        help_text=_lazy("The reference of the original, when this is a duplicate.")
    )
    answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    is_extended = serializers.BooleanField(help_text=_lazy("The answer's deadline was extended."))
    supporter_count = serializers.IntegerField(help_text=_lazy("How many said “me too”."))
    attachments = AttachmentSerializer(
        many=True,
        source="api_attachments",
        help_text=_lazy("Files sent with the request itself (replies carry their own)."),
    )
    commitments = CommitmentSerializer(many=True, source="api_commitments")
    timeline = TimelineEntrySerializer(many=True, source="api_timeline")
    messages = MessageSerializer(
        many=True,
        source="api_messages",
        help_text=_lazy("The conversation with the agency (internal notes are not here)."),
    )

    @extend_schema_field(LocationSerializer(allow_null=True))
    def get_location(self, request: ServiceRequest) -> dict[str, Any] | None:
        return _location(request)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_duplicate_of(self, request: ServiceRequest) -> str | None:
        if request.duplicate_of_id is None:
            return None
        return getattr(request.duplicate_of, "reference", None)


# --- input ----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.NUMBER)
class CoordinateField(serializers.Field):
    """A latitude or longitude as a JSON number (or a numeric string), kept to 6 places."""

    default_error_messages = {
        "invalid": _lazy("Give the {name} as a number of degrees, such as {example}."),
        "range": _lazy("The {name} must be between -{limit} and {limit} degrees."),
    }

    def __init__(self, *, name: Any, limit: int, example: str, **kwargs: Any) -> None:
        self.name, self.limit, self.example = name, limit, example
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float | str) or len(str(data)) > 40:
            self.fail("invalid", name=self.name, example=self.example)
        try:
            value = Decimal(str(data).strip())
        except InvalidOperation:
            self.fail("invalid", name=self.name, example=self.example)
        if not value.is_finite():
            self.fail("invalid", name=self.name, example=self.example)
        if abs(value) > self.limit:
            self.fail("range", name=self.name, limit=self.limit)
        return value.quantize(COORDINATE_PLACES)

    def to_representation(self, value: Any) -> Any:
        return None if value is None else float(value)


class LocationInputSerializer(serializers.Serializer):
    lat = CoordinateField(
        name=_lazy("latitude"),
        limit=90,
        example="39.7817",
        required=False,
        allow_null=True,
        help_text=_lazy("Latitude in degrees (WGS 84); give `long` with it."),
    )
    long = CoordinateField(
        name=_lazy("longitude"),
        limit=180,
        example="-89.6501",
        required=False,
        allow_null=True,
        help_text=_lazy("Longitude in degrees (WGS 84); give `lat` with it."),
    )
    address = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=ADDRESS_MAX_LENGTH,
        help_text=_lazy("A street address or a description of the place."),
    )


class RequestFilingSerializer(serializers.Serializer):
    service = serializers.CharField(
        max_length=64, help_text=_lazy("The code of the service, from /api/v1/services/.")
    )
    description = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_lazy("What you are asking or reporting, in your own words."),
        error_messages={
            "max_length": _lazy(
                "Keep the description to {max_length} characters or fewer; attach a "
                "document for more."
            )
        },
    )
    attributes = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text=_lazy(
            "Answers to the service's questions (its Open311 attributes), by attribute code: "
            "text, a number, a date, a choice's key, or a list of keys."
        ),
    )
    location = LocationInputSerializer(
        required=False,
        allow_null=True,
        help_text=_lazy("Where, when the service needs it: lat and long, an address, or both."),
    )
    public = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_lazy(
            "Publish the request on its status page. Left out (or null): the service's "
            "default. false is refused where the service does not allow private requests."
        ),
    )

    def validate_service(self, code: str) -> Service:
        # Only whether it is offered: the filing reads the service again, with its
        # questions, inside its own checks.
        service = Service.objects.active().select_related("agency").filter(code=code).first()
        if service is None:
            raise serializers.ValidationError(
                _("No service has the code “%(code)s”. The codes are listed at /api/v1/services/.")
                % {"code": code}
            )
        return service

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        location = attrs.get("location") or {}
        if (location.get("lat") is None) != (location.get("long") is None):
            raise serializers.ValidationError(
                {
                    "location": [
                        _("Give both the latitude (lat) and the longitude (long), or neither.")
                    ]
                }
            )
        return attrs


class PromiseSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=300,
        help_text=_lazy("The promise in words, such as “I will call you by Friday”."),
    )
    due_at = serializers.DateTimeField(
        help_text=_lazy("When it is due, in ISO 8601; in the future.")
    )


def _body_field(help_text: Any) -> serializers.CharField:
    return serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=BODY_MAX_LENGTH, help_text=help_text
    )


def _reason_field(help_text: Any, required: bool = True) -> serializers.CharField:
    return serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=REASON_MAX_LENGTH,
        required=required,
        default="" if not required else serializers.empty,
        help_text=help_text,
    )


def _optional_slug(help_text: Any) -> serializers.SlugField:
    """A slug in a body, which may be left out or null."""
    return serializers.SlugField(
        required=False, allow_null=True, max_length=80, help_text=help_text
    )


def _filter_field(
    field: Callable[..., serializers.Field], help_text: Any, **options: Any
) -> serializers.Field:
    """A filter in the query string, which may be left out or empty."""
    return field(required=False, allow_blank=True, help_text=help_text, **options)


class ReplyInputSerializer(serializers.Serializer):
    body = _body_field(_lazy("The reply (Markdown). Staff replies are signed with your name."))
    promise = PromiseSerializer(
        required=False,
        allow_null=True,
        help_text=_lazy("Staff only: a promise with a due time, tracked as a commitment."),
    )


class BodyInputSerializer(serializers.Serializer):
    body = _body_field(_lazy("The text (Markdown)."))


class AssignInputSerializer(serializers.Serializer):
    assignee = _optional_slug(
        _lazy(
            "The staff member's profile slug in the request's agency (such as kim-osei); "
            "null or left out leaves nobody holding it."
        )
    )
    team = _optional_slug(_lazy("A team of the request's agency, by slug."))


class TransferInputSerializer(serializers.Serializer):
    note = _reason_field(_lazy("Why it moves; shown to the requester and the public."))
    agency = _optional_slug(_lazy("Another agency, by slug; left out to stay in this agency."))
    team = _optional_slug(_lazy("A team of the (new) agency, by slug."))


class NoteInputSerializer(serializers.Serializer):
    note = _reason_field(_lazy("A public note, optional."), required=False)


class ReasonInputSerializer(serializers.Serializer):
    reason = _reason_field(_lazy("The reason, shown in public."))


class DuplicateInputSerializer(serializers.Serializer):
    original = serializers.CharField(
        max_length=24, help_text=_lazy("The reference of the original request.")
    )
    note = _reason_field(_lazy("A public note, optional."), required=False)


class SupportSerializer(serializers.Serializer):
    supporting = serializers.BooleanField(help_text=_lazy("You said “me too”."))
    supporter_count = serializers.IntegerField()


class RequestFilterSerializer(serializers.Serializer):
    """The query string of `GET /api/v1/requests/`."""

    queue = serializers.ChoiceField(
        choices=QUEUES,
        required=False,
        help_text=_lazy(
            "Staff only: a queue of the agencies you work for instead of your own requests."
        ),
        error_messages={
            "invalid_choice": _lazy(
                "“{input}” is not a queue. Choose one of: mine, team, unassigned, at_risk, "
                "overdue, waiting, all."
            )
        },
    )
    status = _filter_field(
        serializers.ChoiceField,
        _lazy("Only requests with this status."),
        choices=Status.choices,
        error_messages={"invalid_choice": _lazy("“{input}” is not a status of a request.")},
    )
    service = _filter_field(
        serializers.SlugField,
        _lazy("Only requests for the service with this code."),
        max_length=64,
        error_messages={"invalid": _lazy("Give a service by its code, such as pothole.")},
    )
    team = _filter_field(
        serializers.SlugField,
        _lazy("Staff queues only: only requests routed to the team with this slug."),
        max_length=80,
        error_messages={"invalid": _lazy("Give a team by its slug, such as streets.")},
    )
    q = _filter_field(
        serializers.CharField,
        _lazy(
            "Staff queues only: a reference, or words in the description, address or service name."
        ),
        max_length=200,
    )
