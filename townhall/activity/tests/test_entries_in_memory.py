"""What an action logged, read back without a query: `entries_recorded` collects the
entries as they are written, and `Activity.is_visible_to` gives the same answer as the
`visible_to` query for every kind of reader."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from townhall.activity.actions import entries_recorded, record_activity
from townhall.activity.models import Activity, Visibility

pytestmark = pytest.mark.django_db


def log(verb: str, **fields: Any) -> Activity:
    return record_activity(verb=verb, summary=verb, **fields)


def test_a_block_collects_the_entries_written_in_it_in_order_and_nothing_else() -> None:
    log("before.block")
    with entries_recorded() as outer:
        log("first")
        with entries_recorded() as inner:
            log("second")
        log("third")
    log("after.block")
    assert [entry.verb for entry in outer] == ["first", "second", "third"]
    assert [entry.verb for entry in inner] == ["second"]
    assert all(entry.pk is not None for entry in outer)


@pytest.mark.django_db(transaction=True)
def test_entries_written_by_another_thread_are_not_collected() -> None:
    def elsewhere() -> None:
        log("other.thread")

    with entries_recorded() as found:
        log("this.thread")
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
    assert [entry.verb for entry in found] == ["this.thread"]
    assert Activity.objects.filter(verb="other.thread").exists()


def test_a_block_left_by_an_error_stops_collecting() -> None:
    with pytest.raises(RuntimeError), entries_recorded() as found:
        log("inside")
        raise RuntimeError("the action failed")
    log("outside")
    assert [entry.verb for entry in found] == ["inside"]


def test_an_entry_in_memory_is_visible_to_exactly_whom_the_query_shows_it(
    citizen: Any,
    citizen2: Any,
    staff_member: Any,
    other_staff: Any,
    site_admin: Any,
    agency: Any,
) -> None:
    readers = {  # each with whether they are staff of the entries' agency
        "anonymous": (AnonymousUser(), False),
        "actor, staff of the agency": (staff_member.user, True),
        "citizen": (citizen, False),
        "stranger": (citizen2, False),
        "staff of another agency": (other_staff.user, False),
        "site administrator": (site_admin, False),
    }
    entries = [
        log(
            f"test.{visibility}.{acted}",
            visibility=visibility,
            actor=staff_member.user if acted else None,
            agency=agency,
            citizen=citizen,
        )
        for visibility in Visibility.values
        for acted in (True, False)
    ]
    for name, (reader, staff) in readers.items():
        shown = set(
            Activity.objects.filter(pk__in=[e.pk for e in entries])
            .visible_to(reader)
            .values_list("pk", flat=True)
        )
        in_memory = {e.pk for e in entries if e.is_visible_to(reader, is_agency_staff=staff)}
        assert in_memory == shown, name
    # A colleague who neither acted nor is the citizen reads what staff may.
    assert {e.verb for e in entries if e.is_visible_to(citizen2, is_agency_staff=True)} == {
        "test.public.True",
        "test.public.False",
        "test.participants.True",
        "test.participants.False",
        "test.staff.True",
        "test.staff.False",
    }
