"""Consultation comments in the joined-up timeline: the citizen's own comments (not what
they wrote as a work persona), on consultations the viewer may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from townhall.citizens import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(staff_member: Any) -> Any:
    from townhall.consultations import actions

    now = timezone.now()
    return actions.create_consultation(
        by=staff_member.user,
        agency=staff_member.agency,
        title="Safer streets plan",
        summary="A draft plan for safer streets.",
        sections=[("Purpose", "Every street safe to cross on foot by 2030.")],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=14),
    )


def test_staff_of_any_agency_and_the_citizen_see_the_comment(
    citizen: Any, other_staff: Any, consultation: Any
) -> None:
    from townhall.consultations import actions

    comment = actions.post_comment(
        by=citizen, consultation=consultation, body="Please add more crossings near schools."
    )
    for viewer in (other_staff.user, citizen):
        page = queries.timeline(viewer, citizen, channel="comments")
        assert [(item.kind, item.id) for item in page.items] == [("comment", comment.pk)]
        assert page.items[0].title == "Safer streets plan"
        assert page.items[0].url == comment.get_absolute_url()


def test_comments_made_as_a_work_persona_are_not_the_citizens(
    staff_member: Any, consultation: Any
) -> None:
    from townhall.consultations import actions

    actions.post_comment(by=staff_member.user, consultation=consultation, body="Thank you all.")
    mine = queries.timeline(staff_member.user, staff_member.user, channel="comments")
    assert mine.items == []
