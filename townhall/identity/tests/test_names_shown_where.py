"""A public display name everywhere in public; the legal name only to the staff handling
a request of a service that needs it (decision 0016). The account page previews both."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from townhall.identity import actions

pytestmark = pytest.mark.django_db

LEGAL = "Alexandra Quintessa Park"


@pytest.fixture
def named(citizen: Any) -> Any:
    """Alex, with a legal name on the account."""
    return actions.update_profile(
        by=citizen,
        user=citizen,
        display_name="Alex Park",
        legal_name=LEGAL,
        preferred_language="en",
    )


def test_a_citizen_sets_the_two_names_separately_and_sees_the_preview(
    client: Client, citizen: Any
) -> None:
    client.force_login(citizen)
    response = client.post(
        reverse("identity:profile-edit"),
        {"display_name": "Lexi", "legal_name": LEGAL, "preferred_language": "en"},
    )
    assert response.status_code == 302

    page = client.get(reverse("identity:account")).content.decode()

    assert "What others see" in page
    assert page.count('class="townhall-preview-public">Lexi<') == 3
    assert LEGAL in page  # the person sees their own legal name, and where it is used
    assert "Your legal name never appears on public pages" in page


def test_the_preview_escapes_hostile_names(client: Client, citizen: Any) -> None:
    actions.update_profile(
        by=citizen,
        user=citizen,
        display_name="<script>alert(1)</script>",
        legal_name="<img src=x onerror=alert(2)>",
        preferred_language="en",
    )
    client.force_login(citizen)

    page = client.get(reverse("identity:profile-edit")).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page


def test_the_legal_name_is_not_on_the_public_request_page(
    client: Client, named: Any, foi_request: Any
) -> None:
    page = client.get(foi_request.get_absolute_url())

    assert page.status_code == 200
    assert LEGAL not in page.content.decode()


def test_the_legal_name_is_not_in_the_public_apis(
    client: Client, named: Any, foi_request: Any, citizen2: Any
) -> None:
    """Read by another citizen (REST API, with a token) and by anyone (Open311)."""
    _token, key = actions.issue_api_token(by=citizen2, user=citizen2, name="t", via="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    for path in [
        "/api/v1/requests/",
        f"/api/v1/requests/{foi_request.reference}/",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert LEGAL not in response.content.decode(), path


def test_the_legal_name_is_not_in_discussions(client: Client, named: Any, discussion: Any) -> None:
    page = client.get(discussion.get_absolute_url())

    assert page.status_code == 200
    assert "Alex Park" in page.content.decode()
    assert LEGAL not in page.content.decode()


def test_staff_handling_an_foi_request_see_the_legal_name(
    staff_client_for: Any, staff_member: Any, named: Any, foi_request: Any
) -> None:
    client = staff_client_for(staff_member.user)

    page = client.get(reverse("inbox:request", args=[foi_request.reference]))

    assert page.status_code == 200
    assert f"Legal name: {LEGAL}" in page.content.decode()


def test_staff_do_not_see_the_legal_name_where_the_service_does_not_need_it(
    staff_client_for: Any, staff_member: Any, named: Any, pothole_request: Any
) -> None:
    client = staff_client_for(staff_member.user)

    page = client.get(reverse("inbox:request", args=[pothole_request.reference]))

    assert page.status_code == 200
    assert LEGAL not in page.content.decode()


def test_staff_of_another_agency_see_nothing_of_the_request(
    staff_client_for: Any, other_staff: Any, named: Any, foi_request: Any
) -> None:
    client = staff_client_for(other_staff.user)

    page = client.get(reverse("inbox:request", args=[foi_request.reference]))

    assert LEGAL not in page.content.decode()
