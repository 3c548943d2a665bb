"""Staff may save a consultation as a draft, or for a later date, and publish it when it
is ready. Until then nothing about it is public: not the page, not the public activity
log or the agency's feed, and followers hear of it only once it is published (at once
for "Publish it now", by the scheduled `announce_consultations` for a date that came)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from townhall.activity.actions import follow
from townhall.activity.models import Activity, Notification
from townhall.consultations import actions
from townhall.consultations.models import Consultation

from .test_staff_pages import CREATE, _new_consultation

pytestmark = pytest.mark.django_db


def _public_log_mentions(title: str) -> bool:
    return Activity.objects.public().filter(summary__contains=title).exists()


@pytest.fixture
def follower(make_user: Any, agency: Any) -> Any:
    person = make_user("follower@example.org", "Fay Follower")
    follow(by=person, target=agency)
    return person


def _told(person: Any) -> int:
    return Notification.objects.filter(recipient=person).count()


def test_a_draft_stays_with_staff_until_published_from_its_page(
    sign_in_staff: Any, staff_member: Any, agency: Any, follower: Any, citizen: Any
) -> None:
    staff = sign_in_staff(staff_member.user)
    response = staff.post(CREATE, _new_consultation(agency, keep_as_draft="on"))
    assert response.status_code == 302
    draft = Consultation.objects.get(title="Quieter nights plan")
    assert draft.published_at is None and draft.announced_at is None

    page = staff.get(draft.get_absolute_url()).content.decode()
    assert "A draft: only staff of" in page and "Publish it now" in page
    assert Client().get(draft.get_absolute_url()).status_code == 404
    reader = Client()
    reader.force_login(citizen)
    assert reader.get(draft.get_absolute_url()).status_code == 404
    assert "Quieter nights plan" not in Client().get("/consultations/").content.decode()
    assert not _public_log_mentions("Quieter nights plan")
    assert _told(follower) == 0

    publish = reverse("consultations:consultation-publish", kwargs={"pk": draft.pk})
    assert reader.post(publish).status_code in (403, 404)
    assert staff.post(publish).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.announced_at is not None
    assert Client().get(draft.get_absolute_url()).status_code == 200
    assert _public_log_mentions("Quieter nights plan")
    assert _told(follower) == 1
    again = staff.post(publish, follow=True).content.decode()
    assert "already published" in again
    assert _told(follower) == 1


def test_a_date_and_the_draft_box_together_are_refused(
    sign_in_staff: Any, staff_member: Any, agency: Any
) -> None:
    staff = sign_in_staff(staff_member.user)
    later = timezone.localtime(timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = staff.post(CREATE, _new_consultation(agency, keep_as_draft="on", published_at=later))
    assert response.status_code == 400
    assert "Choose a publication date or keep it as a draft, not both." in (
        response.content.decode()
    )
    assert not Consultation.objects.exists()


def test_a_scheduled_consultation_is_announced_once_when_its_day_comes(
    staff_member: Any, follower: Any
) -> None:
    now = timezone.now()
    consultation = actions.create_consultation(
        by=staff_member.user,
        agency=staff_member.agency,
        title="Library hours",
        summary="Longer evening hours.",
        sections=[("Hours", "Open until 9 pm.")],
        published_at=now + dt.timedelta(days=1),
        opens_at=now + dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=20),
    )
    assert consultation.is_scheduled and not _public_log_mentions("Library hours")
    actions.add_question(
        by=staff_member.user, consultation=consultation, text="Which evening?", kind="scale"
    )
    assert not Activity.objects.public().filter(verb__startswith="consultation.").exists()
    assert actions.announce_due_consultations(now=now) == 0
    assert _told(follower) == 0

    Consultation.objects.filter(pk=consultation.pk).update(published_at=now)  # the day came
    out = io.StringIO()
    call_command("announce_consultations", stdout=out)
    call_command("announce_consultations", stdout=out)
    assert out.getvalue().splitlines() == [
        "Announced 1 consultation(s).",
        "Announced 0 consultation(s).",
    ]
    assert _public_log_mentions("Library hours")
    assert _told(follower) == 1
    consultation.refresh_from_db()
    assert consultation.announced_at == consultation.published_at


def test_only_the_agencys_staff_publish(staff_member: Any, other_staff: Any, citizen: Any) -> None:
    now = timezone.now()
    draft = actions.create_consultation(
        by=staff_member.user,
        agency=staff_member.agency,
        title="Quiet zones",
        summary="Draft.",
        sections=[("Where", "Near hospitals.")],
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
        keep_as_draft=True,
    )
    for outsider in (other_staff.user, citizen):
        with pytest.raises(PermissionDenied):
            actions.publish_consultation(by=outsider, consultation=draft)
    draft.refresh_from_db()
    assert draft.published_at is None
    actions.publish_consultation(by=staff_member.user, consultation=draft)
    with pytest.raises(ValidationError):
        actions.publish_consultation(by=staff_member.user, consultation=draft)
