"""Shared fixtures. Data is built through actions, the way the product builds it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests check behaviour, not speed: on a busy CI machine (two test workers and a
# browser) one example can take longer than Hypothesis's default 200 ms deadline.
hypothesis_settings.register_profile("townhall", deadline=None)
hypothesis_settings.load_profile("townhall")

DEMO_PASSWORD = "townhall-demo-password"

# Fixtures of the moderation tests (a discussion, moderators), used by several apps' tests.
pytest_plugins = ["townhall.conversations.tests.moderation_fixtures"]


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Rate limits, throttles and used TOTP codes live in the cache: every test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def temporary_media(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Files a test stores (the demo's consultation document, attachments) go to a
    temporary folder, never into the checkout's var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Signing in as a Spanish speaker switches the thread to Spanish: switch back."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_user(db: Any) -> Any:
    from allauth.account.models import EmailAddress

    from townhall.identity import actions
    from townhall.identity.models import User

    def make(email: str, display_name: str = "", verified: bool = True, **extra: Any) -> User:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            display_name=display_name or email.split("@")[0].title(),
            **extra,
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
        if verified:
            actions.mark_email_verified(user=user)
        return user

    return make


@pytest.fixture
def citizen(make_user: Any) -> Any:
    return make_user("alex@example.org", "Alex Park")


@pytest.fixture
def citizen2(make_user: Any) -> Any:
    return make_user("bea@example.org", "Bea Lopez")


@pytest.fixture
def site_admin(make_user: Any) -> Any:
    """A site administrator who has set up a security key, as every one must."""
    admin = make_user("root@example.org", "Site Admin", is_superuser=True, is_staff=True)
    _give_second_factor(admin)
    return admin


@pytest.fixture
def agency(site_admin: Any) -> Any:
    from townhall.agencies import actions

    return actions.create_agency(
        by=site_admin,
        name="Public Works",
        purpose="Keep Springfield's streets, water and waste running.",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
    )


@pytest.fixture
def other_agency(site_admin: Any) -> Any:
    from townhall.agencies import actions

    return actions.create_agency(
        by=site_admin,
        name="Parks and Recreation",
        purpose="Parks everyone can enjoy.",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
    )


@pytest.fixture
def staff_member(make_user: Any, agency: Any, site_admin: Any) -> Any:
    """A Public Works staff member (returns the membership; `.user` is the account)."""
    from townhall.agencies import actions

    user = make_user("sam@example.org", "sammy")
    return actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=user,
        public_name="Sam Rivera",
        job_title="Road Maintenance Supervisor",
    )


def _give_second_factor(user: Any) -> None:
    """Staff pages need a second factor: give the account a security key (WebAuthn; an
    authenticator app counts only where the agency allows it, decision 0016). Just enough
    of a stored key for pages that list it."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        defaults={
            "data": {
                "name": "Security key",
                "credential": {"clientExtensionResults": {"credProps": {"rk": False}}},
            }
        },
    )


@pytest.fixture
def sign_in_staff(client: Any) -> Any:
    """Sign a staff member's account in with `client` (given a second factor first)."""

    def sign_in(user: Any) -> Any:
        _give_second_factor(user)
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def staff_client_for(db: Any) -> Any:
    """A fresh signed-in client for any staff account (several people at once)."""
    from django.test import Client

    def make(user: Any) -> Client:
        _give_second_factor(user)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def team(agency: Any, site_admin: Any) -> Any:
    """The Streets team of Public Works."""
    from townhall.agencies import actions

    return actions.create_team(by=site_admin, agency=agency, name="Streets")


@pytest.fixture
def manager(make_user: Any, agency: Any, site_admin: Any, team: Any) -> Any:
    """Lee Chen, the Streets team's manager at Public Works (the membership)."""
    from townhall.agencies import actions
    from townhall.agencies.models import StaffRole

    return actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=make_user("lee@example.org", "Lee"),
        public_name="Lee Chen",
        job_title="Streets Manager",
        role=StaffRole.MANAGER,
        teams=[team],
    )


@pytest.fixture
def colleague(make_user: Any, agency: Any, site_admin: Any) -> Any:
    """Kim Osei, another Public Works staff member (the membership)."""
    from townhall.agencies import actions

    return actions.add_staff_member(
        by=site_admin,
        agency=agency,
        user=make_user("kim@example.org", "Kim"),
        public_name="Kim Osei",
        job_title="Inspector",
    )


