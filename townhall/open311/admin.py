"""Site administration for Open311 applications: issue a key (shown once, in a message),
change the rate limit, revoke. Issuing and revoking call the same actions as scripts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import actions
from .models import Open311Application


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Open311Application
        fields = ("name", "contact_email", "rate_limit_per_minute")


@admin.register(Open311Application)
class Open311ApplicationAdmin(admin.ModelAdmin):
    form = ApplicationForm
    list_display = (
        "name",
        "contact_email",
        "key_prefix",
        "rate_limit_per_minute",
        "created_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "contact_email")
    readonly_fields = ("key_prefix", "created_at", "revoked_at")
    actions = ["revoke"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the filings keep pointing at the application

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            application, key = actions.issue_application(
                by=request.user,
                name=obj.name,
                contact_email=obj.contact_email,
                rate_limit_per_minute=obj.rate_limit_per_minute,
            )
        except (PermissionDenied, ValidationError) as error:
            raise PermissionDenied(str(error)) from error
        obj.pk = application.pk
        obj.__dict__.update(application.__dict__)
        self.message_user(
            request,
            _("The API key of “%(name)s” is %(key)s. Copy it now: it is not shown again.")
            % {"name": application.name, "key": key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected applications' keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Open311Application]) -> None:
        for application in queryset:
            actions.revoke_application(by=request.user, application=application)
        self.message_user(request, _("Keys revoked."), messages.SUCCESS)
