"""Anyone acting for the government must have a second factor before using the site.

A signed-in staff account (see `second_factor.py`) with no authenticator app (TOTP) or
security key (WebAuthn) is sent to the two-factor set-up page from every page except
that set-up itself (and the re-authentication it may ask for), signing out, switching
language and static files. Session-authenticated API calls get a 403 instead of a
redirect. Recovery codes alone do not count: they are a fallback, not a factor.

Demo staff accounts (`is_demo`) skip this only when DEMO_STAFF_SKIP_SECOND_FACTOR is on
(a DEBUG demo server). Citizens are never asked.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.base import BaseStorage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from .second_factor import has_second_factor, requires_second_factor


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
            self.explain(request)
            return redirect("mfa_index")
        return self.get_response(request)

    @staticmethod
    def explain(request: HttpRequest) -> None:
        """Say why once, however many pages were tried before the set-up page showed."""
        text = gettext(
            "Staff accounts need two-factor authentication. Set up an authenticator app or"
            " a security key to continue."
        )
        pending = messages.get_messages(request)
        if not isinstance(pending, BaseStorage):
            return
        already_said = any(str(message) == text for message in pending)
        pending.used = False  # looking must not consume the messages
        if not already_said:
            messages.warning(request, text)
