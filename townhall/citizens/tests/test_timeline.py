"""The timeline of a citizen: who sees which records, the order, filters, pages, and a
fixed number of queries whatever the number of records."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from townhall.citizens import actions, queries

pytestmark = pytest.mark.django_db


def kinds_and_ids(page: queries.Page) -> set[tuple[str, int]]:
    return {(item.kind, item.id) for item in page.items}


def requests_in(page: queries.Page) -> set[str]:
    return {item.reference for item in page.items if item.kind == "request"}


def test_staff_see_their_agencys_private_requests_but_not_another_agencys(
    citizen: Any, staff_member: Any, pothole_request: Any, parks_request: Any
) -> None:
    shown = requests_in(queries.timeline(staff_member.user, citizen))
    assert pothole_request.reference in shown
    assert parks_request.reference not in shown


def test_staff_see_another_agencys_public_requests(
    citizen: Any, staff_member: Any, public_parks_request: Any
) -> None:
    assert public_parks_request.reference in requests_in(
        queries.timeline(staff_member.user, citizen)
    )


def test_with_consent_staff_see_every_agencys_private_requests(
    citizen: Any, staff_member: Any, other_staff: Any, pothole_request: Any, parks_request: Any
) -> None:
    actions.set_join_up_consent(by=citizen, citizen=citizen, is_on=True)
    assert {pothole_request.reference, parks_request.reference} <= requests_in(
        queries.timeline(staff_member.user, citizen)
    )
    assert {pothole_request.reference, parks_request.reference} <= requests_in(
        queries.timeline(other_staff.user, citizen)
    )


def test_consent_taken_back_hides_them_again(
    citizen: Any, staff_member: Any, parks_request: Any
) -> None:
    actions.set_join_up_consent(by=citizen, citizen=citizen, is_on=True)
    actions.set_join_up_consent(by=citizen, citizen=citizen, is_on=False)
    assert parks_request.reference not in requests_in(queries.timeline(staff_member.user, citizen))


def test_a_citizen_sees_everything_of_their_own_and_nothing_of_others(
    citizen: Any, citizen2: Any, pothole_request: Any, parks_request: Any
) -> None:
    assert {pothole_request.reference, parks_request.reference} <= requests_in(
        queries.timeline(citizen, citizen)
    )
    assert requests_in(queries.timeline(citizen2, citizen)) == set()


def test_commitments_made_to_the_citizen_follow_the_same_rule(
    citizen: Any, staff_member: Any, pothole_request: Any, parks_request: Any
) -> None:
    page = queries.timeline(staff_member.user, citizen, channel="commitments")
    agencies = {item.agency_name for item in page.items}
    assert agencies == {"Public Works"}
    states = {item.status for item in page.items}
    assert states == {"open"}
    mine = queries.timeline(citizen, citizen, channel="commitments")
    assert {item.agency_name for item in mine.items} == {"Public Works", "Parks and Recreation"}


def test_conversations_discussion_posts_and_shared_notes_are_in_the_timeline(
    citizen: Any, staff_member: Any, other_staff: Any, agency: Any
) -> None:
    from townhall.conversations import actions as conversation_actions
    from townhall.conversations import discussions

    thread = conversation_actions.start_conversation(
        by=citizen, subject="Street lights", body="Mine is out.", staff=staff_member
    )
    parks_thread = conversation_actions.start_conversation(
        by=citizen, subject="Dog park", body="When does it open?", staff=other_staff
    )
    discussion = discussions.start_discussion(
        by=citizen, agency=agency, title="Snow clearing", body="Our street was missed."
    )
    note = actions.add_shared_note(
        by=other_staff.user, citizen=citizen, body="Prefers phone calls in the morning."
    )
    seen = kinds_and_ids(queries.timeline(staff_member.user, citizen))
    assert ("conversation", thread.pk) in seen
    assert ("conversation", parks_thread.pk) not in seen  # Parks' private conversation
    assert any(kind == "discussion" for kind, _pk in seen)
    assert ("note", note.pk) in seen  # notes are shared with staff of every agency
    mine = kinds_and_ids(queries.timeline(citizen, citizen))
    assert {
        ("conversation", thread.pk),
        ("conversation", parks_thread.pk),
        ("note", note.pk),
    } <= mine
    assert discussion.pk


def test_the_timeline_is_newest_first_and_pages_without_gaps_or_repeats(
    citizen: Any, file_pothole: Any, file_parks: Any
) -> None:
    for _ in range(4):
        file_pothole()
        file_parks()
    everything = queries.timeline(citizen, citizen, size=100).items
    times = [item.at for item in everything]
    assert times == sorted(times, reverse=True)
    seen: list[tuple[str, int]] = []
    cursor = ""
    while True:
        page = queries.timeline(citizen, citizen, cursor=cursor, size=3)
        seen.extend((item.kind, item.id) for item in page.items)
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == [(item.kind, item.id) for item in everything]


def test_filters_by_channel_and_agency(
    citizen: Any, pothole_request: Any, parks_request: Any, other_agency: Any
) -> None:
    page = queries.timeline(citizen, citizen, channel="requests", agency=other_agency.slug)
    assert [(item.kind, item.reference) for item in page.items] == [
        ("request", parks_request.reference)
    ]
    assert queries.timeline(citizen, citizen, agency="no-such-agency").items == []


@pytest.mark.parametrize(
    "filters",
    [
        {"channel": "everything"},
        {"channel": "<script>"},
        {"agency": "<b>x</b>"},
        {"agency": "a" * 200},
        {"cursor": "not-a-cursor"},
    ],
)
def test_bad_filters_are_refused(citizen: Any, filters: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        queries.timeline(citizen, citizen, **filters)


def _count(django_assert_max_num_queries: Any, viewer: Any, citizen: Any, limit: int) -> int:
    with django_assert_max_num_queries(limit) as captured:
        queries.timeline(viewer, citizen)
    return len(captured.captured_queries)


def test_a_page_costs_the_same_queries_for_3_or_30_requests(
    citizen: Any,
    staff_member: Any,
    file_pothole: Any,
    file_parks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(3):
        file_pothole()
    few = _count(django_assert_max_num_queries, staff_member.user, citizen, 8)
    for _ in range(15):
        file_pothole()
        file_parks()
    actions.set_join_up_consent(by=citizen, citizen=citizen, is_on=True)
    many = _count(django_assert_max_num_queries, staff_member.user, citizen, 8)
    assert few == many
    assert _count(django_assert_max_num_queries, citizen, citizen, 8) <= many


def test_a_promise_names_the_request_it_is_about(
    citizen: Any, staff_member: Any, pothole_request: Any
) -> None:
    promises = queries.timeline(staff_member.user, citizen, channel="commitments").items
    assert {item.reference for item in promises} == {pothole_request.reference}
    assert all(item.url == f"/inbox/{pothole_request.reference}/" for item in promises)
    mine = queries.timeline(citizen, citizen, channel="commitments").items
    assert all(item.url == pothole_request.get_absolute_url() for item in mine)
