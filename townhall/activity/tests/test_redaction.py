"""Erasure's one exception to the append-only log: summaries that name the person are
reworded with their pseudonym, recorded first; the database refuses anything else."""

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from townhall.activity.actions import record_activity
from townhall.activity.models import Activity, ActivityRedaction, Visibility
from townhall.activity.redaction import redact_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def alex_entries(citizen: Any, citizen2: Any) -> list[Activity]:
    return [
        record_activity(
            verb="request.filed",
            summary="Alex Park filed SPR-2026-000001",
            visibility=Visibility.PUBLIC,
            actor=citizen,
            citizen=citizen,
        ),
        record_activity(
            verb="discussion.replied",
            summary="Alex Park wrote in the public discussion “Snow”",
            visibility=Visibility.PUBLIC,
            actor=citizen,
        ),
        # Someone else's act that does not name Alex stays as it was.
        record_activity(
            verb="request.filed",
            summary="Bea Lopez filed SPR-2026-000002",
            visibility=Visibility.PUBLIC,
            actor=citizen2,
            citizen=citizen2,
        ),
    ]


def test_the_persons_name_is_replaced_by_the_pseudonym_and_nothing_else_changes(
    alex_entries: list[Activity], citizen: Any
) -> None:
    before = {
        a.pk: (a.occurred_at, a.actor_id, a.verb, a.visibility, a.citizen_id)
        for a in Activity.objects.all()
    }

    changed = redact_names(
        person=citizen, names=["Alex Park"], pseudonym="Former resident 7f3a", reason="erased"
    )

    # The two above, and the account's own entries (signing up) that name Alex.
    naming = Activity.objects.filter(summary__contains="Former resident 7f3a")
    assert changed == naming.count() >= 2
    summaries = {a.pk: a.summary for a in Activity.objects.all()}
    assert summaries[alex_entries[0].pk] == "Former resident 7f3a filed SPR-2026-000001"
    assert summaries[alex_entries[1].pk] == (
        "Former resident 7f3a wrote in the public discussion “Snow”"
    )
    assert summaries[alex_entries[2].pk] == "Bea Lopez filed SPR-2026-000002"
    assert not Activity.objects.filter(summary__contains="Alex").exists()
    after = {
        a.pk: (a.occurred_at, a.actor_id, a.verb, a.visibility, a.citizen_id)
        for a in Activity.objects.all()
    }
    assert after == before
    assert ActivityRedaction.objects.count() == changed
    assert not ActivityRedaction.objects.filter(summary__contains="Alex").exists()


def test_redacting_again_changes_nothing(alex_entries: list[Activity], citizen: Any) -> None:
    redact_names(person=citizen, names=["Alex Park"], pseudonym="Former resident", reason="x")
    assert redact_names(person=citizen, names=["Alex Park"], pseudonym="F", reason="x") == 0
    assert redact_names(person=citizen, names=["", "A"], pseudonym="F", reason="x") == 0


def test_the_database_still_refuses_a_summary_that_was_not_recorded(
    alex_entries: list[Activity],
) -> None:
    entry = alex_entries[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activity_activity SET summary = %s WHERE id = %s", ["Rewritten", entry.pk]
        )
    assert Activity.objects.get(pk=entry.pk).summary == "Alex Park filed SPR-2026-000001"


def test_a_recorded_summary_does_not_let_other_columns_change(
    alex_entries: list[Activity],
) -> None:
    entry = alex_entries[0]
    ActivityRedaction.objects.create(activity=entry, summary="Someone filed it")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activity_activity SET summary = %s, verb = %s WHERE id = %s",
            ["Someone filed it", "request.forged", entry.pk],
        )
    assert Activity.objects.get(pk=entry.pk).verb == "request.filed"
