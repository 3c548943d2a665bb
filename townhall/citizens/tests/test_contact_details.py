"""The joined-up view shows a citizen's contact details (email address, language, how
often they hear from us) only to staff of an agency that holds a record of the citizen: a
request filed with it, a conversation with it, a promise it made them. Other staff see the
display name and assurance level only. The REST timeline never carries contact details."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from townhall.citizens import actions as citizen_actions

pytestmark = pytest.mark.django_db

EMAIL = "alex@example.org"
WITHHELD = "Shown only to staff of an agency that holds a record of this citizen"


@pytest.fixture
def api_as(db: Any) -> Any:
    from townhall.identity.actions import issue_api_token

    def make(persona: Any) -> APIClient:
        _token, key = issue_api_token(by=persona.user, user=persona.user, name="T", via="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


def _page(staff_client_for: Any, persona: Any, citizen: Any) -> str:
    client: Client = staff_client_for(persona.user)
    response = client.get(f"/citizens/{citizen.pk}/", {"reason": "answering_request"})
    assert response.status_code == 200
    return response.content.decode()


def test_staff_of_the_agency_handling_their_request_see_the_email_address(
    staff_client_for: Any, staff_member: Any, citizen: Any, pothole_request: Any
) -> None:
    body = _page(staff_client_for, staff_member, citizen)
    assert EMAIL in body
    assert "Preferred language" in body
    assert WITHHELD not in body


def test_staff_of_an_agency_without_a_record_see_name_and_level_only(
    staff_client_for: Any, other_staff: Any, citizen: Any, pothole_request: Any, foi_request: Any
) -> None:
    body = _page(staff_client_for, other_staff, citizen)
    assert EMAIL not in body
    assert "Alex Park" in body
    assert "Email verified" in body  # the assurance level
    assert WITHHELD in body
    assert "Preferred language" not in body
    assert "Email notifications" not in body


def test_a_citizen_with_no_records_at_all_shows_no_email_to_any_staff(
    staff_client_for: Any, staff_member: Any, citizen: Any
) -> None:
    body = _page(staff_client_for, staff_member, citizen)
    assert EMAIL not in body
    assert WITHHELD in body


def test_a_conversation_with_a_team_of_the_agency_is_a_record(
    staff_client_for: Any, staff_member: Any, other_staff: Any, citizen: Any, team: Any
) -> None:
    from townhall.conversations.actions import start_conversation

    start_conversation(by=citizen, subject="Street lights", body="Out on Elm St.", team=team)
    assert EMAIL in _page(staff_client_for, staff_member, citizen)
    assert EMAIL not in _page(staff_client_for, other_staff, citizen)


def test_a_conversation_with_a_named_staff_member_is_a_record_of_their_agency(
    staff_client_for: Any, staff_member: Any, colleague: Any, other_staff: Any, citizen: Any
) -> None:
    from townhall.conversations.actions import start_conversation

    start_conversation(by=citizen, subject="Bins", body="Not collected.", staff=colleague)
    assert EMAIL in _page(staff_client_for, staff_member, citizen)
    assert EMAIL not in _page(staff_client_for, other_staff, citizen)


def test_a_request_at_another_agency_gives_only_that_agency_the_email(
    staff_client_for: Any,
    staff_member: Any,
    other_staff: Any,
    citizen: Any,
    parks_request: Any,
) -> None:
    assert EMAIL in _page(staff_client_for, other_staff, citizen)
    assert EMAIL not in _page(staff_client_for, staff_member, citizen)


def test_joining_up_records_does_not_hand_out_contact_details(
    staff_client_for: Any, other_staff: Any, citizen: Any, pothole_request: Any
) -> None:
    citizen_actions.set_join_up_consent(by=citizen, citizen=citizen, is_on=True)
    body = _page(staff_client_for, other_staff, citizen)
    assert pothole_request.reference in body  # the joined-up records are there...
    assert EMAIL not in body  # ...but the address stays with agencies that hold a record


def test_the_email_of_another_citizen_is_not_shown_for_a_record_of_the_first(
    staff_client_for: Any, staff_member: Any, citizen: Any, citizen2: Any, pothole_request: Any
) -> None:
    body = _page(staff_client_for, staff_member, citizen2)
    assert "bea@example.org" not in body
    assert EMAIL not in body


def test_the_page_costs_the_same_whatever_the_number_of_records(
    staff_client_for: Any,
    staff_member: Any,
    other_staff: Any,
    citizen: Any,
    file_pothole: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = staff_client_for(other_staff.user)
    client.get(f"/citizens/{citizen.pk}/", {"reason": "answering_request"})
    for _n in range(3):
        file_pothole()
    with django_assert_max_num_queries(30) as few:
        client.get(f"/citizens/{citizen.pk}/")
    for _n in range(5):
        file_pothole()
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(f"/citizens/{citizen.pk}/").content.decode()
    assert EMAIL not in body


def test_the_rest_timeline_never_carries_the_email_address(
    api_as: Any,
    staff_member: Any,
    other_staff: Any,
    citizen: Any,
    pothole_request: Any,
    foi_request: Any,
) -> None:
    url = f"/api/v1/citizens/{citizen.pk}/timeline/?reason=answering_request"
    for persona in (staff_member, other_staff):
        response = api_as(persona).get(url)
        assert response.status_code == 200
        data = response.json()
        assert data["results"], "the timeline lists the citizen's records"
        assert EMAIL not in json.dumps(data)


def test_the_rest_timeline_is_still_refused_to_citizens(
    citizen: Any, citizen2: Any, pothole_request: Any
) -> None:
    from townhall.identity.actions import issue_api_token

    _token, key = issue_api_token(by=citizen2, user=citizen2, name="T", via="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.get(f"/api/v1/citizens/{citizen.pk}/timeline/?reason=other")
    assert response.status_code == 404
    assert EMAIL not in response.content.decode()
