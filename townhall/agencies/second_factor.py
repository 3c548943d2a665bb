"""Who must use a second factor: anyone who acts for the government.

That is every account with an active staff membership, and site administrators (who can
see everything). Demo accounts skip it only on a demo server
(DEMO_STAFF_SKIP_SECOND_FACTOR, on when DEBUG is). Citizens are never asked.
Recovery codes do not count as a factor: they are a fallback.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings

from .models import memberships_of

SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def is_staff_account(user: Any) -> bool:
    """Site administrators and people with an active staff membership. Remembered on the
    user object for the rest of the request (the middleware asks first; the navigation's
    "Inbox" link asks again)."""
    if not user.is_authenticated:
        return False
    known = getattr(user, "_townhall_is_staff", None)
    if known is None:
        known = bool(user.is_superuser or memberships_of(user).exists())
        user._townhall_is_staff = known
    return bool(known)


def may_skip_second_factor(user: Any) -> bool:
    return bool(settings.DEMO_STAFF_SKIP_SECOND_FACTOR and getattr(user, "is_demo", False))


def requires_second_factor(user: Any) -> bool:
    return is_staff_account(user) and not may_skip_second_factor(user)


def has_second_factor(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()
