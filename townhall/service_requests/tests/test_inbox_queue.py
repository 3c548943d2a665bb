"""The inbox queues: mine, my teams, unassigned, at risk, overdue, waiting, all — with
their counts, filters, order and pages, at a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from townhall.agencies import actions as agency_actions
from townhall.commitments.models import Commitment
from townhall.service_requests import actions
from townhall.service_requests.inbox_views import PAGE_SIZE

from .conftest_inbox import inbox_url, page_text

pytestmark = pytest.mark.django_db


def shown(response: Any) -> list[str]:
    return [row.reference for row in response.context["page"].object_list]


def counts(response: Any) -> dict[str, int]:
    return {name: count for name, _label, count in response.context["counts"]}


def get(client: Any, **params: Any) -> Any:
    response = client.get(inbox_url("queue"), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def city(
    sam_on_streets: Any,
    colleague: Any,
    team: Any,
    file_pothole: Any,
    citizen2: Any,
    foi_request: Any,
) -> dict[str, Any]:
    """Requests in every queue: Sam's, Kim's, the Streets team's, unassigned, waiting."""
    mine = file_pothole(description="Hole on Adams St, mine.")
    actions.take_request(by=sam_on_streets.user, request=mine)
    kims = file_pothole(by=citizen2, description="Hole on Jefferson St, Kim's.")
    actions.take_request(by=colleague.user, request=kims)
    streets = file_pothole(description="Hole on Lincoln Ave, the team's.")
    actions.assign_request(by=sam_on_streets.user, request=streets, team=team)
    waiting = file_pothole(description="Hole somewhere, waiting.")
    actions.request_clarification(by=sam_on_streets.user, request=waiting, body="Where exactly?")
    closed = file_pothole(description="Hole fixed already.")
    actions.take_request(by=sam_on_streets.user, request=closed)
    actions.close_request(by=sam_on_streets.user, request=closed)
    return {
        "mine": mine,
        "kims": kims,
        "streets": streets,
        "waiting": waiting,
        "closed": closed,
        "foi": foi_request,
    }


def test_default_queue_is_mine_with_open_requests_only(sam_client: Any, city: Any) -> None:
    response = get(sam_client)

    assert response.context["queue"] == "mine"
    assert shown(response) == [city["mine"].reference]
    assert "Inbox: Mine" in page_text(response)


def test_each_queue_lists_its_requests_and_the_navigation_counts_them(
    sam_client: Any, city: Any
) -> None:
    response = get(sam_client)

    assert counts(response) == {
        "mine": 1,
        "team": 1,
        "unassigned": 3,  # the team's, the waiting one, the FOI request
        "at_risk": 0,
        "overdue": 0,
        "waiting": 1,
        "all": 6,
    }
    assert set(shown(get(sam_client, queue="team"))) == {city["streets"].reference}
    assert set(shown(get(sam_client, queue="unassigned"))) == {
        city["streets"].reference,
        city["waiting"].reference,
        city["foi"].reference,
    }
    assert shown(get(sam_client, queue="waiting")) == [city["waiting"].reference]
    assert len(shown(get(sam_client, queue="all"))) == 6
    text = page_text(response)
    assert "Unassigned 3 requests" in text
    assert "Waiting for the citizen 1 request" in text


def test_overdue_queue_lists_requests_whose_answer_is_late(
    sam_client: Any, sam_on_streets: Any, city: Any
) -> None:
    late = city["kims"]
    Commitment.objects.filter(subject_id=str(late.pk)).update(
        due_at=timezone.now() - dt.timedelta(days=2)
    )
    type(late).objects.filter(pk=late.pk).update(expected_at=timezone.now() - dt.timedelta(days=2))

    response = get(sam_client, queue="overdue")

    assert shown(response) == [late.reference]
    assert "Overdue" in page_text(response)


def test_at_risk_queue_lists_requests_due_within_a_working_day(sam_client: Any, city: Any) -> None:
    soon = city["streets"]
    Commitment.objects.filter(subject_id=str(soon.pk), kind="respond").update(
        due_at=timezone.now() + dt.timedelta(minutes=30)
    )

    response = get(sam_client, queue="at_risk")

    assert shown(response) == [soon.reference]
    assert counts(response)["at_risk"] == 1


def test_filters_by_status_service_team_and_text(
    sam_client: Any, team: Any, foi_service: Any, city: Any
) -> None:
    assert shown(get(sam_client, queue="all", status="waiting_for_citizen")) == [
        city["waiting"].reference
    ]
    assert shown(get(sam_client, queue="all", service=foi_service.code)) == [city["foi"].reference]
    assert shown(get(sam_client, queue="all", team=team.pk)) == [city["streets"].reference]
    assert shown(get(sam_client, queue="all", q="jefferson")) == [city["kims"].reference]
    assert shown(get(sam_client, queue="all", q=city["closed"].reference)) == [
        city["closed"].reference
    ]


def test_filters_combine_and_the_empty_result_says_so(sam_client: Any, city: Any) -> None:
    response = get(sam_client, queue="all", q="jefferson", status="closed")

    assert shown(response) == []
    assert "No request in this queue matches these filters." in page_text(response)
    assert "Clear the filters" in page_text(response)


