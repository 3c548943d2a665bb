"""What an identity provider's claims prove under its policy, and the protocol checks
Townhall adds to allauth's OpenID Connect (nonce, private_key_jwt). The whole flow against
a real provider is in browser_tests/test_oidc_sign_in.py."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from townhall.identity import actions
from townhall.identity.claims import ClaimsPolicy, assess
from townhall.identity.models import IdentityProviderPolicy
from townhall.identity.oidc import (
    CLIENT_ASSERTION_TYPE,
    NONCE_STATE_KEY,
    PrivateKeyJWTClient,
    nonce_matches,
)

POLICY = ClaimsPolicy(acr_values=("urn:idp:ial2",), vot_values=("P1",))
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


# --- claims and policy (pure) ----------------------------------------------------------


def test_a_verified_email_claim_supports_email_verified() -> None:
    result = assess({"email": "a@example.org", "email_verified": True}, POLICY, now=NOW)
    assert result.email_verified
    assert result.email_claims == ["email", "email_verified"]
    assert not result.identity_verified


@pytest.mark.parametrize("flag", [False, "true", 1, None, "yes"])
def test_an_email_claim_not_verified_exactly_true_proves_nothing(flag: Any) -> None:
    claims = {"email": "a@example.org", "email_verified": flag}
    assert not assess(claims, POLICY, now=NOW).email_verified


def test_an_accepted_acr_supports_identity_verified() -> None:
    result = assess({"acr": "urn:idp:ial2"}, POLICY, now=NOW)
    assert result.identity_verified
    assert result.identity_claims == ["acr"]
    assert result.identity_expires_at is None


@pytest.mark.parametrize("acr", ["urn:idp:ial1", "URN:IDP:IAL2", "", None, ["urn:idp:ial2"]])
def test_other_acr_values_do_not(acr: Any) -> None:
    assert not assess({"acr": acr}, POLICY, now=NOW).identity_verified


@pytest.mark.parametrize("vot", ["P1", "P1.Cc", "Cc.P1"])
def test_a_vot_with_an_accepted_component_supports_identity_verified(vot: str) -> None:
    assert assess({"vot": vot}, POLICY, now=NOW).identity_claims == ["vot"]


@pytest.mark.parametrize("vot", ["P0", "P0.Cc", "P12"])
def test_a_vot_without_one_does_not(vot: str) -> None:
    assert not assess({"vot": vot}, POLICY, now=NOW).identity_verified


def test_the_provider_says_when_the_identity_verification_expires() -> None:
    policy = ClaimsPolicy(acr_values=("x",), expiry_claim="verified_until")
    until = NOW + timedelta(days=90)
    result = assess({"acr": "x", "verified_until": until.timestamp()}, policy, now=NOW)
    assert result.identity_expires_at == until
    assert result.identity_claims == ["acr", "verified_until"]


def test_an_expired_verification_counts_for_nothing() -> None:
    policy = ClaimsPolicy(acr_values=("x",), expiry_claim="verified_until")
    past = (NOW - timedelta(days=1)).timestamp()
    assert not assess({"acr": "x", "verified_until": past}, policy, now=NOW).identity_verified


def test_without_a_provider_expiry_the_policy_can_set_one() -> None:
    policy = ClaimsPolicy(acr_values=("x",), identity_valid_days=30)
    result = assess({"acr": "x"}, policy, now=NOW)
    assert result.identity_expires_at == NOW + timedelta(days=30)


# --- sign-in to records ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_provider_without_a_policy_vouches_only_for_a_verified_email(make_user: Any) -> None:
    newcomer = make_user("new@example.org", verified=False)
    records = actions.record_provider_sign_in(
        user=newcomer,
        provider_id="idp",
        provider_name="IdP",
        claims={"email": "new@example.org", "email_verified": True, "acr": "urn:idp:ial2"},
    )
    assert [(r.level, r.method, r.claims) for r in records] == [
        ("email_verified", "oidc", ["email", "email_verified"])
    ]
    newcomer.refresh_from_db()
    assert newcomer.assurance_level == "email_verified"


@pytest.mark.django_db
def test_a_verified_email_for_another_address_does_not_verify_this_account(
    make_user: Any,
) -> None:
    newcomer = make_user("new@example.org", verified=False)
    actions.record_provider_sign_in(
        user=newcomer,
        provider_id="idp",
        provider_name="IdP",
        claims={"email": "someone-else@example.org", "email_verified": True},
    )
    newcomer.refresh_from_db()
    assert newcomer.assurance_level == "none"
    assert not newcomer.assurance_records.exists()


@pytest.mark.django_db
def test_the_policy_decides_which_acr_means_identity_verified(citizen: Any) -> None:
    IdentityProviderPolicy.objects.create(
        provider_id="idp", identity_acr_values="urn:idp:ial2, urn:idp:ial3", identity_valid_days=365
    )
    actions.record_provider_sign_in(
        user=citizen, provider_id="idp", provider_name="IdP", claims={"acr": "urn:idp:ial3"}
    )
    citizen.refresh_from_db()
    assert citizen.assurance_level == "identity_verified"
    record = citizen.assurance_records.get(level="identity_verified")
    assert (record.provider_id, record.provider_name, record.claims) == ("idp", "IdP", ["acr"])
    assert record.expires_at is not None
    # Claim values are never stored.
    assert "urn:idp:ial3" not in str(record.__dict__)


# --- nonce ----------------------------------------------------------------------------------


def test_the_nonce_must_be_present_and_be_this_sign_ins() -> None:
    state = {NONCE_STATE_KEY: "abc"}
    assert nonce_matches(state, {"nonce": "abc"})
    assert not nonce_matches(state, {"nonce": "abd"})
    assert not nonce_matches(state, {})
    assert not nonce_matches(state, None)
    assert not nonce_matches({}, {"nonce": "abc"})
    assert not nonce_matches({NONCE_STATE_KEY: ""}, {"nonce": ""})


# --- private_key_jwt ------------------------------------------------------------------------


def test_private_key_jwt_assertion_is_signed_for_the_token_endpoint(rf: Any) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    client = PrivateKeyJWTClient(
        rf.get("/"),
        "townhall",
        "",
        "POST",
        "https://idp.example/token",
        "https://townhall.example/callback/",
        private_key=pem,
        key_id="k1",
    )
    assertion = client.client_assertion()
    assert jwt.get_unverified_header(assertion)["kid"] == "k1"
    claims = jwt.decode(
        assertion, key.public_key(), algorithms=["RS256"], audience="https://idp.example/token"
    )
    assert claims["iss"] == claims["sub"] == "townhall"
    assert claims["exp"] - time.time() <= 60
    assert claims["jti"]
    assert CLIENT_ASSERTION_TYPE.endswith("jwt-bearer")


def test_a_broken_private_key_is_a_clear_error_not_a_crash(rf: Any) -> None:
    from allauth.socialaccount.providers.oauth2.client import OAuth2Error

    client = PrivateKeyJWTClient(
        rf.get("/"), "townhall", "", "POST", "https://idp/token", "https://t/cb/", private_key="x"
    )
    with pytest.raises(OAuth2Error):
        client.client_assertion()


# --- the sign-in page -----------------------------------------------------------------------


@pytest.fixture
def social_app(db: Any) -> Any:
    from allauth.socialaccount.models import SocialApp
    from django.contrib.sites.models import Site

    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id="springfield-id",
        name="Springfield ID",
        client_id="townhall",
        secret="s",
        # Nothing listens on port 9: the provider is down.
        settings={"server_url": "http://127.0.0.1:9"},
    )
    app.sites.add(Site.objects.get_current())
    return app


def test_the_sign_in_page_lets_the_form_go_on_to_the_provider(client: Any, social_app: Any) -> None:
    response = client.get("/accounts/oidc/springfield-id/login/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if "form-action" in p)
    assert "http://127.0.0.1:9" in form_action and "'self'" in form_action


def test_a_provider_that_does_not_answer_gives_a_clear_page_not_a_500(
    client: Any, social_app: Any
) -> None:
    response = client.post("/accounts/oidc/springfield-id/login/")
    assert response.status_code == 401
    assert "did not answer" in response.content.decode()


def test_an_unknown_provider_is_a_404(client: Any, social_app: Any) -> None:
    assert client.get("/accounts/oidc/nobody/login/").status_code == 404
    assert client.get("/accounts/oidc/nobody/login/callback/?state=x&code=y").status_code == 404


def test_starting_a_sign_in_needs_the_csrf_token(social_app: Any) -> None:
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/oidc/springfield-id/login/")
    assert response.status_code == 403


# --- ID token checks (allauth's, through Townhall's adapter) --------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "someone-else"},
        {"iss": "https://evil.example"},
        {"exp": int(time.time()) - 60},
    ],
    ids=["wrong-aud", "wrong-iss", "expired"],
)
def test_an_id_token_for_another_client_issuer_or_time_is_refused(
    rf: Any, social_app: Any, change: dict[str, Any]
) -> None:
    from allauth.socialaccount.providers.oauth2.client import OAuth2Error

    from townhall.identity.oidc import TownhallOIDCAdapter

    adapter = TownhallOIDCAdapter(rf.get("/"), "springfield-id")
    adapter._openid_config = {"issuer": "https://idp.example", "jwks_uri": "https://idp/jwks"}
    adapter.did_fetch_access_token = True  # straight from the token endpoint
    now = int(time.time())
    claims = {"iss": "https://idp.example", "aud": "townhall", "sub": "1", "iat": now}
    claims["exp"] = now + 300
    assert adapter._decode_id_token(social_app, jwt.encode(claims, "k" * 32))["sub"] == "1"
    with pytest.raises(OAuth2Error):
        adapter._decode_id_token(social_app, jwt.encode({**claims, **change}, "k" * 32))
