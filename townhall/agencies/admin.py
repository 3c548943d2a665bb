"""Site administration for agencies. Adding and changing go through `actions`, so the
admin writes the same Activity entries as every other interface."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import actions
from .models import (
    Agency,
    Goal,
    Service,
    ServiceAttribute,
    StaffMembership,
    Team,
    normalize_keywords,
)


def _adopt(obj: Model, saved: Model) -> None:
    """Make the admin's unsaved `obj` the row an action has just saved."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def _changes(form: forms.ModelForm, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if name in form.cleaned_data and name not in exclude
    }


class NoDeleteMixin:
    """Records that the activity log points at are retired (unpublished, made inactive),
    not deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class GoalInline(admin.TabularInline):
    model = Goal
    fields = ["title", "description", "measure", "metric", "target", "order"]
    extra = 0
    can_delete = False


class TeamInline(admin.TabularInline):
    model = Team
    fields = ["name", "description", "slug"]
    readonly_fields = ["slug"]
    extra = 0
    can_delete = False


class AgencyAdminForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "name",
            "slug",
            "purpose",
            "jurisdiction",
            "time_zone",
            "parent",
            "email",
            "phone",
            "is_published",
            "allow_totp_for_staff",
        ]

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in actions.RESERVED_AGENCY_SLUGS:
            raise forms.ValidationError(_("This address is reserved for another page."))
        return slug


@admin.register(Agency)
class AgencyAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = AgencyAdminForm
    list_display = ["name", "slug", "jurisdiction", "parent", "is_published"]
    list_filter = ["is_published", "jurisdiction"]
    list_select_related = ["parent"]
    search_fields = ["name", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [GoalInline, TeamInline]

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        if change:
            actions.update_agency(
                by=request.user, agency=Agency.objects.get(pk=obj.pk), changes=_changes(form)
            )
            return
        data = form.cleaned_data
        agency = actions.create_agency(
            by=request.user,
            name=data["name"],
            slug=data["slug"],
            purpose=data["purpose"],
            jurisdiction=data["jurisdiction"],
            time_zone=data["time_zone"],
            parent=data.get("parent"),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            is_published=data.get("is_published", True),
        )
        if data.get("allow_totp_for_staff"):
            agency = actions.update_agency(
                by=request.user, agency=agency, changes={"allow_totp_for_staff": True}
            )
        _adopt(obj, agency)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        agency = form.instance
        # What formset.save() would have recorded, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            instance = inline_form.instance
            if formset.model is Goal:
                if instance.pk is None:
                    goal = actions.add_goal(
                        by=request.user,
                        agency=agency,
                        title=data["title"],
                        measure=data["measure"],
                        description=data.get("description", ""),
                        metric=data.get("metric") or "",
                        target=data.get("target"),
                    )
                    _adopt(instance, goal)
                    formset.new_objects.append(instance)
                else:
                    actions.update_goal(
                        by=request.user,
                        goal=Goal.objects.select_related("agency").get(pk=instance.pk),
                        changes=_changes(inline_form, exclude=frozenset({"id", "agency"})),
                    )
                    formset.changed_objects.append((instance, inline_form.changed_data))
            elif formset.model is Team:
                if instance.pk is None:
                    team = actions.create_team(
                        by=request.user,
                        agency=agency,
                        name=data["name"],
                        description=data.get("description", ""),
                    )
                    _adopt(instance, team)
                    formset.new_objects.append(instance)
                else:
                    actions.update_team(
                        by=request.user,
                        team=Team.objects.select_related("agency").get(pk=instance.pk),
                        changes=_changes(inline_form, exclude=frozenset({"id", "agency"})),
                    )
                    formset.changed_objects.append((instance, inline_form.changed_data))


class StaffMembershipAdminForm(forms.ModelForm):
    class Meta:
        model = StaffMembership
        fields = [
            "user",
            "agency",
            "public_name",
            "job_title",
            "role",
            "teams",
            "bio",
            "is_public_profile",
            "is_active",
            "is_moderator",
            "started_at",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        agency = cleaned.get("agency") or getattr(self.instance, "agency", None)
        teams = cleaned.get("teams") or []
        if agency is not None and any(team.agency_id != agency.pk for team in teams):
            self.add_error("teams", _("Choose only teams of this staff member's agency."))
        return cleaned


@admin.register(StaffMembership)
class StaffMembershipAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = StaffMembershipAdminForm
    list_display = ["public_name", "job_title", "agency", "role", "is_public_profile", "is_active"]
    list_filter = ["agency", "role", "is_active", "is_public_profile", "is_moderator"]
    list_select_related = ["agency"]
    search_fields = ["public_name", "job_title", "user__email"]
    raw_id_fields = ["user"]
    filter_horizontal = ["teams"]
    readonly_fields = ["slug"]

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        # Autocomplete needs the account admin (identity) registered with search fields;
        # until it is, the raw id widget stands in.
        user_model = get_user_model()
        if not admin.site.is_registered(user_model):
            return []
        return ["user"] if admin.site.get_model_admin(user_model).search_fields else []

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Who and where are fixed once the membership exists; end it and add a new one.
        return ["slug", "user", "agency"] if obj is not None else ["slug"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffMembership]:
        return super().get_queryset(request).select_related("agency", "user")

    def save_model(
        self, request: HttpRequest, obj: StaffMembership, form: Any, change: bool
    ) -> None:
        if change:
            actions.update_staff_membership(
                by=request.user,
                membership=StaffMembership.objects.select_related("agency").get(pk=obj.pk),
                changes=_changes(form),
            )
            return
        data = form.cleaned_data
        membership = actions.add_staff_member(
            by=request.user,
            agency=data["agency"],
            user=data["user"],
            public_name=data["public_name"],
            job_title=data["job_title"],
            role=data["role"],
            teams=data.get("teams") or [],
            bio=data.get("bio", ""),
            is_public_profile=data.get("is_public_profile", True),
            is_moderator=bool(data.get("is_moderator")),
            started_at=data.get("started_at"),
        )
        _adopt(obj, membership)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Teams were set by the action; nothing else is related.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class KeywordsField(forms.CharField):
    """Keywords typed as one line, separated by commas; stored as a list of words."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(word) for word in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return normalize_keywords(super().to_python(value) or "")


