"""Questions with fixed answers: one choice, several, a scale; one answer per account."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from townhall.consultations import actions
from townhall.consultations.models import Answer, Consultation, QuestionKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(staff_member, make_consultation):
    consultation = make_consultation(opens_in=1, closes_in=10)
    by = staff_member.user
    single = actions.add_question(
        by=by,
        consultation=consultation,
        text="Best speed?",
        kind=QuestionKind.SINGLE,
        choices=["20 mph", "25 mph"],
    )
    several = actions.add_question(
        by=by,
        consultation=consultation,
        text="Which streets?",
        kind=QuestionKind.MULTIPLE,
        choices=["Monroe", "Cook", "Walnut"],
    )
    scale = actions.add_question(
        by=by, consultation=consultation, text="How safe do you feel?", kind=QuestionKind.SCALE
    )
    # Time passes: it opens.
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=timezone.now() - dt.timedelta(minutes=1)
    )
    consultation.refresh_from_db()
    return consultation, single, several, scale


def test_answers_are_checked_and_one_per_account(citizen, questions):
    consultation, single, several, scale = questions
    _answer, created = actions.answer_question(by=citizen, question=single, value="20 mph")
    assert created
    _answer, created = actions.answer_question(by=citizen, question=single, value="25 mph")
    assert not created
    assert Answer.objects.filter(question=single).count() == 1
    actions.answer_question(by=citizen, question=several, value=["Walnut", "Monroe"])
    assert Answer.objects.get(question=several).value == ["Monroe", "Walnut"]
    actions.answer_question(by=citizen, question=scale, value="4")
    for question, bad in (
        (single, "30 mph"),
        (several, []),
        (several, ["Elm"]),
        (scale, 6),
        (scale, True),
    ):
        with pytest.raises(ValidationError):
            actions.answer_question(by=citizen, question=question, value=bad)


def test_questions_are_added_by_the_agency_before_opening(
    citizen, other_staff, staff_member, consultation
):
    with pytest.raises(PermissionDenied):
        actions.add_question(by=other_staff.user, consultation=consultation, text="Q", kind="scale")
    with pytest.raises(ValidationError, match="before the consultation opens"):
        actions.add_question(
            by=staff_member.user, consultation=consultation, text="Q", kind="scale"
        )


def test_single_choice_needs_two_choices(staff_member, make_consultation):
    upcoming = make_consultation(opens_in=2, closes_in=9)
    with pytest.raises(ValidationError):
        actions.add_question(
            by=staff_member.user, consultation=upcoming, text="Q", kind="single", choices=["Only"]
        )


def test_page_form_api_and_export(client, citizen, citizen2, questions):
    consultation, single, several, scale = questions
    client.force_login(citizen)
    url = f"/consultations/{consultation.pk}/questions/{several.pk}/answer/"
    assert client.post(url, {"value": ["Cook", "Monroe"]}).status_code == 302
    bad = client.post(
        f"/consultations/{consultation.pk}/questions/{scale.pk}/answer/", {"value": "9"}
    )
    assert bad.status_code == 400
    assert "from 1 to 5" in bad.content.decode()
    from rest_framework.test import APIClient

    from townhall.identity.actions import issue_api_token

    _token, key = issue_api_token(by=citizen2, user=citizen2, name="t", via="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.post(
        f"/api/v1/consultations/{consultation.pk}/answers/",
        {"question": scale.pk, "value": 5},
        format="json",
    )
    assert response.status_code == 201
    detail = api.get(f"/api/v1/consultations/{consultation.pk}/").json()
    by_id = {q["id"]: q for q in detail["questions"]}
    assert by_id[scale.pk]["results"]["5"] == 1
    assert by_id[several.pk]["results"]["Cook"] == 1
    data = json.loads(client.get(f"/consultations/{consultation.pk}/export.json").content)
    assert {a["author"] for a in data["answers"]} == {"Alex Park", "Bea Lopez"}
    assert "answer" in client.get(f"/consultations/{consultation.pk}/export.csv").content.decode()
