"""API keys: issued and revoked by site administrators only, stored as a hash, shown once;
the demo city's application has the key `demo-open311-key`."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from .conftest import BASE


def test_issuing_keeps_only_a_hash_of_the_key(site_admin: Any) -> None:
    from townhall.open311.actions import issue_application

    application, key = issue_application(
        by=site_admin, name="Citizen app", contact_email="dev@app.example"
    )

    assert key.startswith("o311_") and len(key) > 30
    assert key not in application.key_hash
    assert application.key_prefix == key[:8]
    assert application.account.has_perm("service_requests.file_for_contact")
    assert not application.account.has_usable_password()


def test_only_site_administrators_issue_or_revoke_keys(
    citizen: Any, staff_member: Any, application: Any
) -> None:
    from townhall.open311.actions import issue_application, revoke_application

    for person in (citizen, staff_member.user):
        with pytest.raises(PermissionDenied):
            issue_application(by=person, name="Mine", contact_email="me@example.org")
        with pytest.raises(PermissionDenied):
            revoke_application(by=person, application=application)
    application.refresh_from_db()
    assert application.is_active


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"name": ""}, "name"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"rate_limit_per_minute": 0}, "rate_limit_per_minute"),
    ],
)
def test_bad_application_details_are_refused(
    site_admin: Any, fields: dict[str, Any], key: str
) -> None:
    from townhall.open311.actions import issue_application
    from townhall.open311.models import Open311Application

    details = {"name": "App", "contact_email": "dev@app.example", **fields}

    with pytest.raises(ValidationError) as refused:
        issue_application(by=site_admin, **details)

    assert key in refused.value.message_dict
    assert not Open311Application.objects.exists()


def test_revoking_stops_the_key_and_the_account(site_admin: Any, application: Any) -> None:
    from townhall.open311.actions import revoke_application

    revoke_application(by=site_admin, application=application)

    application.refresh_from_db()
    application.account.refresh_from_db()
    assert not application.is_active
    assert not application.account.is_active


def test_the_admin_issues_a_key_and_shows_it_once(client: Any, site_admin: Any) -> None:
    from townhall.open311.models import Open311Application

    client.force_login(site_admin)
    response = client.post(
        "/admin/open311/open311application/add/",
        {"name": "Call centre", "contact_email": "cc@city.example", "rate_limit_per_minute": 30},
        follow=True,
    )

    application = Open311Application.objects.get()
    shown = [str(message) for message in response.context["messages"]]
    assert any(application.key_prefix in message for message in shown)
    page = client.get(f"/admin/open311/open311application/{application.pk}/change/")
    assert page.status_code == 200
    assert application.key_hash not in page.content.decode()


def test_the_admin_revokes_with_an_action(client: Any, site_admin: Any, application: Any) -> None:
    client.force_login(site_admin)

    client.post(
        "/admin/open311/open311application/",
        {"action": "revoke", "_selected_action": [application.pk]},
    )

    application.refresh_from_db()
    assert not application.is_active


def test_the_demo_city_has_the_documented_demo_key(client: Any, db: Any) -> None:
    call_command("demo", verbosity=0)
    call_command("demo_open311", verbosity=0)
    call_command("demo_open311", "--if-empty", verbosity=0)

    services = client.get(f"{BASE}/services.json", {"api_key": "demo-open311-key"})

    assert services.status_code == 200
    assert len(services.json()) > 3
