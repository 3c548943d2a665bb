"""The inbox's queue counts (few queries, kept 30 seconds per account) and the query shapes
that let the databases use their indexes at a million requests: the user's agencies,
teams and commitment ids written into the queries as plain lists, not subqueries."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility
from townhall.service_requests import actions, queries
from townhall.service_requests.models import ServiceRequest

from .conftest_inbox import inbox_url, page_text

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
FILED = datetime(2030, 3, 4, 10, 0, tzinfo=CHICAGO)  # Monday; respond due Monday 11
# Before anything is due, while the respond commitments are at risk, once they are late.
MOMENTS = (
    FILED,
    datetime(2030, 3, 8, 10, 0, tzinfo=CHICAGO),
    datetime(2030, 3, 12, 10, 0, tzinfo=CHICAGO),
)


@pytest.fixture
def queues(file_pothole: Any, sam_on_streets: Any, colleague: Any, team: Any) -> None:
    """Requests in every queue, on FILED: held by Sam, by Kim, the team's, waiting,
    closed, and one paused (never at risk)."""
    sam = sam_on_streets.user
    for number in range(9):
        sr = file_pothole(description=f"Hole {number}", at=FILED)
        if number % 3 == 0:
            actions.take_request(by=sam, request=sr)
        elif number % 3 == 1:
            actions.take_request(by=colleague.user, request=sr)
        if number in (1, 2):
            actions.assign_request(by=sam, request=sr, team=team)
        if number == 4:
            actions.request_clarification(by=sam, request=sr, body="Where exactly?")
        if number == 6:
            actions.close_request(by=sam, request=sr)


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("who", ["sam", "manager", "site_admin", "other_staff", "citizen"])
def test_the_counts_agree_with_each_queue_at_every_moment(
    queues: Any,
    moment: datetime,
    who: str,
    sam_on_streets: Any,
    manager: Any,
    site_admin: Any,
    other_staff: Any,
    citizen: Any,
) -> None:
    user = {
        "sam": sam_on_streets.user,
        "manager": manager.user,
        "site_admin": site_admin,
        "other_staff": other_staff.user,
        "citizen": citizen,
    }[who]

    counts = queries.inbox_counts(user, now=moment)

    assert counts == {
        queue: queries.inbox_queue(user, queue, now=moment).count() for queue in queries.QUEUES
    }
    if who in ("sam", "site_admin") and moment == MOMENTS[1]:
        assert counts["at_risk"] > 0
    if who in ("sam", "site_admin") and moment == MOMENTS[2]:
        assert counts["overdue"] > 0
    if who in ("other_staff", "citizen"):
        assert set(counts.values()) == {0}


def test_anonymous_visitors_have_empty_queues_without_a_query() -> None:
    with CaptureQueriesContext(connection) as captured:
        counts = queries.inbox_counts(AnonymousUser())
        rows = list(queries.inbox_queue(AnonymousUser(), "all"))

    assert set(counts.values()) == {0}
    assert rows == []
    assert len(captured.captured_queries) == 0


def test_counting_every_queue_costs_five_queries_whatever_the_data(
    file_pothole: Any, sam_on_streets: Any, django_assert_max_num_queries: Any
) -> None:
    file_pothole(at=FILED)
    # The scope (1), the calendars for "at risk" (2), the open requests (1), "all" (1).
    with django_assert_max_num_queries(5) as few:
        queries.inbox_counts(sam_on_streets.user, now=MOMENTS[1])
    for number in range(12):
        file_pothole(description=f"Hole {number}", at=FILED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        queries.inbox_counts(sam_on_streets.user, now=MOMENTS[1])


@pytest.mark.parametrize("queue", ["mine", "team", "unassigned", "overdue", "waiting", "all"])
def test_a_queue_names_the_agencies_and_teams_as_plain_ids(
    queue: str, sam_on_streets: Any, staff_member: Any, team: Any
) -> None:
    """No `IN (SELECT …)` for the agencies or teams: the planner then sees constants and
    walks the (agency, expected_at, submitted_at, id) index in order for sort=due."""
    sql = str(queries.inbox_queue(sam_on_streets.user, queue).query)

    assert "IN (SELECT" not in sql
    assert sql.count("SELECT") == (2 if queue == "overdue" else 1)  # overdue: one EXISTS
    assert f"IN ({staff_member.agency_id})" in sql
    if queue == "team":
        assert f"IN ({team.pk})" in sql


def test_the_overdue_queue_asks_the_way_the_pending_index_is_written(sam: Any) -> None:
    sql = str(queries.inbox_queue(sam, "overdue").query)

    assert '"state" IN (open, broken)' in sql  # str(query) leaves the parameters unquoted
    assert '"done_at" IS NULL' in sql


def test_the_timeline_reads_commitment_ids_first_then_the_log_by_its_targets(
    pothole_request: Any, sam: Any, citizen: Any
) -> None:
    actions.take_request(by=sam, request=pothole_request)
    for user in (sam, citizen, AnonymousUser()):
        with CaptureQueriesContext(connection) as captured:
            entries = queries.timeline(pothole_request, user)
        log_queries = [q["sql"] for q in captured.captured_queries if "activity" in q["sql"]]

        assert bool(entries) == user.is_authenticated  # the request is private
        assert len(captured.captured_queries) == 2
        assert len(log_queries) == 1
        # The commitment ids are written out; the only subqueries left are visible_to's
        # list of the reader's agencies (for participants' and staff entries).
        assert log_queries[0].count("SELECT") <= 3
        assert "commitments_commitment" not in log_queries[0]


def test_the_holding_agencys_staff_read_staff_entries_but_only_their_own_internal_ones(
    pothole_request: Any, sam: Any, colleague: Any, citizen: Any, agency: Any
) -> None:
    for visibility, actor in (
        (Visibility.STAFF, colleague.user),
        (Visibility.INTERNAL, colleague.user),
        (Visibility.INTERNAL, sam),
        (Visibility.PARTICIPANTS, None),
    ):
        record_activity(
            verb=f"test.{visibility}.{'sam' if actor == sam else 'other'}",
            summary="Something happened",
            actor=actor,
            agency=None,  # as if written while nobody held it: only the rule for holders
            target=pothole_request,
            visibility=visibility,
        )

    sams = {entry.verb for entry in queries.timeline(pothole_request, sam)}
    citizens = {entry.verb for entry in queries.timeline(pothole_request, citizen)}

    assert {"test.staff.other", "test.internal.sam", "test.participants.other"} <= sams
    assert "test.internal.other" not in sams
    assert not {"test.staff.other", "test.internal.sam", "test.internal.other"} & citizens


def test_a_timeline_without_commitments_still_tells_staff_apart(
    pothole_request: Any, sam: Any, citizen2: Any
) -> None:
    from townhall.commitments.models import Commitment

    Commitment.objects.filter(subject_id=str(pothole_request.pk)).delete()
    record_activity(
        verb="test.staff",
        summary="Staff only",
        actor=None,
        agency=None,
        target=pothole_request,
        visibility=Visibility.STAFF,
    )

    assert "test.staff" in {e.verb for e in queries.timeline(pothole_request, sam)}
    assert "test.staff" not in {e.verb for e in queries.timeline(pothole_request, citizen2)}


# --- the counts in the inbox navigation ------------------------------------------------------


def counts(response: Any) -> dict[str, int]:
    return {name: count for name, _label, count in response.context["counts"]}


def test_the_navigation_counts_are_kept_for_a_moment_and_the_page_says_so(
    sam_client: Any, sam_on_streets: Any, file_pothole: Any
) -> None:
    sr = file_pothole()
    first = sam_client.get(inbox_url("queue"), {"queue": "all"})
    with CaptureQueriesContext(connection) as captured:
        ServiceRequest.objects.filter(pk=sr.pk).update(assignee=sam_on_streets)
        again = sam_client.get(inbox_url("queue"), {"queue": "mine"})
    counted = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    counted = [sql for sql in counted if "servicerequest" in sql]

    assert counts(first)["unassigned"] == 1
    assert counts(again) == counts(first)  # kept: not counted again
    assert counted == []  # the page reuses the navigation's count: nothing is counted
    assert [row.reference for row in again.context["page"].object_list] == [sr.reference]
    assert again.context["page"].paginator.count == 1  # never fewer than it shows
    assert "Counts may be up to 40 seconds old." in page_text(again)


def test_old_counts_are_counted_again_by_one_page_while_the_others_show_them(
    sam_client: Any, sam_on_streets: Any, file_pothole: Any, monkeypatch: Any
) -> None:
    import time

    from django.core.cache import cache

    from townhall.service_requests import inbox_views

    sr = file_pothole()
    assert counts(sam_client.get(inbox_url("queue")))["unassigned"] == 1
    ServiceRequest.objects.filter(pk=sr.pk).update(assignee=sam_on_streets)
    later = time.time() + inbox_views.COUNTS_TTL_SECONDS + 1
    monkeypatch.setattr(inbox_views.time, "time", lambda: later)
    # Another page of Sam's is counting them at this moment: this one shows the old ones.
    assert cache.add(f"inbox-counts:{sam_on_streets.user_id}:counting", True, 10)
    with CaptureQueriesContext(connection) as captured:
        meanwhile = sam_client.get(inbox_url("queue"))
    counted = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counted if "servicerequest" in sql]
    assert counts(meanwhile)["unassigned"] == 1

    cache.delete(f"inbox-counts:{sam_on_streets.user_id}:counting")
    recounted = counts(sam_client.get(inbox_url("queue")))
    assert (recounted["unassigned"], recounted["mine"]) == (0, 1)


def test_acting_in_the_inbox_counts_again_on_the_next_page(
    sam_client: Any, file_pothole: Any
) -> None:
    sr = file_pothole()
    before = counts(sam_client.get(inbox_url("queue")))

    sam_client.post(inbox_url("take", sr), {}, follow=True)
    after = counts(sam_client.get(inbox_url("queue")))

    assert (before["mine"], before["unassigned"]) == (0, 1)
    assert (after["mine"], after["unassigned"]) == (1, 0)


def test_joining_a_team_counts_again_at_once(
    sam_client: Any, staff_member: Any, team: Any, file_pothole: Any
) -> None:
    sr = file_pothole()
    actions.assign_request(by=staff_member.user, request=sr, team=team)
    staff_member.teams.clear()
    before = counts(sam_client.get(inbox_url("queue")))

    staff_member.teams.add(team)
    after = counts(sam_client.get(inbox_url("queue")))

    assert (before["team"], after["team"]) == (0, 1)


def test_the_unfiltered_page_is_not_counted_twice(
    sam_client: Any, file_pothole: Any, django_assert_max_num_queries: Any
) -> None:
    file_pothole()
    sam_client.get(inbox_url("queue"))  # warm the session and content types
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = sam_client.get(inbox_url("queue"), {"queue": "all"})
    all_counts = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].upper().startswith('SELECT COUNT(*) AS "__COUNT"')
        and "servicerequest" in q["sql"]
    ]

    assert response.context["page"].paginator.count == 1
    assert len(all_counts) == 1  # the navigation's; the page reuses it
