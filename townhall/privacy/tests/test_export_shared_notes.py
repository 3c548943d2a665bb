"""The archive holds the notes staff shared on the person's record (the joined-up view's
notes for every agency): the note, when, and the work persona and agency that wrote it,
never the author's account; notes about someone else stay out."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from townhall.citizens.actions import add_shared_note
from townhall.privacy import actions

from .conftest import Records

pytestmark = pytest.mark.django_db


def archive_of(user: Any, capture: Any) -> dict[str, Any]:
    with capture(execute=True):
        job = actions.request_export(by=user)
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        return json.loads(zipfile.ZipFile(io.BytesIO(handle.read())).read("archive.json"))


def test_shared_notes_about_me_are_in_my_archive_with_the_work_name(
    alex_records: Records,
    staff_member: Any,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alex = alex_records.user
    other = make_user("other-citizen@example.org")
    add_shared_note(by=staff_member.user, citizen=alex, body="Prefers a call after 5 pm.")
    add_shared_note(by=staff_member.user, citizen=other, body="Someone else's note.")

    data = archive_of(alex, django_capture_on_commit_callbacks)

    [note] = data["shared_notes"]
    assert note["note"] == "Prefers a call after 5 pm."
    assert note["written_by"] == staff_member.public_name
    assert note["agency"] == staff_member.agency.name
    assert note["written_at"]
    raw = json.dumps(data)
    assert "Someone else's note." not in raw
    assert staff_member.user.email not in raw


def test_an_archive_without_notes_has_an_empty_list(
    citizen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert archive_of(citizen, django_capture_on_commit_callbacks)["shared_notes"] == []
