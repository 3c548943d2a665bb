"""The inbox's request page links to the requester's joined-up record only for someone who
may open it (staff with a work persona); a site administrator without one is not sent to a
page that does not exist for them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_staff_get_the_link_and_it_opens(
    file_pothole: Any, staff_member: Any, staff_client_for: Any
) -> None:
    request = file_pothole()
    client = staff_client_for(staff_member.user)
    page = client.get(reverse("inbox:request", args=[request.reference])).content.decode()
    record = reverse("citizens:citizen-record", args=[request.requester_id])
    assert f'href="{record}?subject={request.reference}"' in page
    assert client.get(f"{record}?subject={request.reference}").status_code == 200


def test_a_site_administrator_without_a_persona_gets_no_dead_link(
    file_pothole: Any, site_admin: Any, staff_client_for: Any
) -> None:
    request = file_pothole()
    client = staff_client_for(site_admin)
    response = client.get(reverse("inbox:request", args=[request.reference]))
    assert response.status_code == 200
    record = reverse("citizens:citizen-record", args=[request.requester_id])
    assert record not in response.content.decode()
    assert request.reference in response.content.decode()
