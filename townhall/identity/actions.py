"""Use cases that change accounts. Each checks who acts and records Activity."""

from __future__ import annotations

import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility

from .models import ApiToken, AssuranceLevel, User, hash_token_key


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
    user.assurance_level = AssuranceLevel.EMAIL_VERIFIED
    user.assurance_changed_at = timezone.now()
    user.save(update_fields=["assurance_level", "assurance_changed_at"])
    record_activity(
        verb="account.email_verified",
        summary=f"{user.display_name} verified their email address",
        visibility=Visibility.PARTICIPANTS,
        actor=user,
        citizen=user,
        target=user,
    )
    return user


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
