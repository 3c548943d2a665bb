"""What the Open311 adapter writes: applications and their keys, and filings (which hand
the request itself to `service_requests.actions.file_request`)."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility
from townhall.agencies.models import Service
from townhall.conversations.attachments import CheckedFile
from townhall.identity.models import User, hash_token_key
from townhall.service_requests import actions as request_actions
from townhall.service_requests.models import ServiceRequest

from .models import (
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    Open311Application,
    Open311Filing,
    WebhookDelivery,
    WebhookSubscription,
)

KEY_PREFIX = "o311_"
MAX_RATE_LIMIT_PER_MINUTE = 100_000


def _require_site_admin(by: Any) -> None:
    if by is None or not by.is_authenticated or not by.is_superuser:
        raise PermissionDenied(_("Only a site administrator can manage Open311 applications."))


@transaction.atomic
def issue_application(
    *,
    by: Any,
    name: str,
    contact_email: str,
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT_PER_MINUTE,
    key: str | None = None,
) -> tuple[Open311Application, str]:
    """A site administrator gives an application an API key. Returns the application and
    the key, which is stored only as a hash and never shown again. `key` fixes the key
    (the demo city's `demo-open311-key`); otherwise a random one is made.

    The application gets its own account, which cannot sign in and may file for people
    without a verified account (`service_requests.file_for_contact`)."""
    _require_site_admin(by)
    errors: dict[str, str] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 120:
        errors["name"] = _("Give the application a name of up to 120 characters.")
    contact_email = contact_email.strip() if isinstance(contact_email, str) else ""
    try:
        validate_email(contact_email)
    except ValidationError:
        errors["contact_email"] = _("Enter a valid email address to reach the application's team.")
    if (
        not isinstance(rate_limit_per_minute, int)
        or not 1 <= rate_limit_per_minute <= MAX_RATE_LIMIT_PER_MINUTE
    ):
        errors["rate_limit_per_minute"] = _("Allow between 1 and %(limit)s calls a minute.") % {
            "limit": MAX_RATE_LIMIT_PER_MINUTE
        }
    key = key or KEY_PREFIX + secrets.token_urlsafe(32)
    if Open311Application.objects.filter(key_hash=hash_token_key(key)).exists():
        errors["key"] = _("This key is already in use.")
    if errors:
        raise ValidationError(errors)
    account = User.objects.create_user(
        email=f"open311-{secrets.token_hex(8)}@applications.invalid",
        password=None,
        display_name=f"{name} (Open311)"[:80],
    )
    account.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="service_requests", codename="file_for_contact"
        )
    )
    application = Open311Application.objects.create(
        name=name,
        contact_email=contact_email,
        key_prefix=key[:8],
        key_hash=hash_token_key(key),
        account=account,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    record_activity(
        verb="open311.application_issued",
        summary=f"Open311 key issued to “{application.name}”",
        visibility=Visibility.INTERNAL,
        actor=by,
        target=application,
    )
    return application, key


@transaction.atomic
def revoke_application(*, by: Any, application: Open311Application) -> Open311Application:
    """A site administrator withdraws an application's key; its account stops filing."""
    _require_site_admin(by)
    application = Open311Application.objects.select_for_update().get(pk=application.pk)
    if application.revoked_at is None:
        application.revoked_at = timezone.now()
        application.save(update_fields=["revoked_at"])
        User.objects.filter(pk=application.account_id).update(is_active=False)
        record_activity(
            verb="open311.application_revoked",
            summary=f"Open311 key of “{application.name}” revoked",
            visibility=Visibility.INTERNAL,
            actor=by,
            target=application,
        )
    return application


def _verified_account(email: str) -> User | None:
    """The active account that has confirmed `email`, if there is one."""
    if not email:
        return None
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return address.user if address is not None else None


def filing_key(application: Open311Application, fields: Mapping[str, Any]) -> str:
    """The idempotency key of a filing: the same application sending the same fields again
    (a client retrying after a timeout) files nothing new."""
    content = json.dumps(
        {"application": application.key_hash, "fields": fields}, sort_keys=True, default=str
    )
    return "open311:" + hashlib.sha256(content.encode()).hexdigest()[:64]


@transaction.atomic
def file_open311_request(
    *,
    application: Open311Application,
    service: Service,
    description: str,
    answers: Mapping[str, Any],
    latitude: str = "",
    longitude: str = "",
    address: str = "",
    address_id: str = "",
    media_url: str = "",
    contact: Mapping[str, str],
    retry_fields: Mapping[str, Sequence[str]],
    files: Sequence[CheckedFile] = (),
) -> tuple[ServiceRequest, Open311Filing]:
    """File a request that an application sent. When `contact["email"]` is an address a
    Townhall account has confirmed, that account files it (with its own assurance level);
    otherwise the application's account does, holding the contact details until the person
    claims the request. Requests filed through Open311 are public, as Open311 lists every
    request (the requester's personal details never are).

    `retry_fields` are the fields exactly as sent: sending the same again returns the same
    request and filing."""
    if not application.is_active:
        raise PermissionDenied(_("This API key was revoked."))
    account = _verified_account(contact.get("email", "").strip())
    fields: dict[str, Any] = {
        "by": account if account is not None else application.account,
        "service": service,
        "description": description,
        "answers": dict(answers),
        "latitude": latitude,
        "longitude": longitude,
        "address": address,
        "is_public": True,
        "files": files,
        "idempotency_key": filing_key(application, retry_fields),
    }
    if account is None:
        fields["contact"] = contact
    request = request_actions.file_request(**fields)
    filing, _created = Open311Filing.objects.get_or_create(
        request=request,
        defaults={
            "application": application,
            "token": secrets.token_urlsafe(24),
            "media_url": media_url,
            "address_id": address_id,
        },
    )
    return request, filing


# --- webhooks ----------------------------------------------------------------------------


def clean_subscription(
    *, target_url: str, events: Sequence[str], allow_private_address: bool
) -> tuple[str, list[str]]:
    from django.core.validators import URLValidator

    from . import webhooks
    from .models import WebhookEvent

    errors: dict[str, str] = {}
    target_url = target_url.strip() if isinstance(target_url, str) else ""
    try:
        URLValidator(schemes=["http", "https"])(target_url)
        if len(target_url) > 500:
            raise ValidationError("too long")
    except ValidationError:
        errors["target_url"] = _("Enter an http or https address of up to 500 characters.")
    chosen = [event for event in WebhookEvent.values if event in set(events or ())]
    if not chosen or len(chosen) != len(set(events)):
        errors["events"] = _("Choose at least one of the events offered.")
    if errors:
        raise ValidationError(errors)
    webhooks.validate_target_url(target_url, allow_private=allow_private_address)
    return target_url, chosen


@transaction.atomic
def subscribe_webhook(
    *,
    by: Any,
    application: Open311Application,
    target_url: str,
    events: Sequence[str],
    allow_private_address: bool = False,
) -> tuple[WebhookSubscription, str]:
    """A site administrator subscribes an application to events. Returns the subscription
    and its signing secret, to be shown once."""
    _require_site_admin(by)
    if not application.is_active:
        raise ValidationError(_("This application's key was revoked; it cannot subscribe."))
    target_url, chosen = clean_subscription(
        target_url=target_url, events=events, allow_private_address=allow_private_address
    )
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription.objects.create(
        application=application,
        target_url=target_url,
        events=chosen,
        secret=secret,
        allow_private_address=bool(allow_private_address),
    )
    record_activity(
        verb="open311.webhook_subscribed",
        summary=f"“{application.name}” subscribed {target_url} to webhooks",
        visibility=Visibility.INTERNAL,
        actor=by,
        target=subscription,
    )
    return subscription, secret


@transaction.atomic
def change_webhook(
    *,
    by: Any,
    subscription: WebhookSubscription,
    target_url: str,
    events: Sequence[str],
    is_active: bool,
    allow_private_address: bool,
) -> WebhookSubscription:
    """A site administrator changes a subscription's address, events or switches."""
    _require_site_admin(by)
    target_url, chosen = clean_subscription(
        target_url=target_url, events=events, allow_private_address=allow_private_address
    )
    current = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    current.target_url, current.events = target_url, chosen
    current.is_active, current.allow_private_address = bool(is_active), bool(allow_private_address)
    current.save(update_fields=["target_url", "events", "is_active", "allow_private_address"])
    record_activity(
        verb="open311.webhook_changed",
        summary=f"Webhook {current.target_url} of “{current.application}” changed",
        visibility=Visibility.INTERNAL,
        actor=by,
        target=current,
    )
    return current


def retry_deliveries(*, by: Any, deliveries: Sequence[WebhookDelivery]) -> int:
    """A site administrator asks for undelivered deliveries to be tried again now (one
    more attempt for those given up). Returns how many were queued."""
    from .tasks import deliver_webhook
    from .webhooks import MAX_ATTEMPTS

    _require_site_admin(by)
    ids = [delivery.pk for delivery in deliveries]
    now = timezone.now()
    queued = []
    with transaction.atomic():
        for delivery in WebhookDelivery.objects.select_for_update().filter(
            pk__in=ids, delivered_at__isnull=True
        ):
            delivery.next_attempt_at = now
            delivery.attempts = min(delivery.attempts, MAX_ATTEMPTS - 1)
            delivery.save(update_fields=["next_attempt_at", "attempts"])
            queued.append(delivery.pk)

        def enqueue() -> None:
            for delivery_id in queued:
                deliver_webhook.enqueue(delivery_id=delivery_id)

        transaction.on_commit(enqueue)
    return len(queued)
