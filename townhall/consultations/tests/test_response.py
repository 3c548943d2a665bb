"""The agency's answer: themes, answers, the published response and who is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.consultations import actions
from townhall.consultations.models import Outcome, Stance

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken_part(citizen, citizen2, consultation, sections):
    comment = actions.post_comment(
        by=citizen, consultation=consultation, section=sections[1], body="Slower is safer."
    )
    actions.set_support(by=citizen2, section=sections[0], stance=Stance.SUPPORT)
    amendment = actions.propose_amendment(
        by=citizen2, section=sections[2], text="Every school gets a raised crossing this year."
    )
    return comment, amendment


def test_staff_group_answer_and_publish_then_participants_are_told(
    citizen, citizen2, staff_member, consultation, taken_part, close
):
    comment, amendment = taken_part
    theme = actions.create_theme(
        by=staff_member.user, consultation=consultation, title="Speed", comments=[comment]
    )
    actions.answer_theme(
        by=staff_member.user, theme=theme, outcome=Outcome.ACCEPTED, response="We keep 20 mph."
    )
    actions.answer_amendment(
        by=staff_member.user,
        amendment=amendment,
        outcome=Outcome.PARTLY_ACCEPTED,
        response="Next year, budget allowing.",
    )
    with pytest.raises(ValidationError, match="after the consultation closes"):
        actions.publish_response(by=staff_member.user, consultation=consultation, summary="Done")
    close(consultation)
    actions.publish_response(by=staff_member.user, consultation=consultation, summary="Thanks all")
    consultation.refresh_from_db()
    assert consultation.has_response
    assert citizen.notifications.filter(reason__contains="answered a consultation").exists()
    assert citizen2.notifications.filter(reason__contains="answered a consultation").exists()
    comment.refresh_from_db()
    assert comment.theme == theme
    with pytest.raises(ValidationError, match="already"):
        actions.publish_response(by=staff_member.user, consultation=consultation, summary="Again")


def test_another_agencys_staff_cannot_publish_or_answer(
    other_staff, consultation, taken_part, close
):
    comment, amendment = taken_part
    close(consultation)
    with pytest.raises(PermissionDenied):
        actions.publish_response(by=other_staff.user, consultation=consultation, summary="No")
    with pytest.raises(PermissionDenied):
        actions.create_theme(by=other_staff.user, consultation=consultation, title="X")
    with pytest.raises(PermissionDenied):
        actions.answer_amendment(
            by=other_staff.user, amendment=amendment, outcome=Outcome.ACCEPTED, response="x"
        )
    consultation.refresh_from_db()
    assert not consultation.has_response


def test_citizen_cannot_answer(citizen, consultation, taken_part):
    _comment, amendment = taken_part
    with pytest.raises(PermissionDenied):
        actions.answer_amendment(
            by=citizen, amendment=amendment, outcome=Outcome.ACCEPTED, response="Yes!"
        )


def test_unanswered_amendment_blocks_publishing(staff_member, consultation, taken_part, close):
    close(consultation)
    with pytest.raises(ValidationError, match="Answer every theme and amendment"):
        actions.publish_response(by=staff_member.user, consultation=consultation, summary="Hi")


def test_bad_outcome_is_refused(staff_member, consultation, taken_part):
    _comment, amendment = taken_part
    with pytest.raises(ValidationError):
        actions.answer_amendment(
            by=staff_member.user, amendment=amendment, outcome="maybe", response="x"
        )


def test_theme_with_a_comment_of_another_consultation_is_refused(
    citizen, staff_member, make_consultation, consultation
):
    other = make_consultation(title="Another")
    elsewhere = actions.post_comment(by=citizen, consultation=other, body="Elsewhere")
    with pytest.raises(ValidationError):
        actions.create_theme(
            by=staff_member.user, consultation=consultation, title="T", comments=[elsewhere]
        )
