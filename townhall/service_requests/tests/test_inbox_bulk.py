"""Bulk assign and bulk close from the queue: managers only, each request through its own
action, refusals counted apart and named."""

from __future__ import annotations

import re
from typing import Any

import pytest

from townhall.service_requests import actions, inbox_forms
from townhall.service_requests.models import Status

from .conftest_inbox import inbox_url, messages_of, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(file_pothole: Any) -> list[Any]:
    return [file_pothole(description=f"Hole {n}") for n in range(4)]


@pytest.fixture
def manager_client(staff_client_for: Any, manager: Any) -> Any:
    return staff_client_for(manager.user)


def refs(requests: list[Any]) -> list[str]:
    return [r.reference for r in requests]


def test_manager_closes_several_requests_and_sees_what_was_refused(
    manager_client: Any, manager: Any, four: list[Any]
) -> None:
    actions.close_request(by=manager.user, request=four[3])
    back = inbox_url("queue") + "?queue=all&sort=oldest"

    response = manager_client.post(
        inbox_url("bulk"),
        {
            "action": "close",
            "requests": refs(four),
            "note": "Fixed in the spring programme.",
            "next": back,
        },
        follow=True,
    )

    assert response.redirect_chain == [(back, 302)]
    assert messages_of(response) == [
        f"3 closed, 1 refused: {four[3].reference}: This request is already closed."
    ]
    for sr in four[:3]:
        sr.refresh_from_db()
        assert sr.status == Status.CLOSED
        assert sr.status_reason == "Fixed in the spring programme."


def test_manager_assigns_several_requests_to_a_colleague(
    manager_client: Any, colleague: Any, four: list[Any]
) -> None:
    response = manager_client.post(
        inbox_url("bulk"),
        {"action": "assign", "requests": refs(four[:2]), "assignee": colleague.pk},
        follow=True,
    )

    assert messages_of(response) == ["2 assigned to Kim Osei."]
    for sr in four[:2]:
        sr.refresh_from_db()
        assert sr.assignee == colleague
    four[2].refresh_from_db()
    assert four[2].assignee is None


def test_bulk_assign_needs_a_person(manager_client: Any, four: list[Any]) -> None:
    response = manager_client.post(
        inbox_url("bulk"),
        {
            "action": "assign",
            "requests": refs(four[:2]),
            "next": inbox_url("queue") + "?queue=all",
        },
    )

    assert response.status_code == 200
    assert "Assign to: Choose the person to assign the requests to." in page_text(response)
    # The ticked boxes stay ticked, and only those.
    page = response.content.decode()
    boxes = re.findall(r'<input class="usa-checkbox__input"[^>]*>', page)
    assert len(boxes) == len(four)
    ticked = {re.search(r'value="([^"]+)"', box)[1] for box in boxes if " checked" in box}
    assert ticked == set(refs(four[:2]))


def test_bulk_without_any_request_selected_is_explained(manager_client: Any, four: Any) -> None:
    response = manager_client.post(inbox_url("bulk"), {"action": "close"})

    assert response.status_code == 200
    assert "Select at least one request." in page_text(response)


def test_staff_member_cannot_act_in_bulk(sam_client: Any, four: list[Any]) -> None:
    response = sam_client.post(inbox_url("bulk"), {"action": "close", "requests": refs(four)})

    assert response.status_code == 403
    assert "Only managers and administrators can close requests in bulk." in page_text(response)
    for sr in four:
        sr.refresh_from_db()
        assert sr.status == Status.SUBMITTED


def test_requests_of_another_agency_cannot_be_chosen(
    manager_client: Any, other_agency: Any, site_admin: Any, citizen: Any, four: list[Any]
) -> None:
    from townhall.agencies import actions as agency_actions

    bench = agency_actions.add_service(
        by=site_admin, agency=other_agency, code="bench", name="Broken bench"
    )
    theirs = actions.file_request(by=citizen, service=bench, description="Bench broken.")

    response = manager_client.post(
        inbox_url("bulk"), {"action": "close", "requests": [four[0].reference, theirs.reference]}
    )

    assert response.status_code == 200
    assert f"{theirs.reference} is not a request you can work on." in page_text(response)
    theirs.refresh_from_db()
    four[0].refresh_from_db()
    assert theirs.status == Status.SUBMITTED
    assert four[0].status == Status.SUBMITTED


def test_odd_bulk_input_never_breaks_the_page(manager_client: Any, four: list[Any]) -> None:
    for data in [
        {"action": "explode", "requests": refs(four)},
        {"action": "close", "requests": ["a\x00b"]},
        {"action": "close", "requests": ["' OR 1=1 --"]},
        {"action": "assign", "requests": refs(four), "assignee": "\x00"},
        {"action": "close", "requests": refs(four), "note": "x" * 5000},
        {"action": "close", "requests": refs(four), "next": "https://evil.example/"},
    ]:
        response = manager_client.post(inbox_url("bulk"), data)
        assert response.status_code in (200, 302), data
        if response.status_code == 302:
            assert response["Location"].startswith("/inbox/"), data


def test_bulk_is_limited_in_size(
    manager_client: Any, four: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_forms, "BULK_MAX", 3)

    refused = manager_client.post(inbox_url("bulk"), {"action": "close", "requests": refs(four)})
    # The same request ticked twice counts once.
    done = manager_client.post(
        inbox_url("bulk"), {"action": "close", "requests": refs(four[:3]) * 5}
    )

    assert refused.status_code == 200
    assert "Select at most 3 requests at a time." in page_text(refused)
    assert done.status_code == 302


def test_an_unsafe_next_address_goes_back_to_the_queue(
    manager_client: Any, four: list[Any]
) -> None:
    response = manager_client.post(
        inbox_url("bulk"),
        {"action": "close", "requests": refs(four[:1]), "next": "//evil.example/inbox/"},
    )

    assert response["Location"] == inbox_url("queue")


def test_a_double_submitted_bulk_close_closes_once_and_reports_no_refusals(
    manager_client: Any, four: list[Any]
) -> None:
    token = (
        manager_client.get(inbox_url("queue"), {"queue": "all"})
        .context["bulk_form"]["submission"]
        .value()
    )
    data = {"action": "close", "requests": refs(four), "submission": token}

    first = manager_client.post(inbox_url("bulk"), data, follow=True)
    second = manager_client.post(inbox_url("bulk"), data, follow=True)

    assert messages_of(first) == ["4 closed."]
    assert messages_of(second) == ["That form was sent twice; it was done once."]
