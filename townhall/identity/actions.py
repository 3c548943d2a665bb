"""Use cases that change accounts. Each checks who acts and records Activity."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.activity.actions import notify, record_activity
from townhall.activity.models import Visibility

from . import claims as claims_module
from .models import (
    ASSURANCE_ORDER,
    ApiToken,
    AssuranceLevel,
    AssuranceMethod,
    AssuranceRecord,
    DocumentType,
    IdentityProviderPolicy,
    User,
    hash_token_key,
)


def _require_self_or_admin(by: Any, user: User) -> None:
    if not (by.is_authenticated and (by.pk == user.pk or by.is_superuser)):
        raise PermissionDenied("Only the account holder can change this account.")


@transaction.atomic
def record_sign_up(*, user: User) -> None:
    """Log a new account (allauth has just saved it inside this request's transaction)."""
    record_activity(
        verb="account.created",
        summary=f"{user.display_name} created an account",
        visibility=Visibility.INTERNAL,
        actor=user,
        citizen=user,
        target=user,
    )


@transaction.atomic
def create_account(
    *,
    by: Any,
    email: str,
    display_name: str,
    password: str | None,
    preferred_language: str = "en",
    is_demo: bool = False,
) -> User:
    """A site administrator opens an account for someone (people sign up themselves).

    The address starts unverified: the person confirms it the first time they sign in,
    which is what raises the account to `email_verified`. No password means the person
    sets one through "forgot your password".
    """
    if not (by.is_authenticated and by.is_superuser):
        raise PermissionDenied("Only a site administrator can open an account for someone.")
    user = User.objects.create_user(
        email=email,
        password=password or None,  # None leaves the password unusable
        display_name=display_name,
        preferred_language=preferred_language,
        is_demo=is_demo,
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    record_activity(
        verb="account.created",
        summary=f"{by.display_name} opened an account for {user.display_name}",
        visibility=Visibility.INTERNAL,
        actor=by,
        citizen=user,
        target=user,
    )
    return user


@transaction.atomic
def mark_email_verified(*, user: User) -> User:
    """Raise the account to `email_verified` once the address is confirmed (never lower it)."""
    if user.has_assurance(AssuranceLevel.EMAIL_VERIFIED):
        return user
    raise_assurance(
        by=user, user=user, level=AssuranceLevel.EMAIL_VERIFIED, method=AssuranceMethod.EMAIL
    )
    record_activity(
        verb="account.email_verified",
        summary=f"{user.display_name} verified their email address",
        visibility=Visibility.PARTICIPANTS,
        actor=user,
        citizen=user,
        target=user,
    )
    return user


def _level_rank(level: str) -> int:
    return ASSURANCE_ORDER.index(AssuranceLevel(level))


def current_assurance_record(user: User) -> AssuranceRecord | None:
    """The record the account's level stands on: the highest current level, newest first."""
    records = list(AssuranceRecord.objects.filter(user=user).current())
    if not records:
        return None
    return max(records, key=lambda r: (_level_rank(r.level), r.reached_at, r.pk))


def _recompute_level(user: User) -> User:
    """Set the denormalised `User.assurance_level` from the current records."""
    record = current_assurance_record(user)
    level = record.level if record else AssuranceLevel.NONE
    reached = record.reached_at if record else None
    if user.assurance_level != level or user.assurance_changed_at != reached:
        user.assurance_level = level
        user.assurance_changed_at = reached
        user.save(update_fields=["assurance_level", "assurance_changed_at"])
    return user


def _may_raise(by: Any, user: User, method: str) -> bool:
    if not getattr(by, "is_authenticated", False):
        return False
    if method in (AssuranceMethod.EMAIL, AssuranceMethod.OIDC):
        # The account holder's own sign-in or confirmation (or an administrator's tools).
        return bool(by.pk == user.pk or by.is_superuser)
    if method == AssuranceMethod.IN_PERSON:
        return bool(by.pk != user.pk and by.has_perm("identity.verify_in_person"))
    return bool(by.is_superuser and by.pk != user.pk)


@transaction.atomic
def raise_assurance(
    *,
    by: Any,
    user: User,
    level: str,
    method: str,
    provider_id: str = "",
    provider_name: str = "",
    claims: Iterable[str] = (),
    document_type: str = "",
    expires_at: datetime | None = None,
    persona: Any = None,
) -> AssuranceRecord:
    """Record that `user` reached `level` by `method`, and bring their level up to date.

    Who may: the account holder for email and identity-provider records (their own
    sign-in), a verifier (permission `identity.verify_in_person`) for someone else in
    person, a site administrator for "admin" records about someone else. In-person
    records need the type of document seen — never its number. A repeat of a record that
    still stands (same level, method and provider, no later expiry) changes nothing.
    `persona`: the verifier's own active staff membership (work persona) for in-person
    checks, kept on the record and in the activity log.
    """
    if method not in AssuranceMethod.values:
        raise ValidationError({"method": _("Choose how the level was reached.")})
    if level not in AssuranceLevel.values or level == AssuranceLevel.NONE:
        raise ValidationError({"level": _("Choose the level reached.")})
    if not _may_raise(by, user, method):
        raise PermissionDenied(_("You may not raise this account's assurance level."))
    if method == AssuranceMethod.IN_PERSON and document_type not in DocumentType.values:
        raise ValidationError({"document_type": _("Choose the type of document you saw.")})
    if method != AssuranceMethod.IN_PERSON and document_type:
        raise ValidationError(
            {"document_type": _("A document type is recorded only for in-person checks.")}
        )
    if persona is not None and (
        method != AssuranceMethod.IN_PERSON or persona.user_id != by.pk or not persona.is_active
    ):
        raise PermissionDenied(_("You can only act through your own active staff membership."))
    if method == AssuranceMethod.OIDC and not provider_id:
        raise ValidationError({"provider_id": _("Name the identity provider.")})
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("The level would already have expired.")})
    claim_names = sorted({str(name)[:100] for name in claims})
    standing = (
        AssuranceRecord.objects.select_for_update()
        .filter(user=user, level=level, method=method, provider_id=provider_id)
        .current(now)
        .first()
    )
    if standing is not None and (
        standing.expires_at is None
        or (expires_at is not None and expires_at <= standing.expires_at)
    ):
        return standing
    record = AssuranceRecord.objects.create(
        user=user,
        level=level,
        method=method,
        provider_id=provider_id,
        provider_name=provider_name,
        claims=claim_names,
        document_type=document_type,
        verified_by=by if method in (AssuranceMethod.IN_PERSON, AssuranceMethod.ADMIN) else None,
        verified_as=persona,
        reached_at=now,
        expires_at=expires_at,
    )
    _recompute_level(user)
    how = AssuranceMethod(method).label
    record._activity = record_activity(  # type: ignore[attr-defined]
        verb="account.assurance_raised",
        summary=f"{user.display_name} reached “{AssuranceLevel(level).label}” ({how})",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        persona=persona,
        citizen=user,
        target=record,
    )
    return record


