"""The demo city's consultations."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from townhall.consultations.models import Comment, Consultation, Status

pytestmark = pytest.mark.django_db


def test_demo_city_gets_an_open_and_an_answered_consultation(client) -> None:
    call_command("demo", verbosity=0)
    call_command("demo_consultations", verbosity=0)
    open_one = Consultation.objects.get(title="Safer streets plan")
    closed = Consultation.objects.get(title="Yard waste collection rules")
    assert open_one.status == Status.OPEN
    assert Comment.objects.filter(consultation=open_one).count() >= 30
    assert closed.status == Status.CLOSED and closed.has_response
    assert closed.current_version.number == 2
    assert closed.themes.exclude(outcome="").count() == 2
    for path in ("", "amendments/", "versions/", "versions/2/", "summary/", "response/"):
        assert client.get(f"/consultations/{closed.pk}/{path}").status_code == 200, path
    assert client.get(f"/consultations/{open_one.pk}/").status_code == 200
    call_command("demo_consultations", "--if-empty", verbosity=0)  # quietly does nothing
    assert Consultation.objects.count() == 2
