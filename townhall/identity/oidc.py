"""Sign-in through OpenID Connect providers, on top of allauth's `openid_connect` provider.

allauth 65.22.1 does the OAuth 2 part (state, PKCE, the token request, the ID token's
issuer, audience and expiry). Townhall adds what it lacks (decision 0011):

- a `nonce` sent with every authorization request, kept in allauth's per-login state and
  compared with the ID token's (the check is in `adapter.SocialAccountAdapter`);
- `private_key_jwt` client authentication at the token endpoint (RFC 7523), as
  Login.gov-style providers require: SocialApp setting `"token_auth_method":
  "private_key_jwt"` with the PEM key in `"private_key"` (and its `"private_key_id"`);
- the provider's origin in the sign-in page's CSP `form-action`, so the browser may follow
  the redirect to the provider after the "Continue" button.

The login and callback views are allauth's, given Townhall's adapter; `townhall/urls.py`
mounts them ahead of allauth's own at the same paths and names.
"""

from __future__ import annotations

import time
import uuid
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import get_random_string

NONCE_STATE_KEY = "townhall_oidc_nonce"
PRIVATE_KEY_JWT = "private_key_jwt"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class NonceMismatch(OAuth2Error):
    """The ID token's nonce is missing or not the one this sign-in sent."""


class PrivateKeyJWTClient(OAuth2Client):
    """Authenticates to the token endpoint with a JWT signed by the client's private key."""

    def __init__(self, *args: Any, private_key: str, key_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.private_key = private_key
        self.key_id = key_id

    def client_assertion(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self.consumer_key,
            "sub": self.consumer_key,
            "aud": self.access_token_url,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + 60,
        }
        headers = {"kid": self.key_id} if self.key_id else None
        try:
            return jwt.encode(claims, self.private_key, algorithm="RS256", headers=headers)
        except (ValueError, TypeError, jwt.PyJWTError) as error:
            raise OAuth2Error("The private key for private_key_jwt cannot sign.") from error

    def get_access_token(
        self, code: str, pkce_code_verifier: str | None = None, extra_data: Any = None
    ) -> dict[str, Any]:
        data = {
            "redirect_uri": self.callback_url,
            "grant_type": "authorization_code",
            "code": code,
            "client_id": self.consumer_key,
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.client_assertion(),
            **(extra_data or {}),
        }
        if pkce_code_verifier:
            data["code_verifier"] = pkce_code_verifier
        with get_adapter().get_requests_session() as session:
            response = session.post(self.access_token_url, data=data, headers=self.headers)
        token: dict[str, Any] | None = None
        if response.status_code in (HTTPStatus.OK, HTTPStatus.CREATED):
            try:
                token = response.json()
            except ValueError:
                token = None
        if not token or "access_token" not in token:
            raise OAuth2Error(f"Error retrieving access token: {response.status_code}")
        return token


class TownhallOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def get_client(self, request: HttpRequest, app: SocialApp) -> OAuth2Client:
        if app.settings.get("token_auth_method") != PRIVATE_KEY_JWT:
            return super().get_client(request, app)
        private_key = app.settings.get("private_key") or ""
        if not private_key:
            raise OAuth2Error("private_key_jwt is configured without a private_key.")
        return PrivateKeyJWTClient(
            self.request,
            app.client_id,
            "",
            self.access_token_method,
            self.access_token_url,
            self.get_callback_url(request, app),
            scope_delimiter=self.scope_delimiter,
            headers=self.headers,
            private_key=private_key,
            key_id=app.settings.get("private_key_id", ""),
        )


class TownhallOIDCProvider(OpenIDConnectProvider):
    """allauth's provider, sending a nonce and using Townhall's adapter."""

    oauth2_adapter_class = TownhallOIDCAdapter

    def redirect(
        self,
        request: HttpRequest,
        process: Any,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        nonce = get_random_string(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        kwargs[NONCE_STATE_KEY] = nonce
        return super().redirect(request, process, next_url, data, auth_params=auth_params, **kwargs)


def nonce_matches(state: dict[str, Any] | None, id_token: dict[str, Any] | None) -> bool:
    expected = (state or {}).get(NONCE_STATE_KEY)
    received = (id_token or {}).get("nonce")
    return bool(expected) and isinstance(received, str) and received == expected


def provider_origin(app: SocialApp) -> str:
    parts = urlsplit(str(app.settings.get("server_url", "")))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def _provider_unreachable(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The provider's discovery, token or key endpoint did not answer: say so, not a 500."""
    return render_authentication_error(
        request,
        get_adapter(request).get_provider(request, provider_id),
        exception=requests.ConnectionError("The identity provider did not answer."),
    )


@login_not_required
def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        adapter = TownhallOIDCAdapter(request, provider_id)
        response = OAuth2LoginView.adapter_view(adapter)(request)
        app = adapter.get_provider().app
    except SocialApp.DoesNotExist as missing:
        raise Http404 from missing
    except requests.RequestException:
        return _provider_unreachable(request, provider_id)
    origin = provider_origin(app)
    if origin:
        response._csp_update = {"form-action": [origin]}  # type: ignore[attr-defined]
    return response


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2CallbackView.adapter_view(TownhallOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as missing:
        raise Http404 from missing
    except requests.RequestException:
        return _provider_unreachable(request, provider_id)