@transaction.atomic
def verify_in_person(
    *, by: Any, user: User, document_type: str, persona: Any = None
) -> AssuranceRecord:
    """A verifier saw `user` in person with an identity document of `document_type`
    (never its number): the account becomes identity-verified, the record keeps who
    checked and as which work persona, and the person is told.

    Only an account with the permission `identity.verify_in_person`, never for itself.
    Staff act through one of their active memberships (`persona`; the first one when
    not given). Checking someone already verified in person records nothing new.
    """
    if not getattr(by, "is_authenticated", False) or not by.has_perm("identity.verify_in_person"):
        raise PermissionDenied(_("You may not verify people in person."))
    if persona is None:
        persona = (
            by.staff_memberships.filter(is_active=True)
            .select_related("agency")
            .order_by("agency__name", "pk")
            .first()
        )
    record = raise_assurance(
        by=by,
        user=user,
        level=AssuranceLevel.IDENTITY_VERIFIED,
        method=AssuranceMethod.IN_PERSON,
        document_type=document_type,
        persona=persona,
    )
    activity = getattr(record, "_activity", None)
    if activity is not None:  # a new record, not one that already stood
        notify(
            recipients=[user],
            activity=activity,
            reason="identity_verified_in_person",
            url=reverse("identity:account"),
        )
    return record


