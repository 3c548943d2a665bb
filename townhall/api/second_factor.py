"""Who needs a second factor before getting an API token.

A token is as strong as the sign-in that produced it. Staff accounts (anyone with an active
staff membership) must use a second factor on the website, so a password alone never gets
them a token: they create one on their account page in a session that used the second
factor. Demo staff may skip this only on a demo server (DEMO_STAFF_SKIP_SECOND_FACTOR).
"""

from __future__ import annotations

from typing import Any

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.http import HttpRequest

from townhall.agencies.models import memberships_of


def is_staff_account(user: Any) -> bool:
    return memberships_of(user).exists()


def may_skip_second_factor(user: Any) -> bool:
    return bool(settings.DEMO_STAFF_SKIP_SECOND_FACTOR and getattr(user, "is_demo", False))


def needs_second_factor(user: Any) -> bool:
    """True when this account may only get a token from a session with a second factor."""
    return is_staff_account(user) and not may_skip_second_factor(user)


def signed_in_with_second_factor(request: HttpRequest) -> bool:
    """Did this browser session sign in (or re-authenticate) with a second factor?

    allauth keeps the methods used in the session; a completed TOTP or WebAuthn step is
    recorded with method "mfa". The records belong to one account: pass the user.
    """
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def may_create_token_in_session(request: HttpRequest) -> bool:
    return not needs_second_factor(request.user) or signed_in_with_second_factor(request)