@pytest.fixture
def other_staff(make_user: Any, other_agency: Any, site_admin: Any) -> Any:
    """Pat Green of Parks and Recreation (the membership): an unrelated agency."""
    from townhall.agencies import actions

    return actions.add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=make_user("pat@example.org", "Pat"),
        public_name="Pat Green",
        job_title="Ranger",
    )


@pytest.fixture
def pothole_service(agency: Any, site_admin: Any) -> Any:
    """Report a pothole: needs a location, private by default, acknowledge 2 / answer 5."""
    from townhall.agencies import actions
    from townhall.agencies.models import ServiceKind

    service = actions.add_service(
        by=site_admin,
        agency=agency,
        code="pothole",
        name="Report a pothole",
        kind=ServiceKind.PROBLEM_REPORT,
        keywords="pothole, road, street",
        group="Streets",
        location_required=True,
        acknowledge_working_days=2,
        respond_working_days=5,
    )
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="size",
        description="How big is it?",
        datatype="singlevaluelist",
        required=True,
        values=[
            {"key": "small", "name": "Smaller than a plate"},
            {"key": "large", "name": "Larger"},
        ],
    )
    return service


@pytest.fixture
def foi_service(agency: Any, site_admin: Any) -> Any:
    """A freedom-of-information request: public, 5 / 20 working days, 10-day extension."""
    from townhall.agencies import actions
    from townhall.agencies.models import ServiceKind

    return actions.add_service(
        by=site_admin,
        agency=agency,
        code="foi-public-works",
        name="Freedom of information request",
        kind=ServiceKind.FOI_REQUEST,
        acknowledge_working_days=5,
        respond_working_days=20,
    )


@pytest.fixture
def file_pothole(citizen: Any, pothole_service: Any) -> Any:
    """File a pothole report through the action as `by` (default: the citizen Alex)."""
    from townhall.service_requests import actions

    def file(by: Any = None, **extra: Any) -> Any:
        fields: dict[str, Any] = {
            "description": "Deep pothole outside number 12, cyclists swerve around it.",
            "answers": {"size": "large"},
            "latitude": "39.7817",
            "longitude": "-89.6501",
            "address": "12 Monroe St",
        }
        fields.update(extra)
        return actions.file_request(by=by or citizen, service=pothole_service, **fields)

    return file


@pytest.fixture
def pothole_request(file_pothole: Any) -> Any:
    """Alex's private pothole report, just filed (submitted)."""
    return file_pothole()


@pytest.fixture
def foi_request(citizen: Any, foi_service: Any) -> Any:
    """Alex's public FOI request, just filed (submitted)."""
    from townhall.service_requests import actions

    return actions.file_request(
        by=citizen, service=foi_service, description="Every road repair contract of 2025."
    )


@pytest.fixture(autouse=True)
def browser_staff_may_use_an_authenticator_app(request: pytest.FixtureRequest) -> None:
    """Browser tests sign staff in with an authenticator app (TOTP), which counts only
    where the agency allows it (decision 0016): in browser tests, Public Works does."""
    if request.node.get_closest_marker("browser") is None or "agency" not in request.fixturenames:
        return
    from townhall.agencies.actions import update_agency

    update_agency(
        by=request.getfixturevalue("site_admin"),
        agency=request.getfixturevalue("agency"),
        changes={"allow_totp_for_staff": True},
    )


@pytest.fixture
def browser_page(live_server: Any) -> Iterator[Any]:
    """A real Chromium page (Debian's /usr/bin/chromium, driven by Playwright)."""
    chromium_path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(chromium_path):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {chromium_path}; browser tests cannot run in CI.")
        pytest.skip(f"Chromium is missing at {chromium_path} (run make test to install it).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still plain synchronous calls.
    from playwright.sync_api import sync_playwright

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            monkeypatch.undo()


@pytest.fixture
def axe_check() -> Any:
    """Run axe-core in the page and fail with the list of violations, if any."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: Any) -> None:
        results = axe.run(page)
        violations = results.response.get("violations", [])
        summary = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
            f"{[n.get('target') for n in v['nodes']][:3]})"
            for v in violations
        ]
        assert not summary, "axe found accessibility violations:\n" + "\n".join(summary)

    return check


@pytest.fixture(scope="session", autouse=True)
def close_stray_database_sessions(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Let the test database be dropped at the end on PostgreSQL.

    Live-server threads of the browser tests can leave a session open on the test
    database; PostgreSQL then refuses to drop it and the run leaves it behind.
    """
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connection.close()
