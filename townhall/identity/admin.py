"""Site administration for accounts and API tokens.

Accounts use Django's UserAdmin adapted to the email-based model: the password is only
ever shown as its hash summary, the assurance level is read-only (it changes when
someone verifies, through actions), and a new account is opened through
`actions.create_account` so it gets its email address record and its log entry.
API tokens are read-only and never show their hash; revoking calls the same action as
the token page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import actions
from .models import ApiToken, AssuranceRecord, IdentityProviderPolicy, User


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class AccountCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name", "preferred_language", "is_demo")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = ("email", "display_name", "assurance_level", "is_demo", "is_active", "is_staff")
    list_filter = ("assurance_level", "is_demo", "is_active", "is_staff", "is_superuser")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    readonly_fields = ("assurance_level", "assurance_changed_at", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "legal_name", "preferred_language")}),
        (_("Assurance"), {"fields": ("assurance_level", "assurance_changed_at")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_demo",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "display_name",
                    "preferred_language",
                    "is_demo",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        # The address is allauth's to change (with a fresh confirmation), not ours.
        return (*fields, "email") if obj is not None else fields

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        return actions.create_account(
            by=request.user,
            email=data["email"],
            display_name=data["display_name"],
            password=data.get("password1") if data.get("usable_password", True) else None,
            preferred_language=data.get("preferred_language") or "en",
            is_demo=data.get("is_demo", False),
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:  # A new account was saved by create_account in save_form.
            super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset.select_related("user"):
            try:
                actions.revoke_api_token(by=request.user, token=token)
            except PermissionDenied:
                self.message_user(
                    request, _("Only a site administrator can revoke tokens."), messages.ERROR
                )
                return
            revoked += 1
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": revoked})


@admin.register(IdentityProviderPolicy)
class IdentityProviderPolicyAdmin(admin.ModelAdmin):
    """What Townhall believes from each OpenID Connect provider (the provider itself is a
    "Social application" with provider "OpenID Connect")."""

    list_display = ("provider_id", "identity_acr_values", "identity_vot_values", "expiry_claim")
    search_fields = ("provider_id",)


@admin.register(AssuranceRecord)
class AssuranceRecordAdmin(admin.ModelAdmin):
    """Records are written by actions. An administrator may only revoke one, by writing
    the reason the account holder will read (through `actions.revoke_assurance`)."""

    list_display = ("user", "level", "method", "provider_name", "reached_at", "expires_at")
    list_filter = ("level", "method", "revoked_at")
    search_fields = ("user__email", "provider_id")
    list_select_related = ("user",)
    fields = (
        "user",
        "level",
        "method",
        "provider_id",
        "provider_name",
        "claims",
        "document_type",
        "verified_by",
        "verified_as",
        "reached_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "revocation_reason",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        editable = () if obj is not None and obj.revoked_at is None else ("revocation_reason",)
        return tuple(f for f in self.fields if f != "revocation_reason") + editable

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        reason = form.cleaned_data.get("revocation_reason", "")
        if not reason.strip():
            self.message_user(request, _("Nothing changed: give a reason to revoke."))
            return
        try:
            actions.revoke_assurance(
                by=request.user, record=AssuranceRecord.objects.get(pk=obj.pk), reason=reason
            )
        except (PermissionDenied, ValidationError) as refused:
            self.message_user(
                request, " ".join(getattr(refused, "messages", [str(refused)])), messages.ERROR
            )
            return
        self.message_user(request, _("Revoked. The account holder is told why."))
