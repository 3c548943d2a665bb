"""`Authorization: Bearer <token>` with tokens issued on the account page or by password."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from townhall.identity.models import ApiToken, hash_token_key


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
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
