"""`townhall expire_assurance`: levels whose record expired fall, and the person is told
once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from townhall.activity.models import Activity, Notification
from townhall.identity import actions
from townhall.identity.models import AssuranceLevel, AssuranceMethod

pytestmark = pytest.mark.django_db

IDENTITY = AssuranceLevel.IDENTITY_VERIFIED


def verified_until(user: Any, days: int, provider: str = "login-gov") -> Any:
    return actions.raise_assurance(
        by=user,
        user=user,
        level=IDENTITY,
        method=AssuranceMethod.OIDC,
        provider_id=provider,
        expires_at=timezone.now() + timedelta(days=days),
    )


def run() -> str:
    out = StringIO()
    call_command("expire_assurance", stdout=out)
    return out.getvalue()


def test_an_expired_level_falls_and_the_person_is_told_once(citizen: Any, citizen2: Any) -> None:
    verified_until(citizen, days=30)
    verified_until(citizen2, days=400)

    with freeze_time(timezone.now() + timedelta(days=31)):
        assert run().startswith("1 account(s) lowered")
        assert run().startswith("0 account(s) lowered")

    citizen.refresh_from_db()
    citizen2.refresh_from_db()
    assert citizen.assurance_level == AssuranceLevel.EMAIL_VERIFIED
    assert citizen2.assurance_level == IDENTITY
    told = Notification.objects.filter(recipient=citizen, reason="assurance_expired")
    assert told.count() == 1
    assert "expired" in told.get().activity.summary
    assert not Notification.objects.filter(recipient=citizen2, reason="assurance_expired")


def test_nothing_falls_before_the_expiry(citizen: Any) -> None:
    verified_until(citizen, days=30)

    with freeze_time(timezone.now() + timedelta(days=29)):
        assert run().startswith("0 account(s)")

    citizen.refresh_from_db()
    assert citizen.assurance_level == IDENTITY


def test_another_current_record_keeps_the_level_without_a_notice(citizen: Any) -> None:
    verified_until(citizen, days=30, provider="login-gov")
    verified_until(citizen, days=60, provider="id-me")

    with freeze_time(timezone.now() + timedelta(days=31)):
        assert actions.expire_assurance() == 0

    citizen.refresh_from_db()
    assert citizen.assurance_level == IDENTITY
    assert not Activity.objects.filter(verb="account.assurance_expired").exists()


def test_signing_in_after_expiry_also_tells_the_person(client: Any, citizen: Any) -> None:
    verified_until(citizen, days=1)

    with freeze_time(timezone.now() + timedelta(days=2)):
        client.force_login(citizen)
        assert run().startswith("0 account(s)")  # already lowered at sign-in

    citizen.refresh_from_db()
    assert citizen.assurance_level == AssuranceLevel.EMAIL_VERIFIED
    assert Notification.objects.filter(recipient=citizen, reason="assurance_expired").count() == 1


def test_the_task_runs_the_same_job(citizen: Any) -> None:
    from townhall.identity.tasks import expire_assurance

    verified_until(citizen, days=1)
    with freeze_time(timezone.now() + timedelta(days=2)):
        result = expire_assurance.enqueue()

    assert result.return_value == 1
