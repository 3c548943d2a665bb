"""Signing in through a real OpenID Connect provider (the npm package oidc-provider, started
on 127.0.0.1 by the `oidc_provider` fixture), driven through its login and consent pages.

axe checks Townhall's own pages, not the provider's development pages.
"""

from __future__ import annotations

import pytest

from townhall.identity.models import AssuranceMethod, AssuranceRecord, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def identity_service(agency, site_admin):
    from townhall.agencies import actions

    return actions.add_service(
        by=site_admin,
        agency=agency,
        code="permit",
        name="Apply for a street party permit",
        description="Close a street for a party.",
        required_assurance="identity_verified",
    )


def start_sign_in(page, axe_check, provider_id):
    """From Townhall's sign-in page to the provider's login page."""
    page.goto("/accounts/login/")
    axe_check(page)
    page.goto(f"/accounts/oidc/{provider_id}/login/?process=login")
    axe_check(page)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("input[name=login]")


def sign_in_at_provider(page, login):
    """The provider's development login page, then its consent page if it asks."""
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    consent = page.locator("input[name=prompt][value=consent]")
    if consent.count():
        page.locator("button[autofocus], button[type=submit]").first.click()


def session_key(page):
    return next((c["value"] for c in page.context.cookies() if c["name"] == "sessionid"), "")


def sign_in_with_password(page, email, password="townhall-demo-password"):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")


def test_new_citizen_signs_in_through_the_provider_and_files_an_identity_verified_request(
    oidc_provider, identity_service, browser_page, axe_check
):
    page = browser_page
    start_sign_in(page, axe_check, oidc_provider.provider_id)
    before = session_key(page)
    sign_in_at_provider(page, "ada")
    page.wait_for_url("**/account/")
    axe_check(page)
    assert session_key(page) not in ("", before)  # a new session key at sign-in
    main = page.locator("main").inner_text()
    assert "Identity verified" in main
    assert "Springfield ID" in main

    user = User.objects.get(email="ada@example.org")
    assert user.assurance_level == "identity_verified"
    assert user.legal_name == "Ada Lovelace"
    assert user.display_name == "ada"
    record = AssuranceRecord.objects.get(user=user, level="identity_verified")
    assert record.method == AssuranceMethod.OIDC
    assert record.provider_id == oidc_provider.provider_id
    assert record.claims == ["acr"]

    page.goto("/requests/new/permit/")
    axe_check(page)
    assert "We need to be surer who you are" not in page.locator("main").inner_text()


def test_private_key_jwt_client_signs_in(oidc_provider, browser_page, axe_check):
    """The token request authenticates with a JWT signed by the client's private key; the
    provider knows only the public key (and refuses anything else for this client)."""
    page = browser_page
    start_sign_in(page, axe_check, oidc_provider.jwt_provider_id)
    sign_in_at_provider(page, "ada")
    page.wait_for_url("**/account/")
    user = User.objects.get(email="ada@example.org")
    assert user.assurance_level == "identity_verified"
    assert user.assurance_records.get(level="identity_verified").provider_id == (
        oidc_provider.jwt_provider_id
    )


def test_unverified_email_claim_gives_no_level_and_never_links_an_existing_account(
    oidc_provider, citizen, browser_page, axe_check
):
    page = browser_page
    start_sign_in(page, axe_check, oidc_provider.provider_id)
    sign_in_at_provider(page, "eve")
    page.wait_for_url("**/accounts/confirm-email/**")
    axe_check(page)
    eve = User.objects.get(email="eve@example.org")
    assert eve.assurance_level == "none"
    assert not eve.assurance_records.exists()
    assert not eve.emailaddress_set.filter(verified=True).exists()

    # Someone at the provider claims (unverified) the address of Alex's account.
    page.context.clear_cookies()
    start_sign_in(page, axe_check, oidc_provider.provider_id)
    sign_in_at_provider(page, "mallory")
    page.wait_for_load_state()
    assert not citizen.socialaccount_set.exists()
    assert list(citizen.assurance_records.values_list("method", flat=True)) == ["email"]
    page.goto("/account/")
    assert "/accounts/login/" in page.url  # not signed in as Alex


