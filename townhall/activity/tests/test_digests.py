"""The daily digest: one email a day per person who chose it, with their notifications not
yet emailed; never sent twice, whether the command runs again or twice at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from townhall.activity import emails, tasks
from townhall.activity.actions import notify, record_activity, set_email_frequency
from townhall.activity.models import EmailFrequency, Notification, Visibility


def tell(person: Any, summary: str, url: str = "/requests/SPR-2026-000001/") -> None:
    entry = record_activity(verb="request.updated", summary=summary, visibility=Visibility.PUBLIC)
    notify(recipients=[person], activity=entry, reason="You follow this request.", url=url)


def daily(person: Any) -> Any:
    set_email_frequency(by=person, user=person, frequency=EmailFrequency.DAILY)
    return person


def test_one_digest_groups_a_persons_notifications(
    citizen: Any, citizen2: Any, mailoutbox: Any
) -> None:
    daily(citizen)
    daily(citizen2)
    tell(citizen, "Your request was acknowledged")
    tell(citizen, "Your request was answered")
    tell(citizen2, "Bea's request was answered")
    assert emails.send_digests() == 2
    by_person = {message.to[0]: message for message in mailoutbox}
    alex = by_person["alex@example.org"]
    assert "2 new notifications" in alex.subject
    assert "Your request was acknowledged" in alex.body
    assert "Your request was answered" in alex.body
    assert "Bea's request" not in alex.body
    assert "http://127.0.0.1:8000/requests/SPR-2026-000001/" in alex.alternatives[0][0]
    assert alex.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "1 new notification" in by_person["bea@example.org"].subject
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_running_the_digest_twice_sends_once(citizen: Any, mailoutbox: Any) -> None:
    daily(citizen)
    tell(citizen, "Your request was answered")
    call_command("send_digests")
    call_command("send_digests")
    assert tasks.send_digests.call() == 0
    assert len(mailoutbox) == 1


def test_a_digest_goes_out_at_most_once_a_day(citizen: Any, mailoutbox: Any) -> None:
    daily(citizen)
    now = timezone.now()
    tell(citizen, "First thing")
    assert emails.send_digests(now=now) == 1
    tell(citizen, "Second thing")
    assert emails.send_digests(now=now + timedelta(hours=23)) == 0
    assert emails.send_digests(now=now + timedelta(days=1, minutes=5)) == 1
    assert len(mailoutbox) == 2
    assert "Second thing" in mailoutbox[1].body
    assert "First thing" not in mailoutbox[1].body


def test_people_who_want_email_at_once_or_never_get_no_digest(
    citizen: Any, citizen2: Any, mailoutbox: Any
) -> None:
    set_email_frequency(by=citizen2, user=citizen2, frequency=EmailFrequency.OFF)
    tell(citizen, "Emailed at once")  # outside a transaction: sent already
    tell(citizen2, "Never emailed")
    mailoutbox.clear()
    assert emails.send_digests() == 0
    assert mailoutbox == []


def test_nothing_new_means_no_digest(citizen: Any, mailoutbox: Any) -> None:
    daily(citizen)
    assert emails.send_digests() == 0
    assert mailoutbox == []


def test_notifications_older_than_the_lookback_are_left_out(citizen: Any, mailoutbox: Any) -> None:
    daily(citizen)
    tell(citizen, "Old news")
    Notification.objects.filter(recipient=citizen).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    tell(citizen, "Fresh news")
    assert emails.send_digests() == 1
    assert "Fresh news" in mailoutbox[0].body
    assert "Old news" not in mailoutbox[0].body


def test_the_digest_is_in_the_persons_language(make_user: Any, mailoutbox: Any) -> None:
    ana = daily(make_user("ana@example.org", "Ana Ruiz", preferred_language="es"))
    tell(ana, "Su solicitud fue contestada")
    assert emails.send_digests() == 1
    assert mailoutbox[0].extra_headers["Content-Language"] == "es"
    assert "Notificaciones" in mailoutbox[0].body
