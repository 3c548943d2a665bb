"""Which sessions may create API tokens.

A token is as strong as the sign-in that produced it. Staff accounts (active staff
memberships, and site administrators) must use a second factor on the website, so a
password alone never gets them a token: they create one on their account page in a
session that used the second factor. Demo staff may skip this only on a demo server.
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from django.http import HttpRequest

from townhall.agencies.second_factor import requires_second_factor


def signed_in_with_second_factor(request: HttpRequest) -> bool:
    """Did this browser session sign in (or re-authenticate) with a second factor?

    allauth keeps the methods used in the session; a completed TOTP or WebAuthn step is
    recorded with method "mfa". The records belong to one account: pass the user.
    """
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def may_create_token_in_session(request: HttpRequest) -> bool:
    return not requires_second_factor(request.user) or signed_in_with_second_factor(request)
