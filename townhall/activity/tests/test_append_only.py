import pytest
from django.db import DatabaseError, connection, transaction

from townhall.activity.actions import record_activity
from townhall.activity.models import Activity, ActivityIsAppendOnly, Visibility


@pytest.fixture
def entry(db):
    return record_activity(
        verb="test.happened", summary="Something happened", visibility=Visibility.PUBLIC
    )


def test_an_entry_cannot_be_changed_through_the_model(entry):
    entry.summary = "Rewritten history"
    with pytest.raises(ActivityIsAppendOnly):
        entry.save()
    assert Activity.objects.get(pk=entry.pk).summary == "Something happened"


def test_an_entry_cannot_be_deleted_through_the_model(entry):
    with pytest.raises(ActivityIsAppendOnly):
        entry.delete()
    assert Activity.objects.filter(pk=entry.pk).exists()


def test_bulk_update_and_delete_are_refused(entry):
    with pytest.raises(ActivityIsAppendOnly):
        Activity.objects.filter(pk=entry.pk).update(summary="Rewritten")
    with pytest.raises(ActivityIsAppendOnly):
        Activity.objects.all().delete()
    assert Activity.objects.get(pk=entry.pk).summary == "Something happened"


def test_the_database_refuses_an_update_that_bypasses_the_orm(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activity_activity SET summary = %s WHERE id = %s", ["Rewritten", entry.pk]
        )
    assert Activity.objects.get(pk=entry.pk).summary == "Something happened"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger is PostgreSQL's")
def test_postgresql_refuses_a_raw_delete(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM activity_activity WHERE id = %s", [entry.pk])
    assert Activity.objects.filter(pk=entry.pk).exists()
