"""`Authorization: Bearer <token>` with tokens issued on the account page or by password."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from townhall.identity.models import ApiToken, hash_token_key

# A key is "th_" and 43 URL-safe characters; anything much longer is not one of ours, and
# hashing megabytes of header for nothing is work we can refuse.
MAX_KEY_LENGTH = 200


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        try:
            header = authentication.get_authorization_header(request).split()
        except UnicodeError as error:  # the test client lets a header hold any character
            raise exceptions.AuthenticationFailed(_("That token is not valid.")) from error
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”, with no spaces in the token.")
            )
        try:
            key = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("That token is not valid.")) from error
        if len(key) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(_("That token is not valid."))
        token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_hash=hash_token_key(key))
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("That token is not valid, or it has been revoked.")
            )
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes Bearer tokens in the OpenAPI schema (drf-spectacular finds it by class path)."""

    target_class = "townhall.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        definition = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.keyword
        )
        definition["description"] = _(
            "A token from POST /api/v1/auth/token/ or from your account page, sent as "
            "“Authorization: Bearer <token>”."
        )
        return definition
