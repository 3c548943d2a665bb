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
from django.utils.translation import ngettext

from . import actions
from .models import Open311Application, WebhookDelivery, WebhookEvent, WebhookSubscription


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Open311Application
        fields = ("name", "contact_email", "rate_limit_per_minute")


class WebhookSubscriptionInline(admin.TabularInline):
    """An application's webhook subscriptions, listed under it; each is added and changed
    on its own page (which shows the secret once)."""

    model = WebhookSubscription
    fields = ("target_url", "events", "is_active", "allow_private_address", "created_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
    inlines = [WebhookSubscriptionInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the filings keep pointing at the application

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # A new application has no subscriptions yet: no inline on the add page.
        return super().get_inline_instances(request, obj) if obj is not None else []

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


class WebhookSubscriptionForm(forms.ModelForm):
    target_url = forms.URLField(label=_("target URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ("application", "target_url", "events", "is_active", "allow_private_address")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        application = self.fields["application"]
        assert isinstance(application, forms.ModelChoiceField)
        if self.instance.pk:
            application.disabled = True  # a subscription stays with its application
        else:
            application.queryset = Open311Application.objects.active()

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            cleaned["target_url"], cleaned["events"] = actions.clean_subscription(
                target_url=cleaned.get("target_url", ""),
                events=cleaned.get("events", []),
                allow_private_address=bool(cleaned.get("allow_private_address")),
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ("target_url", "application", "is_active", "allow_private_address", "created_at")
    list_filter = ("is_active", "allow_private_address")
    list_select_related = ("application",)
    search_fields = ("target_url", "application__name")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch it off instead: its delivery log stays

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if change:
                actions.change_webhook(
                    by=request.user,
                    subscription=obj,
                    target_url=data["target_url"],
                    events=data["events"],
                    is_active=data["is_active"],
                    allow_private_address=data["allow_private_address"],
                )
                return
            subscription, secret = actions.subscribe_webhook(
                by=request.user,
                application=data["application"],
                target_url=data["target_url"],
                events=data["events"],
                allow_private_address=data["allow_private_address"],
            )
        except (PermissionDenied, ValidationError) as error:
            raise PermissionDenied(str(error)) from error
        obj.pk = subscription.pk
        obj.__dict__.update(subscription.__dict__)
        self.message_user(
            request,
            _(
                "The signing secret of this subscription is %(secret)s. Give it to the "
                "application now: it is not shown again."
            )
            % {"secret": secret},
            messages.WARNING,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read only, with a "retry now" action."""

    list_display = (
        "created_at",
        "event",
        "subscription",
        "attempts",
        "last_status_code",
        "delivered_at",
        "next_attempt_at",
    )
    list_filter = ("event", ("delivered_at", admin.EmptyFieldListFilter), "subscription")
    list_select_related = ("subscription",)
    search_fields = ("subscription__target_url", "last_error")
    readonly_fields = (
        "subscription",
        "event",
        "activity",
        "payload",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
    )
    fields = readonly_fields
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Retry the selected deliveries now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = actions.retry_deliveries(by=request.user, deliveries=list(queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)s delivery queued again.", "%(count)s deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
