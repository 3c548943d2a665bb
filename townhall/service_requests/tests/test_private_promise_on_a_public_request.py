"""A public request can carry a promise made to its citizen alone: the status page and the
API show it to the citizen and the agency, and to nobody else — not in the list of
promises, not in the timeline (the page reads the request's promises once for both)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from townhall.commitments import actions as commitment_actions
from townhall.commitments.models import CommitmentKind

from .conftest_citizen import page_text, status_url

pytestmark = pytest.mark.django_db

PROMISE = "Call Alex about the access to the garage"


@pytest.fixture
def report(file_pothole: Any, staff_member: Any, agency: Any, citizen: Any) -> Any:
    """Alex's public pothole report, with a private promise made to Alex."""
    request = file_pothole(is_public=True)
    commitment_actions.make_commitment(
        by=staff_member.user,
        agency=agency,
        kind=CommitmentKind.CUSTOM,
        description=PROMISE,
        due_at=timezone.now() + timedelta(days=3),
        made_to=citizen,
        subject=request,
        is_public=False,
    )
    return request


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_anonymous_visitor_sees_the_public_promises_and_not_the_private_one(
    report: Any, django_assert_max_num_queries: Any
) -> None:
    # The request's own row, the request with what the page shows of it, its messages,
    # its commitments (once, for the list and the timeline), the timeline, the files
    # filed with it, the service's questions.
    with django_assert_max_num_queries(7):
        text = page_text(Client().get(status_url(report)))
    assert "acknowledge" in text.lower()
    assert PROMISE not in text


def test_the_citizen_and_the_agency_see_the_private_promise_on_the_page(
    report: Any, citizen: Any, staff_member: Any, staff_client_for: Any
) -> None:
    assert PROMISE in page_text(signed_in(citizen).get(status_url(report)))
    assert PROMISE in page_text(staff_client_for(staff_member.user).get(status_url(report)))


def test_the_api_shows_the_private_promise_to_the_citizen_only(
    report: Any, citizen: Any, citizen2: Any
) -> None:
    url = f"/api/v1/requests/{report.reference}/"

    def promises(client: Any) -> list[str]:
        body = client.get(url).json()
        return [c["description"] for c in body["commitments"] if c["kind"] == "custom"]

    def log(client: Any) -> str:
        return " ".join(entry["summary"] for entry in client.get(url).json()["timeline"])

    assert promises(signed_in(citizen)) == [PROMISE]
    assert PROMISE in log(signed_in(citizen))
    for stranger in (Client(), signed_in(citizen2)):
        assert promises(stranger) == []
        assert PROMISE not in log(stranger)
        assert len(stranger.get(url).json()["commitments"]) == 2  # acknowledge, respond
