"""Requests filed through another application for a person without a verified account,
and that person claiming them once they confirm the email address on an account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.activity.actions import follow
from townhall.commitments.models import Commitment
from townhall.identity.models import AssuranceLevel

from ..models import (
    CONTACT_ID_MAX_LENGTH,
    CONTACT_NAME_MAX_LENGTH,
    CONTACT_PHONE_MAX_LENGTH,
    RequestContact,
    ServiceRequest,
)
from .steps import _is_authenticated, _record

# An application may file for an unverified contact only where the service asks for no
# more than a verified email address: the person proves that address when they claim it.
CONTACT_SERVICE_LEVELS = frozenset({AssuranceLevel.NONE, AssuranceLevel.EMAIL_VERIFIED})

_LIMITS = {
    "email": 254,
    "first_name": CONTACT_NAME_MAX_LENGTH,
    "last_name": CONTACT_NAME_MAX_LENGTH,
    "phone": CONTACT_PHONE_MAX_LENGTH,
    "device_id": CONTACT_ID_MAX_LENGTH,
    "account_id": CONTACT_ID_MAX_LENGTH,
}


def clean_contact(contact: Mapping[str, Any]) -> dict[str, str]:
    """The contact details as sent, checked: known fields only, text within limits, a
    valid email address when one is given. Raises one ValidationError keyed by field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for field, value in contact.items():
        if field not in _LIMITS:
            errors[field] = _("This detail is not kept.")
            continue
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[field] = _("Give this as text.")
            continue
        text = value.strip()
        if "\x00" in text:
            errors[field] = _("This contains a character that cannot be stored.")
        elif len(text) > _LIMITS[field]:
            errors[field] = _("Keep this to %(limit)s characters or fewer.") % {
                "limit": _LIMITS[field]
            }
        else:
            cleaned[field] = text
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
        cleaned["email"] = cleaned["email"].lower()
    if errors:
        raise ValidationError(errors)
    return cleaned


def verified_emails(user: Any) -> list[str]:
    """The email addresses `user` has confirmed, lower-cased."""
    return [
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]


@transaction.atomic
def claim_contact_requests(*, by: Any) -> list[ServiceRequest]:
    """`by` takes over the requests filed for them elsewhere under an email address they
    have confirmed: they become the requester, follow each request, and the promises made
    on it are made to them. Returns the requests claimed (none is claimed twice)."""
    # The proof is owning the very address the request was filed under.
    emails = verified_emails(by) if _is_authenticated(by) else []
    if not emails:
        raise PermissionDenied(_("Confirm your email address first."))
    contacts = list(
        RequestContact.objects.select_for_update()
        .filter(email__in=emails, claimed_at__isnull=True)
        .select_related("request__agency", "request__service")
        .order_by("pk")
    )
    now = timezone.now()
    claimed: list[ServiceRequest] = []
    for contact in contacts:
        request = contact.request
        held_by = contact.filed_via_id
        request.requester = by
        request.save(update_fields=["requester"])
        contact.claimed_by = by
        contact.claimed_at = now
        contact.save(update_fields=["claimed_by", "claimed_at"])
        # The standard promises were made to whoever filed; they are now owed to `by`.
        Commitment.objects.filter(
            made_to_id=held_by,
            subject_type__app_label="service_requests",
            subject_type__model="servicerequest",
            subject_id=str(request.pk),
        ).update(made_to=by)
        follow(by=by, target=request)
        _record(
            request,
            verb="request.claimed",
            summary=f"{by.display_name} claimed {request.reference}, filed for them elsewhere",
            by=by,
        )
        claimed.append(request)
    return claimed
