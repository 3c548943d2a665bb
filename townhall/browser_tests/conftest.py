"""Fixtures for the browser tests: a real OpenID Connect provider on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

IDENTITY_ACR = "urn:townhall:test:identity-verified"
PROVIDER_ID = "test-idp"
JWT_PROVIDER_ID = "test-idp-jwt"

# Who can sign in at the test provider: a person whose identity it verified, and one whose
# email address it never checked.
PROVIDER_ACCOUNTS = {
    "ada": {
        "acr": IDENTITY_ACR,
        "claims": {
            "email": "ada@example.org",
            "email_verified": True,
            "name": "Ada Lovelace",
            "preferred_username": "ada",
        },
    },
    "eve": {
        "claims": {
            "email": "eve@example.org",
            "email_verified": False,
            "name": "Eve Unchecked",
        },
    },
    # Claims, unverified, the address of an existing Townhall account (the `citizen` fixture).
    "mallory": {
        "claims": {"email": "alex@example.org", "email_verified": False, "name": "Not Alex"},
    },
}


def _key_pair() -> tuple[str, dict[str, Any]]:
    """An RSA key for private_key_jwt: the PEM for Townhall, the public JWK for the provider."""
    import json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "townhall-test", "use": "sig", "alg": "RS256"})
    return pem, jwk


@pytest.fixture
def oidc_provider(live_server: Any, transactional_db: Any) -> Iterator[SimpleNamespace]:
    """The npm package oidc-provider, started for this test, and the two sign-in
    applications an administrator would add for it: one with a client secret, one with
    private_key_jwt. Missing node or the package fails under CI and skips elsewhere."""
    from allauth.socialaccount.models import SocialApp
    from django.contrib.sites.models import Site

    from townhall.browser_tests.oidc.server import ProviderUnavailable, start_provider
    from townhall.identity.models import IdentityProviderPolicy

    pem, jwk = _key_pair()

    def callback(provider_id: str) -> str:
        return f"{live_server.url}/accounts/oidc/{provider_id}/login/callback/"

    clients: list[dict[str, Any]] = [
        {
            "client_id": "townhall",
            "client_secret": "townhall-test-secret",
            "redirect_uris": [callback(PROVIDER_ID)],
            "token_endpoint_auth_method": "client_secret_post",
        },
        {
            "client_id": "townhall-jwt",
            "redirect_uris": [callback(JWT_PROVIDER_ID)],
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "RS256",
            "jwks": {"keys": [jwk]},
        },
    ]
    try:
        provider = start_provider(clients=clients, accounts=PROVIDER_ACCOUNTS)
    except ProviderUnavailable as missing:
        if os.environ.get("CI"):
            pytest.fail(f"The test OpenID provider cannot run in CI: {missing}")
        pytest.skip(f"The test OpenID provider cannot run: {missing}")
    site = Site.objects.get_current()
    apps = {}
    for provider_id, name, client_id, secret, extra in (
        (PROVIDER_ID, "Springfield ID", "townhall", "townhall-test-secret", {}),
        (
            JWT_PROVIDER_ID,
            "Springfield ID (signed key)",
            "townhall-jwt",
            "",
            {"token_auth_method": "private_key_jwt", "private_key": pem},
        ),
    ):
        app = SocialApp.objects.create(
            provider="openid_connect",
            provider_id=provider_id,
            name=name,
            client_id=client_id,
            secret=secret,
            settings={
                "server_url": provider.issuer,
                # Ask for the level, as Login.gov-style providers expect; the ID token then
                # carries the `acr` reached.
                "auth_params": {"acr_values": IDENTITY_ACR},
                **extra,
            },
        )
        app.sites.add(site)
        apps[provider_id] = app
        IdentityProviderPolicy.objects.create(
            provider_id=provider_id, identity_acr_values=IDENTITY_ACR
        )
    try:
        yield SimpleNamespace(
            process=provider,
            issuer=provider.issuer,
            provider_id=PROVIDER_ID,
            jwt_provider_id=JWT_PROVIDER_ID,
            apps=apps,
            stop=provider.stop,
        )
    finally:
        provider.stop()
