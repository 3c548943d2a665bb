"""Anyone acting for the government must have a second factor, and short sessions.

`StaffSecondFactorMiddleware`: a signed-in staff account (see `second_factor.py`) without
a factor that counts for it is sent to set one up from every page except that set-up
itself (and the re-authentication it may ask for), signing out, switching language and
static files: with no factor at all, to the two-factor page; with only an authenticator
app (TOTP) that its agencies do not accept, straight to adding a security key or passkey
(WebAuthn). Session-authenticated API calls get a 403 instead of a redirect. Recovery
codes alone do not count: they are a fallback, not a factor.

`StaffSessionLimitsMiddleware`: a staff session ends STAFF_SESSION_MAX_AGE after sign-in
or STAFF_SESSION_IDLE_TIMEOUT after the last request, whichever comes first; the person
is signed out and sent to sign in again with a message saying why. Citizens' sessions
last SESSION_COOKIE_AGE (30 days). Decision 0016.

Demo staff accounts (`is_demo`) skip the second factor only when
DEMO_STAFF_SKIP_SECOND_FACTOR is on (a DEBUG demo server). Citizens are never asked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage.base import BaseStorage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from townhall.identity.sessions import LAST_SEEN_AT, SIGNED_IN_AT, seconds

from .second_factor import (
    factor_types,
    has_second_factor,
    is_staff_account,
    requires_second_factor,
)

# The last-seen time is written at most this often, so that not every request writes
# the session; the idle limit is checked to within this much.
LAST_SEEN_RESOLUTION = 30


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def allowed_prefixes(self) -> tuple[str, ...]:
        """Paths a staff member without a second factor may still open."""
        return (
            reverse("mfa_index"),  # /accounts/2fa/: set-up, and the MFA re-authentication
            reverse("account_logout"),
            reverse("account_reauthenticate"),
            reverse("set_language"),
            reverse("javascript-catalog"),
            reverse("healthz"),
            settings.STATIC_URL,
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and requires_second_factor(user)
            and not has_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": gettext("Set up two-factor authentication before using the API.")},
                    status=403,
                )
            if Authenticator.Type.TOTP in factor_types(user):
                explain_once(
                    request,
                    gettext(
                        "Your agency asks staff to sign in with a security key or passkey: an "
                        "authenticator app is not enough. Add a security key or passkey to "
                        "continue."
                    ),
                )
                return redirect("mfa_add_webauthn")
            explain_once(
                request,
                gettext(
                    "Staff accounts need two-factor authentication. Set up a security key or"
                    " passkey to continue."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)


def explain_once(request: HttpRequest, text: str) -> None:
    """Say why once, however many pages were tried before the set-up page showed."""
    pending = messages.get_messages(request)
    if not isinstance(pending, BaseStorage):
        return
    already_said = any(str(message) == text for message in pending)
    pending.used = False  # looking must not consume the messages
    if not already_said:
        messages.warning(request, text)


class StaffSessionLimitsMiddleware:
    """Staff sessions end 12 hours after sign-in or after 30 minutes without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_staff_account(user):
            ended = self.check(request)
            if ended is not None:
                return ended
        return self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = int(time.time())
        signed_in = seconds(session.get(SIGNED_IN_AT))
        last_seen = seconds(session.get(LAST_SEEN_AT))
        if signed_in is None or last_seen is None:
            # A session from before these limits: its clocks start now.
            session[SIGNED_IN_AT] = signed_in if signed_in is not None else now
            session[LAST_SEEN_AT] = now
            return None
        if now - signed_in >= settings.STAFF_SESSION_MAX_AGE:
            hours = settings.STAFF_SESSION_MAX_AGE // 3600
            reason = gettext(
                "For security, staff are signed out %(hours)d hours after signing in. "
                "Sign in again to continue."
            ) % {"hours": hours}
            return self.end(request, reason)
        if now - last_seen >= settings.STAFF_SESSION_IDLE_TIMEOUT:
            minutes = settings.STAFF_SESSION_IDLE_TIMEOUT // 60
            reason = gettext(
                "For security, staff are signed out after %(minutes)d minutes without "
                "activity. Sign in again to continue."
            ) % {"minutes": minutes}
            return self.end(request, reason)
        if now - last_seen >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN_AT] = now
        return None

    @staticmethod
    def end(request: HttpRequest, reason: str) -> HttpResponse:
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": reason, "status": 401}, status=401)
        messages.info(request, reason)
        login = reverse("account_login")
        if request.method == "GET" and not request.path.startswith(login):
            login += "?" + urlencode({"next": request.get_full_path()})
        return redirect(login)
