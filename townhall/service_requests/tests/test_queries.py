"""Read models: who sees which request, message and log entry; the inbox queues; and a
fixed number of queries whatever the amount of data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from townhall.conversations.attachments import CheckedFile
from townhall.service_requests import actions, queries
from townhall.service_requests.models import Status

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
FILED = datetime(2030, 3, 4, 10, 0, tzinfo=CHICAGO)  # Monday: acknowledge by Wednesday 6


def count_queries(function: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


# --- one request -------------------------------------------------------------------------


def test_a_private_request_is_found_only_by_those_allowed(
    pothole_request: Any, citizen: Any, citizen2: Any, sam: Any, other_staff: Any, site_admin: Any
) -> None:
    reference = pothole_request.reference
    for user in (citizen, sam, site_admin):
        assert queries.get_visible_request(reference, user) == pothole_request
    for user in (citizen2, other_staff.user, AnonymousUser()):
        with pytest.raises(Http404):
            queries.get_visible_request(reference, user)


def test_a_public_request_is_found_by_anyone(foi_request: Any) -> None:
    assert queries.get_visible_request(foi_request.reference, AnonymousUser()) == foi_request


@pytest.mark.parametrize(
    "reference", ["", "SPR-2026", "1 OR 1=1", "spr-2026-000001\x00", "x" * 5000, None]
)
def test_a_malformed_reference_is_simply_not_found(reference: Any, pothole_request: Any) -> None:
    with pytest.raises(Http404):
        queries.get_visible_request(reference, AnonymousUser())


def test_a_reference_may_be_typed_in_lower_case(foi_request: Any) -> None:
    found = queries.get_visible_request(f"  {foi_request.reference.lower()} ", AnonymousUser())
    assert found == foi_request


def test_the_timeline_shows_the_request_and_its_commitments_oldest_first(
    pothole_request: Any, citizen: Any, sam: Any
) -> None:
    actions.take_request(by=sam, request=pothole_request)
    actions.add_internal_note(by=sam, request=pothole_request, body="Looks like a big one")
    actions.answer_request(by=sam, request=pothole_request, body="Fixed")
    verbs = [entry.verb for entry in queries.timeline(pothole_request, citizen)]
    assert verbs == [
        "request.filed",
        "commitment.made",
        "commitment.made",
        "request.taken",
        "commitment.kept",
        "commitment.kept",
        "request.answered",
    ]
    staff_verbs = [entry.verb for entry in queries.timeline(pothole_request, sam)]
    assert "request.noted" in staff_verbs


def test_after_a_transfer_the_new_agency_reads_the_whole_timeline(
    pothole_request: Any, sam: Any, other_agency: Any, other_staff: Any
) -> None:
    actions.add_internal_note(by=sam, request=pothole_request, body="Not ours: the park's")
    actions.transfer_request(
        by=sam, request=pothole_request, note="In the park", agency=other_agency
    )
    verbs = [entry.verb for entry in queries.timeline(pothole_request, other_staff.user)]
    assert verbs[0] == "request.filed"
    assert {"request.noted", "request.transferred"} <= set(verbs)


def test_strangers_see_nothing_of_a_private_requests_timeline(
    pothole_request: Any, citizen2: Any, other_staff: Any
) -> None:
    assert queries.timeline(pothole_request, citizen2) == []
    assert queries.timeline(pothole_request, other_staff.user) == []
    assert queries.request_commitments(pothole_request, citizen2) == []


def test_the_public_sees_a_public_requests_timeline_and_commitments(foi_request: Any) -> None:
    assert [e.verb for e in queries.timeline(foi_request, AnonymousUser())][:1] == ["request.filed"]
    kinds = [c.kind for c in queries.request_commitments(foi_request, AnonymousUser())]
    assert kinds == ["acknowledge", "respond"]


def test_internal_notes_and_their_files_are_shown_only_to_the_agencys_staff(
    pothole_request: Any, citizen: Any, sam: Any, other_staff: Any, site_admin: Any
) -> None:
    note = CheckedFile(name="inspection.txt", content_type="text/plain", size=2, data=b"ok")
    actions.reply_to_request(by=sam, request=pothole_request, body="We will look")
    actions.add_internal_note(by=sam, request=pothole_request, body="Secret", files=[note])
    for user in (citizen, other_staff.user, AnonymousUser()):
        messages = queries.request_messages(pothole_request, user)
        assert [m.body for m in messages] == ["We will look"]
    for user in (sam, site_admin):
        messages = queries.request_messages(pothole_request, user)
        assert [m.body for m in messages] == ["We will look", "Secret"]
        assert [a.original_name for a in messages[1].attachments.all()] == ["inspection.txt"]
    assert queries.request_attachments(pothole_request, citizen) == []
    assert len(queries.request_attachments(pothole_request, sam)) == 1


def test_my_requests_are_my_own_newest_first(
    file_pothole: Any, citizen: Any, citizen2: Any
) -> None:
    first, second = file_pothole(), file_pothole()
    file_pothole(by=citizen2)
    assert list(queries.my_requests(citizen)) == [second, first]
    assert list(queries.my_requests(AnonymousUser())) == []


def test_staff_helpers_know_who_works_where(
    sam: Any, staff_member: Any, agency: Any, other_agency: Any, citizen: Any, site_admin: Any
) -> None:
    assert queries.is_agency_staff(sam, agency)
    assert not queries.is_agency_staff(sam, other_agency)
    assert not queries.is_agency_staff(citizen, agency)
    assert queries.is_agency_staff(site_admin, other_agency)
    assert queries.staff_persona(sam, agency) == staff_member
    assert queries.staff_persona(sam, other_agency) is None
    assert queries.staff_persona(AnonymousUser(), agency) is None


# --- the inbox ---------------------------------------------------------------------------


def references(queryset: Any) -> set[str]:
    return {request.reference for request in queryset}


def test_the_inbox_queues_pick_the_right_requests(
    file_pothole: Any, sam: Any, staff_member: Any, colleague: Any, manager: Any, team: Any
) -> None:
    mine = file_pothole(at=FILED)
    actions.take_request(by=sam, request=mine)
    teams = file_pothole(at=FILED)
    actions.assign_request(by=manager.user, request=teams, team=team, assignee=colleague)
    waiting = file_pothole(at=FILED)
    actions.request_clarification(by=sam, request=waiting, body="Where?", at=FILED)
    unassigned = file_pothole(at=FILED)
    answered = file_pothole(at=FILED)
    actions.answer_request(by=sam, request=answered, body="Done", at=FILED)

    def queue(name: str, user: Any = sam, **filters: Any) -> set[str]:
        return references(queries.inbox_queue(user, name, **filters))

    assert queue("mine") == {mine.reference}
    assert queue("team", manager.user) == {teams.reference}
    assert queue("unassigned") == {waiting.reference, unassigned.reference}
    assert queue("waiting") == {waiting.reference}
    assert len(queue("all")) == 5
    assert queue("all", status=Status.ANSWERED) == {answered.reference}
    assert queue("all", team=team) == {teams.reference}
    assert queue("all", service="pothole") == queue("all")
    assert queue("all", q=mine.reference.lower()) == {mine.reference}
    assert queue("all", q="cyclists swerve") == queue("all")
    assert queue("all", q="nothing like this") == set()


def test_at_risk_and_overdue_follow_the_working_day_calendar(file_pothole: Any, sam: Any) -> None:
    request = file_pothole(at=FILED)
    tuesday = datetime(2030, 3, 5, 10, 0, tzinfo=CHICAGO)  # acknowledge due tomorrow
    thursday = datetime(2030, 3, 7, 10, 0, tzinfo=CHICAGO)  # acknowledge past due
    assert references(queries.inbox_queue(sam, "at_risk", now=FILED)) == set()
    assert references(queries.inbox_queue(sam, "at_risk", now=tuesday)) == {request.reference}
    assert references(queries.inbox_queue(sam, "overdue", now=tuesday)) == set()
    assert references(queries.inbox_queue(sam, "overdue", now=thursday)) == {request.reference}
    actions.reply_to_request(by=sam, request=request, body="Got it", at=tuesday)
    assert references(queries.inbox_queue(sam, "overdue", now=thursday)) == set()


def test_other_agencies_and_citizens_have_an_empty_inbox(
    pothole_request: Any, other_staff: Any, citizen: Any
) -> None:
    assert not queries.inbox_queue(other_staff.user, "all").exists()
    assert not queries.inbox_queue(citizen, "all").exists()
    assert not queries.inbox_queue(AnonymousUser(), "all").exists()


@pytest.mark.parametrize(
    ("arguments", "field"),
    [({"queue": "nope"}, "queue"), ({"sort": "random"}, "sort"), ({"status": "lost"}, "status")],
)
def test_an_unknown_queue_sort_or_status_is_refused(sam: Any, arguments: Any, field: str) -> None:
    arguments = {"queue": "all", **arguments}
    with pytest.raises(ValidationError) as refused:
        queries.inbox_queue(sam, arguments.pop("queue"), **arguments)
    assert field in refused.value.message_dict


def test_the_inbox_sorts_by_due_date_newest_and_oldest(
    file_pothole: Any, sam: Any, foi_service: Any, citizen: Any
) -> None:
    pothole = file_pothole(at=FILED)  # answer due in 5 working days
    foi = actions.file_request(by=citizen, service=foi_service, description="Budgets", at=FILED)
    later = file_pothole(at=datetime(2030, 3, 5, 10, 0, tzinfo=CHICAGO))
    order = lambda sort: [r.pk for r in queries.inbox_queue(sam, "all", sort=sort)]  # noqa: E731
    assert order("due") == [pothole.pk, later.pk, foi.pk]
    assert order("newest")[0] == later.pk
    assert order("oldest")[-1] == later.pk


# --- a fixed number of queries -----------------------------------------------------------


def add_requests(
    file_pothole: Any, sam: Any, citizen2: Any, how_many: int, team: Any = None
) -> Any:
    """Requests filed on FILED, with replies, notes, files and a “me too” each; one in three
    taken by Sam, one in three given to `team`, one in three waiting for the citizen."""
    note = CheckedFile(name="photo.txt", content_type="text/plain", size=2, data=b"hi")
    last = None
    for number in range(how_many):
        last = file_pothole(is_public=True, files=[note], at=FILED)
        actions.reply_to_request(by=sam, request=last, body=f"Reply {number}", files=[note])
        actions.add_internal_note(by=sam, request=last, body="note")
        actions.reply_to_request(by=last.requester, request=last, body="Thanks")
        actions.support_request(by=citizen2, request=last)
        if number % 3 == 0:
            actions.take_request(by=sam, request=last)
        elif number % 3 == 1 and team is not None:
            actions.assign_request(by=sam, request=last, team=team)
        else:
            actions.request_clarification(by=sam, request=last, body="Which side?")
    return last


def read_everything(request: Any, user: Any) -> None:
    for entry in queries.timeline(request, user):
        str(entry.persona.signature if entry.persona else "")
    for message in queries.request_messages(request, user):
        _ = message.signature, [a.original_name for a in message.attachments.all()]
    for commitment in queries.request_commitments(request, user):
        _ = commitment.made_by_persona, commitment.replaced_by


def read_list(queryset: Any) -> None:
    for request in queryset[:50]:
        _ = request.service.name, request.agency.name, request.reference
        if request.assignee is not None:
            _ = request.assignee.signature
        if request.team is not None:
            _ = request.team.name


@pytest.mark.parametrize("user_name", ["citizen", "sam", "anonymous"])
def test_a_requests_page_reads_cost_the_same_however_long_its_history(
    file_pothole: Any,
    sam: Any,
    citizen: Any,
    citizen2: Any,
    user_name: str,
    django_assert_max_num_queries: Any,
) -> None:
    user = {"citizen": citizen, "sam": sam, "anonymous": AnonymousUser()}[user_name]
    short = add_requests(file_pothole, sam, citizen2, 1)
    long = add_requests(file_pothole, sam, citizen2, 1)
    for number in range(12):
        actions.reply_to_request(by=sam, request=long, body=f"More {number}")
        actions.add_internal_note(by=sam, request=long, body=f"Note {number}")
    actions.answer_request(by=sam, request=long, body="Done")
    few = count_queries(lambda: read_everything(short, user))
    many = count_queries(lambda: read_everything(long, user))
    assert few == many
    # Six, and one for moderation: whose links still show as text (new authors).
    with django_assert_max_num_queries(7):
        read_everything(long, user)


def test_my_requests_costs_the_same_for_two_or_twenty_requests(
    file_pothole: Any, sam: Any, citizen: Any, citizen2: Any, django_assert_max_num_queries: Any
) -> None:
    add_requests(file_pothole, sam, citizen2, 2)
    few = count_queries(lambda: read_list(queries.my_requests(citizen)))
    add_requests(file_pothole, sam, citizen2, 18)
    many = count_queries(lambda: read_list(queries.my_requests(citizen)))
    assert few == many
    with django_assert_max_num_queries(1):
        read_list(queries.my_requests(citizen))


# When each queue has something in it: the respond commitments (due Monday 11 March) are
# at risk on Friday 8 and overdue on Tuesday 12.
QUEUE_NOW = {
    "at_risk": datetime(2030, 3, 8, 10, 0, tzinfo=CHICAGO),
    "overdue": datetime(2030, 3, 12, 10, 0, tzinfo=CHICAGO),
}


@pytest.mark.parametrize("queue", queries.QUEUES)
def test_every_inbox_queue_costs_the_same_for_two_or_twenty_requests(
    file_pothole: Any,
    sam: Any,
    citizen2: Any,
    queue: str,
    django_assert_max_num_queries: Any,
    team: Any,
    manager: Any,
) -> None:
    reader = manager.user if queue == "team" else sam
    now = QUEUE_NOW.get(queue, FILED)
    rows: list[int] = []

    def read() -> None:
        found = queries.inbox_queue(reader, queue, q="pothole", now=now)
        rows.append(len(found[:50]))
        read_list(found)

    add_requests(file_pothole, sam, citizen2, 3, team)
    few = count_queries(read)
    add_requests(file_pothole, sam, citizen2, 18, team)
    many = count_queries(read)
    assert few == many
    assert 0 < rows[0] < rows[1]
    # The user's agencies, teams and personas as plain ids (1); at risk: the agencies'
    # calendars (2); the page is read twice (2).
    with django_assert_max_num_queries(5):
        read()
