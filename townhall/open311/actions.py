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

from .models import DEFAULT_RATE_LIMIT_PER_MINUTE, Open311Application, Open311Filing

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
