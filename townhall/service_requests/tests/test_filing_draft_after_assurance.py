"""A citizen sent away to reach a service's assurance level gets their half-filled form
back when they return (kept in their session, per service)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from townhall.agencies import actions as agency_actions
from townhall.identity import actions
from townhall.identity.models import AssuranceLevel, AssuranceMethod
from townhall.service_requests.forms import new_idempotency_key
from townhall.service_requests.models import ServiceRequest

pytestmark = pytest.mark.django_db

TYPED = "Every contract for snow clearing in 2025, with the amounts paid."


@pytest.fixture
def strict_service(agency: Any, site_admin: Any) -> Any:
    return agency_actions.add_service(
        by=site_admin,
        agency=agency,
        code="records",
        name="Request your records",
        kind="question",
        required_assurance=AssuranceLevel.IDENTITY_VERIFIED,
    )


def url(service: Any) -> str:
    return reverse("requests:request-file", args=[service.code])


def send_details(client: Client, service: Any, description: str = TYPED) -> Any:
    return client.post(
        url(service),
        {"step": "details", "description": description, "idempotency_key": new_idempotency_key()},
    )


def verify(citizen: Any, site_admin: Any) -> None:
    actions.raise_assurance(
        by=site_admin,
        user=citizen,
        level=AssuranceLevel.IDENTITY_VERIFIED,
        method=AssuranceMethod.ADMIN,
    )


def test_the_half_filled_form_comes_back_after_reaching_the_level(
    client: Client, citizen: Any, strict_service: Any, site_admin: Any
) -> None:
    client.force_login(citizen)

    refused = send_details(client, strict_service)

    assert refused.status_code == 403
    assert "What you typed is kept" in refused.content.decode()
    assert not ServiceRequest.objects.exists()

    verify(citizen, site_admin)
    back = client.get(url(strict_service))

    assert back.status_code == 200
    html = back.content.decode()
    assert TYPED in html
    assert "Welcome back: here is what you had typed." in html
    # Given back once: a later visit starts empty.
    assert TYPED not in client.get(url(strict_service)).content.decode()


def test_the_account_page_offers_the_way_back(
    client: Client, citizen: Any, strict_service: Any, site_admin: Any
) -> None:
    client.force_login(citizen)
    client.get(url(strict_service))

    page = client.get(reverse("identity:account")).content.decode()

    assert "Go back to the form you were filling in" in page
    assert f'href="{url(strict_service)}"' in page

    verify(citizen, site_admin)
    client.get(url(strict_service))
    assert "Go back to the form" not in client.get(reverse("identity:account")).content.decode()


def test_a_draft_belongs_to_its_service(
    client: Client, citizen: Any, strict_service: Any, foi_service: Any, site_admin: Any
) -> None:
    client.force_login(citizen)
    send_details(client, strict_service)
    verify(citizen, site_admin)

    assert TYPED not in client.get(url(foi_service)).content.decode()
    assert TYPED in client.get(url(strict_service)).content.decode()


def test_a_draft_is_never_anothers(
    client: Client, citizen: Any, citizen2: Any, strict_service: Any, site_admin: Any
) -> None:
    client.force_login(citizen)
    send_details(client, strict_service)
    verify(citizen2, site_admin)

    other = Client()
    other.force_login(citizen2)

    assert TYPED not in other.get(url(strict_service)).content.decode()


def test_a_restored_draft_is_escaped(
    client: Client, citizen: Any, strict_service: Any, site_admin: Any
) -> None:
    client.force_login(citizen)
    send_details(client, strict_service, description="<script>alert(1)</script>")
    verify(citizen, site_admin)

    html = client.get(url(strict_service)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_huge_form_is_not_kept(
    client: Client, citizen: Any, strict_service: Any, site_admin: Any
) -> None:
    client.force_login(citizen)

    refused = send_details(client, strict_service, description="x" * 60_000)

    assert refused.status_code == 403
    assert "What you typed is kept" not in refused.content.decode()
    verify(citizen, site_admin)
    assert client.get(url(strict_service)).status_code == 200