class ChoicesField(forms.CharField):
    """The choices of a list question, one per line as “key: Name”."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(
                f"{choice.get('key', '')}: {choice.get('name', '')}"
                for choice in value
                if isinstance(choice, dict)
            )
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        choices = []
        for number, line in enumerate((super().to_python(value) or "").splitlines(), start=1):
            if not line.strip():
                continue
            key, colon, name = line.partition(":")
            if not colon:
                raise forms.ValidationError(
                    _(
                        "Line %(number)s: write each choice as “key: Name”, such as “lane: In a lane”."
                    ),
                    params={"number": number},
                )
            choices.append({"key": key.strip(), "name": name.strip()})
        return choices


class ServiceAttributeAdminForm(forms.ModelForm):
    values = ChoicesField(
        label=_("choices"),
        required=False,
        help_text=_("For list questions only: one choice per line, as “key: Name”."),
    )

    class Meta:
        model = ServiceAttribute
        fields = [
            "code",
            "description",
            "datatype",
            "datatype_description",
            "required",
            "variable",
            "values",
            "order",
        ]

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if self.instance.pk is not None and code != self.instance.code:
            raise forms.ValidationError(
                _(
                    "A question's code cannot change once set: answers refer to it. Add a new "
                    "question instead."
                )
            )
        return code


class ServiceAttributeInline(admin.StackedInline):
    model = ServiceAttribute
    form = ServiceAttributeAdminForm
    extra = 0


class ServiceAdminForm(forms.ModelForm):
    keywords = KeywordsField(
        label=_("keywords"),
        required=False,
        help_text=_("Words people might search for, separated by commas."),
    )

    class Meta:
        model = Service
        fields = [
            "agency",
            "code",
            "name",
            "description",
            "kind",
            "group",
            "keywords",
            "location_required",
            "required_assurance",
            "public_by_default",
            "allows_private",
            "acknowledge_working_days",
            "respond_working_days",
            "extension_working_days",
            "is_active",
        ]


@admin.register(Service)
class ServiceAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = ServiceAdminForm
    list_display = ["name", "code", "agency", "kind", "respond_working_days", "is_active"]
    list_filter = ["agency", "kind", "is_active"]
    list_select_related = ["agency"]
    search_fields = ["name", "code", "description"]
    inlines = [ServiceAttributeInline]
    fieldsets = [
        (None, {"fields": ["agency", "code", "name", "description", "kind", "group", "keywords"]}),
        (
            _("Standard"),
            {
                "fields": [
                    "acknowledge_working_days",
                    "respond_working_days",
                    "extension_working_days",
                ]
            },
        ),
        (
            _("Filing"),
            {
                "fields": [
                    "location_required",
                    "required_assurance",
                    "public_by_default",
                    "allows_private",
                    "is_active",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code is what Open311 clients and filed requests refer to: it never changes.
        return ["agency", "code"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        if change:
            actions.update_service(
                by=request.user,
                service=Service.objects.select_related("agency").get(pk=obj.pk),
                changes=_changes(form),
            )
            return
        data = form.cleaned_data
        service = actions.add_service(
            by=request.user,
            agency=data["agency"],
            code=data["code"],
            name=data["name"],
            description=data.get("description", ""),
            kind=data["kind"],
            keywords=data.get("keywords") or [],
            group=data.get("group", ""),
            location_required=data.get("location_required", False),
            required_assurance=data["required_assurance"],
            acknowledge_working_days=data["acknowledge_working_days"],
            respond_working_days=data["respond_working_days"],
            extension_working_days=data["extension_working_days"],
            public_by_default=data.get("public_by_default", False),
            allows_private=data.get("allows_private", False),
        )
        if not data.get("is_active", True):
            service = actions.update_service(
                by=request.user, service=service, changes={"is_active": False}
            )
        _adopt(obj, service)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        service = Service.objects.select_related("agency").get(pk=form.instance.pk)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        deleted = [
            f for f in formset.forms if f.instance.pk is not None and formset._should_delete_form(f)
        ]
        for inline_form in deleted:
            actions.remove_service_attribute(
                by=request.user,
                attribute=ServiceAttribute.objects.select_related("service__agency").get(
                    pk=inline_form.instance.pk
                ),
            )
            formset.deleted_objects.append(inline_form.instance)
        for inline_form in formset.forms:
            if inline_form in deleted or formset._should_delete_form(inline_form):
                continue
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            instance = inline_form.instance
            if instance.pk is None:
                attribute = actions.add_service_attribute(
                    by=request.user,
                    service=service,
                    code=data["code"],
                    description=data["description"],
                    datatype=data["datatype"],
                    datatype_description=data.get("datatype_description", ""),
                    required=data.get("required", False),
                    variable=data.get("variable", True),
                    values=data.get("values") or [],
                    order=data.get("order"),
                )
                _adopt(instance, attribute)
                formset.new_objects.append(instance)
            else:
                actions.update_service_attribute(
                    by=request.user,
                    attribute=ServiceAttribute.objects.select_related("service__agency").get(
                        pk=instance.pk
                    ),
                    changes=_changes(
                        inline_form, exclude=frozenset({"id", "service", "code", "DELETE"})
                    ),
                )
                formset.changed_objects.append((instance, inline_form.changed_data))
