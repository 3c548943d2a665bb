"""The unsubscribe link of every notification email works without signing in: opening it
only asks; the button (or a mail program's one-click POST) turns emails off; a changed
link is refused with a clear page and changes nothing."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from townhall.activity import emails
from townhall.activity.models import EmailFrequency, EmailPreference


def link_for(user: Any) -> str:
    return reverse("activity:unsubscribe", args=[emails.unsubscribe_token(user)])


def test_opening_the_link_signed_out_asks_and_changes_nothing(client: Any, citizen: Any) -> None:
    response = client.get(link_for(citizen))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Stop notification emails" in page
    assert 'method="post"' in page
    assert EmailPreference.frequency_of(citizen) == EmailFrequency.IMMEDIATELY
    assert not EmailPreference.objects.filter(user=citizen).exists()


def test_the_button_turns_emails_off_without_signing_in(client: Any, citizen: Any) -> None:
    response = client.post(link_for(citizen))
    assert response.status_code == 200
    assert "Notification emails are off" in response.content.decode()
    assert EmailPreference.frequency_of(citizen) == EmailFrequency.OFF
    assert "_auth_user_id" not in client.session  # nobody was signed in


def test_a_mail_programs_one_click_post_works_without_a_csrf_token(citizen: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(link_for(citizen), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert EmailPreference.frequency_of(citizen) == EmailFrequency.OFF


def test_a_tampered_link_is_refused_clearly_and_changes_nothing(
    client: Any, citizen: Any, citizen2: Any
) -> None:
    token = emails.unsubscribe_token(citizen)
    value, signature = token.split(":", 1)
    forged = emails.unsubscribe_token(citizen2).split(":", 1)[0] + ":" + signature
    for bad in [forged, token[:-2] + "xx", "nonsense", value]:
        url = reverse("activity:unsubscribe", args=[bad])
        for response in [client.get(url), client.post(url)]:
            assert response.status_code == 400
            assert "This unsubscribe link does not work" in response.content.decode()
    assert not EmailPreference.objects.exists()


def test_the_link_of_one_person_only_affects_that_person(
    client: Any, citizen: Any, citizen2: Any
) -> None:
    client.post(link_for(citizen))
    assert EmailPreference.frequency_of(citizen2) == EmailFrequency.IMMEDIATELY


def test_a_second_visit_says_emails_are_already_off(client: Any, citizen: Any) -> None:
    client.post(link_for(citizen))
    page = client.get(link_for(citizen)).content.decode()
    assert "already off" in page


def test_the_link_in_a_real_email_works(
    client: Any, citizen: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from townhall.activity.actions import notify, record_activity

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[citizen], activity=record_activity(verb="x", summary="Something"))
    header = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = header.removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert EmailPreference.frequency_of(citizen) == EmailFrequency.OFF
