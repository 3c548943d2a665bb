"""Notifications by email: sent after commit through the task queue, once per activity and
person however often the task runs, in the person's language, with a link to the thing
and an unsubscribe link that works without signing in."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from townhall.activity import emails, tasks
from townhall.activity.actions import notify, record_activity, set_email_frequency
from townhall.activity.models import EmailFrequency, Notification, Visibility


def tell(people: list[Any], summary: str = "Your request SPR-2026-000001 was answered") -> Any:
    entry = record_activity(verb="request.answered", summary=summary, visibility=Visibility.PUBLIC)
    notify(
        recipients=people,
        activity=entry,
        reason="You filed this request.",
        url="/requests/SPR-2026-000001/",
    )
    return entry


def test_a_notification_is_emailed_after_commit(
    citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell([citizen])
    assert mailoutbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alex@example.org"]
    assert "Your request SPR-2026-000001 was answered" in message.subject
    assert "http://127.0.0.1:8000/requests/SPR-2026-000001/" in message.body
    assert "You filed this request." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http://127.0.0.1:8000/requests/SPR-2026-000001/"' in html
    assert Notification.objects.get(recipient=citizen).emailed_at is not None


def test_the_email_is_sent_once_even_when_the_task_runs_twice(
    citizen: Any, citizen2: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        entry = tell([citizen, citizen2])
    assert len(mailoutbox) == 2
    ids = [citizen.pk, citizen2.pk]
    # A retried or duplicated task: through the queue, and called directly.
    tasks.email_notifications.enqueue(activity_id=entry.pk, recipient_ids=ids)
    assert tasks.email_notifications.call(activity_id=entry.pk, recipient_ids=ids) == 0
    # notify() itself running again creates nothing and schedules nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(recipients=[citizen, citizen2], activity=entry) == 0
    assert sorted(message.to[0] for message in mailoutbox) == [
        "alex@example.org",
        "bea@example.org",
    ]


def test_a_failed_send_can_be_retried_and_then_sends_once(
    citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    entry = tell([citizen])

    def broken(*args: Any, **kwargs: Any) -> int:
        raise OSError("mail server down")

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", broken)
    with pytest.raises(OSError):
        emails.send_notification_emails(activity_id=entry.pk, recipient_ids=[citizen.pk])
    assert Notification.objects.get(recipient=citizen).emailed_at is None
    monkeypatch.undo()
    assert emails.send_notification_emails(activity_id=entry.pk, recipient_ids=[citizen.pk]) == 1
    assert emails.send_notification_emails(activity_id=entry.pk, recipient_ids=[citizen.pk]) == 0
    assert len(mailoutbox) == 1


def test_no_email_when_the_person_turned_emails_off(
    citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    set_email_frequency(by=citizen, user=citizen, frequency=EmailFrequency.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        tell([citizen])
    assert mailoutbox == []
    assert Notification.objects.get(recipient=citizen).emailed_at is None  # still in-app


def test_a_daily_digest_reader_gets_no_email_at_once(
    citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    set_email_frequency(by=citizen, user=citizen, frequency=EmailFrequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        tell([citizen])
    assert mailoutbox == []


def test_an_inactive_account_gets_no_email(
    citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        tell([citizen])
    assert mailoutbox == []


def test_a_spanish_speaker_gets_the_email_in_spanish(
    make_user: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ana = make_user("ana@example.org", "Ana Ruiz", preferred_language="es")
    with django_capture_on_commit_callbacks(execute=True):
        tell([ana])
    message = mailoutbox[0]
    assert message.extra_headers["Content-Language"] == "es"
    assert "Notificaciones" in message.body  # “Notifications”, already translated
    assert 'lang="es"' in message.alternatives[0][0]
    # and the thread's own language is left alone
    assert translation.get_language() == "en"


def test_an_english_speaker_gets_english(
    citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tell([citizen])
    assert mailoutbox[0].extra_headers["Content-Language"] == "en"
    assert "Notifications:" in mailoutbox[0].body


def test_every_email_carries_a_one_click_unsubscribe(
    citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tell([citizen])
    message = mailoutbox[0]
    link = emails.unsubscribe_url(citizen)
    assert link.startswith("http://127.0.0.1:8000/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert link in message.body
    assert link in message.alternatives[0][0]


def test_a_summary_with_line_breaks_makes_a_one_line_subject(
    citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tell([citizen], summary="Answered\r\nBcc: victim@example.com")
    assert "\n" not in mailoutbox[0].subject
    assert mailoutbox[0].bcc == []
    assert mailoutbox[0].message()["Bcc"] is None


def test_html_in_a_summary_is_escaped_in_the_html_part(
    citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tell([citizen], summary='<script>alert("x")</script> answered')
    html = mailoutbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@override_settings(SITE_URL="https://townhall.example.gov/")
def test_links_use_the_sites_public_address(
    citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tell([citizen])
    assert "https://townhall.example.gov/requests/SPR-2026-000001/" in mailoutbox[0].body
