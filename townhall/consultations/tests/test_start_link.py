"""The "New consultation" button shows only to people whose account works for an agency:
a citizen or a site administrator without a work persona is not offered a page that would
refuse them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _shows_button(client: Client) -> bool:
    return "New consultation" in client.get("/consultations/").content.decode()


def test_staff_of_an_agency_see_the_button(staff_client_for: Any, staff_member: Any) -> None:
    assert _shows_button(staff_client_for(staff_member.user))


def test_a_site_administrator_without_a_persona_does_not(
    staff_client_for: Any, site_admin: Any
) -> None:
    client = staff_client_for(site_admin)
    assert not _shows_button(client)
    assert client.get("/consultations/new/").status_code == 403


def test_citizens_and_visitors_do_not(client: Client, citizen: Any) -> None:
    assert not _shows_button(client)
    client.force_login(citizen)
    assert not _shows_button(client)