def test_empty_inbox_says_there_is_nothing(sam_client: Any) -> None:
    response = get(sam_client)

    assert "There is no request in this queue." in page_text(response)
    assert set(counts(response).values()) == {0}


def test_sort_orders(sam_client: Any, file_pothole: Any) -> None:
    base = timezone.now()
    made = []
    for days in (3, 1, 2):
        sr = file_pothole(description=f"Hole {days}")
        type(sr).objects.filter(pk=sr.pk).update(
            submitted_at=base - dt.timedelta(days=days),
            expected_at=base + dt.timedelta(days=10 - days),
        )
        made.append(sr.reference)
    three, one, two = made

    assert shown(get(sam_client, queue="all", sort="newest")) == [one, two, three]
    assert shown(get(sam_client, queue="all", sort="oldest")) == [three, two, one]
    assert shown(get(sam_client, queue="all", sort="due")) == [three, two, one]


@pytest.mark.parametrize(
    "params",
    [
        {"queue": "nonsense"},
        {"status": "<script>alert(1)</script>"},
        {"service": "no-such-service"},
        {"service": "a\x00b"},
        {"team": "abc"},
        {"team": "99999999999999999999999"},
        {"team": "\x00"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
        {"q": "' OR 1=1 --"},
        {"q": "%_%"},
        {"sort": "password"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"page": "abc"},
    ],
)
def test_odd_filters_never_break_the_page(
    sam_client: Any, city: Any, params: dict[str, str]
) -> None:
    response = sam_client.get(inbox_url("queue"), params)

    assert response.status_code == 200


def test_a_wrong_filter_is_explained_and_the_others_still_apply(sam_client: Any, city: Any) -> None:
    response = get(sam_client, queue="all", q="jefferson", status="bogus")

    assert "There is a problem" in page_text(response)
    assert "Status: Choose a status from the list." in page_text(response)
    assert shown(response) == [city["kims"].reference]


def test_sql_like_search_matches_literally(sam_client: Any, file_pothole: Any) -> None:
    file_pothole(description="100% of the road is broken")
    file_pothole(description="Nothing special")

    assert len(shown(get(sam_client, queue="all", q="100%"))) == 1
    assert len(shown(get(sam_client, queue="all", q="' OR 1=1 --"))) == 0


def test_a_long_queue_is_paginated_fifty_a_page(sam_client: Any, file_pothole: Any) -> None:
    for number in range(PAGE_SIZE + 3):
        file_pothole(description=f"Hole number {number}")

    first = get(sam_client, queue="all")
    second = get(sam_client, queue="all", page=2)

    assert len(shown(first)) == PAGE_SIZE
    assert len(shown(second)) == 3
    assert not set(shown(first)) & set(shown(second))
    assert "page=2" in first.content.decode()
    assert f"{PAGE_SIZE + 3} requests, page 1 of 2" in page_text(first)


def test_queue_costs_a_fixed_number_of_queries_whatever_the_data_size(
    sam_client: Any,
    sam_on_streets: Any,
    team: Any,
    file_pothole: Any,
    django_assert_max_num_queries: Any,
) -> None:
    def load(**params: Any) -> None:
        assert sam_client.get(inbox_url("queue"), params).status_code == 200

    first = file_pothole(description="The only one")
    actions.take_request(by=sam_on_streets.user, request=first)
    load()  # warm caches (content types, sessions)
    small = {}
    for queue in ("mine", "all", "at_risk", "overdue"):
        with django_assert_max_num_queries(40) as captured:
            load(queue=queue, q="hole")
        small[queue] = len(captured.captured_queries)

    for number in range(60):
        sr = file_pothole(description=f"Hole {number}")
        if number % 2:
            actions.take_request(by=sam_on_streets.user, request=sr)
        if number % 3 == 0:
            actions.assign_request(by=sam_on_streets.user, request=sr, team=team)

    for queue in ("mine", "all", "at_risk", "overdue"):
        with django_assert_max_num_queries(small[queue]):
            load(queue=queue, q="hole")


def test_manager_sees_checkboxes_and_staff_do_not(
    sam_client: Any, staff_client_for: Any, manager: Any, city: Any
) -> None:
    staff_page = get(sam_client, queue="all")
    manager_page = get(staff_client_for(manager.user), queue="all")

    assert 'name="requests"' not in staff_page.content.decode()
    assert staff_page.context["bulk_form"] is None
    assert 'name="requests"' in manager_page.content.decode()
    assert "Close selected" in page_text(manager_page)


def test_queue_lists_only_the_description_never_internal_notes(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    actions.add_internal_note(
        by=sam_on_streets.user, request=pothole_request, body="Secret crew detail"
    )

    assert "Secret crew detail" not in page_text(get(sam_client, queue="all"))


def test_team_queue_covers_every_team_of_the_staff_member(
    sam_client: Any, sam_on_streets: Any, site_admin: Any, agency: Any, file_pothole: Any
) -> None:
    water = agency_actions.create_team(by=site_admin, agency=agency, name="Water")
    sam_on_streets.teams.add(water)
    sr = file_pothole(description="Water everywhere")
    actions.assign_request(by=sam_on_streets.user, request=sr, team=water)

    assert shown(get(sam_client, queue="team")) == [sr.reference]