def test_a_callback_with_a_state_this_browser_never_sent_is_refused(
    oidc_provider, browser_page, axe_check
):
    page = browser_page
    start_sign_in(page, axe_check, oidc_provider.provider_id)
    page.goto(
        f"/accounts/oidc/{oidc_provider.provider_id}/login/callback/"
        "?code=stolen-code&state=forged-state"
    )
    page.get_by_role("heading", name="We could not sign you in").wait_for()
    assert "did not start on this site" in page.locator("main").inner_text()
    axe_check(page)
    assert not User.objects.filter(email="ada@example.org").exists()


def test_an_id_token_whose_nonce_is_not_this_sign_ins_is_refused(
    oidc_provider, browser_page, axe_check
):
    """As if the ID token were replayed from another sign-in: the nonce kept for this
    sign-in is changed between the redirect and the callback."""
    from allauth.socialaccount.internal.statekit import STATES_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from townhall.identity.oidc import NONCE_STATE_KEY

    page = browser_page
    start_sign_in(page, axe_check, oidc_provider.provider_id)
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=session_key)
    states = session[STATES_SESSION_KEY]
    for stashed in states.values():
        stashed[0][NONCE_STATE_KEY] = "a-nonce-from-another-sign-in"
    session[STATES_SESSION_KEY] = states
    session.save()

    sign_in_at_provider(page, "ada")
    page.get_by_role("heading", name="We could not sign you in").wait_for()
    assert "nonce did not match" in page.locator("main").inner_text()
    axe_check(page)
    assert not User.objects.filter(email="ada@example.org").exists()


def test_provider_down_mid_sign_in_gives_a_clear_message(oidc_provider, browser_page, axe_check):
    page = browser_page
    start_sign_in(page, axe_check, oidc_provider.provider_id)
    held: list[str] = []

    def hold_the_way_back(route):
        """Let the provider answer the consent, but keep its way back to Townhall."""
        if "prompt=consent" not in (route.request.post_data or ""):
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        location = response.headers.get("location", "")
        while location.startswith(oidc_provider.issuer):
            location = page.context.request.get(location, max_redirects=0).headers.get(
                "location", ""
            )
        if "/login/callback/" in location:
            held.append(location)
            route.abort()
        else:
            route.fulfill(response=response)

    page.route(
        lambda url: url.startswith(oidc_provider.issuer + "/interaction/"), hold_the_way_back
    )
    page.fill("input[name=login]", "ada")
    page.fill("input[name=password]", "anything")
    page.locator("button[type=submit]").click()
    page.locator("button[autofocus], button[type=submit]").first.click()
    page.wait_for_timeout(200)
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the provider never sent the browser back"
    oidc_provider.stop()  # the provider goes down before Townhall asks it for the tokens
    page.goto(held[0])
    page.get_by_role("heading", name="We could not sign you in").wait_for()
    assert "did not answer" in page.locator("main").inner_text()
    axe_check(page)
    assert not User.objects.filter(email="ada@example.org").exists()


def test_an_identity_linked_to_another_account_cannot_be_linked_again(
    oidc_provider, citizen, browser_page, axe_check
):
    page = browser_page
    start_sign_in(page, axe_check, oidc_provider.provider_id)
    sign_in_at_provider(page, "ada")
    page.wait_for_url("**/account/")
    page.context.clear_cookies()

    # Alex, signed in with a password, tries to connect Ada's identity to his account.
    sign_in_with_password(page, citizen.email)
    axe_check(page)
    page.get_by_role("link", name="Verify with Springfield ID", exact=True).click()
    axe_check(page)
    page.get_by_role("button", name="Continue").click()
    sign_in_at_provider(page, "ada")
    # Connecting an identity to an account asks for its password again first.
    page.wait_for_url("**/accounts/reauthenticate/**")
    axe_check(page)
    page.get_by_label("Password").fill("townhall-demo-password")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("already connected to a different account").wait_for()
    assert page.url.endswith("/account/")
    axe_check(page)
    assert not citizen.socialaccount_set.exists()
    citizen.refresh_from_db()
    assert citizen.assurance_level == "email_verified"