@transaction.atomic
def set_in_person_verifier(*, by: Any, user: User, allowed: bool) -> User:
    """A site administrator lets `user` verify people in person (permission
    `identity.verify_in_person`), or stops them. Raises PermissionDenied for anyone else."""
    if not (getattr(by, "is_authenticated", False) and by.is_superuser):
        raise PermissionDenied(_("Only a site administrator can choose who verifies people."))
    permission = Permission.objects.get(
        content_type__app_label="identity", codename="verify_in_person"
    )
    if allowed:
        user.user_permissions.add(permission)
    else:
        user.user_permissions.remove(permission)
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)
    record_activity(
        verb="identity.verifier_granted" if allowed else "identity.verifier_removed",
        summary=f"{by.display_name} {'let' if allowed else 'stopped'} {user.display_name} "
        "verify people in person",
        visibility=Visibility.INTERNAL,
        actor=by,
        target=user,
    )
    return user


@transaction.atomic
def revoke_assurance(*, by: Any, record: AssuranceRecord, reason: str) -> AssuranceRecord:
    """A site administrator withdraws a record, with a reason the account holder sees.

    The account's level falls back to what its other current records support, and the
    holder is notified.
    """
    if not (getattr(by, "is_authenticated", False) and by.is_superuser):
        raise PermissionDenied(_("Only a site administrator can revoke an assurance level."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason the account holder will read.")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("Keep the reason under 1000 characters.")})
    record = AssuranceRecord.objects.select_for_update().select_related("user").get(pk=record.pk)
    if record.revoked_at is not None:
        raise ValidationError(_("This assurance record is already revoked."))
    record.revoked_at = timezone.now()
    record.revoked_by = by
    record.revocation_reason = reason
    record.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    user = record.user
    _recompute_level(user)
    activity = record_activity(
        verb="account.assurance_revoked",
        summary=(
            f"An administrator revoked “{record.get_level_display()}” for "
            f"{user.display_name}: {reason}"
        ),
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        citizen=user,
        target=record,
    )
    notify(
        recipients=[user],
        activity=activity,
        reason="assurance_revoked",
        url=reverse("identity:account"),
    )
    return record


def has_lapsed_assurance(user: User) -> bool:
    """Whether the account's level still stands on a record that has since expired."""
    expired = AssuranceRecord.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__lte=timezone.now()
    )
    if not expired.exists():
        return False
    record = current_assurance_record(user)
    supported = record.level if record else AssuranceLevel.NONE
    return _level_rank(user.assurance_level) > _level_rank(supported)


@transaction.atomic
def refresh_assurance(*, user: User) -> User:
    """Bring the account's level in line with its records (after one expired), and tell
    the person if it fell (see `expire_assurance`)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    before = user.assurance_level
    lapsed = None
    if user.assurance_changed_at is not None:
        lapsed = AssuranceRecord.objects.filter(
            user=user,
            level=before,
            reached_at=user.assurance_changed_at,
            revoked_at__isnull=True,
            expires_at__lte=timezone.now(),
        ).first()
    _recompute_level(user)
    if lapsed is not None and _level_rank(user.assurance_level) < _level_rank(before):
        activity = record_activity(
            verb="account.assurance_expired",
            summary=(
                f"“{lapsed.get_level_display()}” expired for {user.display_name}; the account "
                f"is now at “{user.get_assurance_level_display()}”"
            ),
            visibility=Visibility.PARTICIPANTS,
            citizen=user,
            target=lapsed,
        )
        notify(
            recipients=[user],
            activity=activity,
            reason="assurance_expired",
            url=reverse("identity:account"),
        )
    return user


def expire_assurance(*, at: datetime | None = None, batch_size: int = 500) -> int:
    """The scheduled job: lower every account whose level stands on a record that has
    expired, and tell each person once (the level then stands on another record, or on
    none, so running again changes nothing). Returns how many accounts fell.

    Reads only the records levels stand on (`reached_at` = `User.assurance_changed_at`)
    that have expired, `batch_size` at a time; each account in its own transaction.
    """
    at = at or timezone.now()
    lowered = 0
    seen: set[int] = set()
    while True:
        batch = [
            user_id
            for user_id in AssuranceRecord.objects.filter(
                revoked_at__isnull=True,
                expires_at__lte=at,
                level=models.F("user__assurance_level"),
                reached_at=models.F("user__assurance_changed_at"),
            )
            .exclude(user_id__in=seen)
            .order_by("expires_at", "pk")
            .values_list("user_id", flat=True)[:batch_size]
        ]
        if not batch:
            return lowered
        for user_id in dict.fromkeys(batch):
            seen.add(user_id)
            user = User.objects.filter(pk=user_id).first()
            if user is None:
                continue
            before = user.assurance_level
            if refresh_assurance(user=user).assurance_level != before:
                lowered += 1


def policy_for(provider_id: str) -> claims_module.ClaimsPolicy:
    """The administrator's policy for a provider; without one, only a verified email counts."""
    policy = IdentityProviderPolicy.objects.filter(provider_id=provider_id).first()
    if policy is None:
        return claims_module.ClaimsPolicy()
    return claims_module.ClaimsPolicy(
        email_claim=policy.email_claim,
        email_verified_claim=policy.email_verified_claim,
        acr_values=tuple(policy.acr_values),
        vot_values=tuple(policy.vot_values),
        expiry_claim=policy.expiry_claim,
        identity_valid_days=policy.identity_valid_days,
    )


@transaction.atomic
def record_provider_sign_in(
    *, user: User, provider_id: str, provider_name: str, claims: Mapping[str, Any]
) -> list[AssuranceRecord]:
    """An identity provider vouched for `user` (sign-in or connecting it): raise the level
    its claims support under the provider's policy. A claimed email counts only when the
    provider says it is verified and it is the account's own address."""
    assessment = claims_module.assess(claims, policy_for(provider_id))
    records = []
    if assessment.email_verified and assessment.email.lower() == user.email.lower():
        records.append(
            raise_assurance(
                by=user,
                user=user,
                level=AssuranceLevel.EMAIL_VERIFIED,
                method=AssuranceMethod.OIDC,
                provider_id=provider_id,
                provider_name=provider_name,
                claims=assessment.email_claims,
            )
        )
    if assessment.identity_verified:
        records.append(
            raise_assurance(
                by=user,
                user=user,
                level=AssuranceLevel.IDENTITY_VERIFIED,
                method=AssuranceMethod.OIDC,
                provider_id=provider_id,
                provider_name=provider_name,
                claims=assessment.identity_claims,
                expires_at=assessment.identity_expires_at,
            )
        )
    return records


@transaction.atomic
def update_profile(
    *, by: Any, user: User, display_name: str, legal_name: str, preferred_language: str
) -> User:
    _require_self_or_admin(by, user)
    user.display_name = display_name
    user.legal_name = legal_name
    user.preferred_language = preferred_language
    user.full_clean(validate_unique=False)
    user.save(update_fields=["display_name", "legal_name", "preferred_language"])
    record_activity(
        verb="account.profile_updated",
        summary=f"{user.display_name} updated their profile",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        citizen=user,
        target=user,
    )
    return user


@transaction.atomic
def issue_api_token(*, by: Any, user: User, name: str, via: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key. The key is never stored or shown again."""
    _require_self_or_admin(by, user)
    key = "th_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:80] or "API token",
        prefix=key[:10],
        key_hash=hash_token_key(key),
    )
    record_activity(
        verb="api_token.issued",
        summary=f"API token “{token.name}” issued ({via})",
        visibility=Visibility.INTERNAL,
        actor=by,
        citizen=user,
        target=token,
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, by: Any, token: ApiToken) -> ApiToken:
    _require_self_or_admin(by, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_activity(
            verb="api_token.revoked",
            summary=f"API token “{token.name}” revoked",
            visibility=Visibility.INTERNAL,
            actor=by,
            citizen=token.user,
            target=token,
        )
    return token
