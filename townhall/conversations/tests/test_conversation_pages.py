"""The conversation pages: asking from a profile or a team, reading and answering,
read receipts and promises, editing, the lists, permissions and a fixed query count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from townhall.commitments.models import Commitment
from townhall.conversations import actions
from townhall.conversations.models import Message, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(citizen: Any, staff_member: Any) -> Thread:
    return actions.start_conversation(
        by=citizen,
        staff=staff_member,
        subject="Pothole on Monroe Street",
        body="When will the pothole outside **number 12** be filled?",
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_profile_offers_to_ask_them(client: Client, staff_member: Any) -> None:
    page = client.get("/agencies/public-works/people/sam-rivera/").content.decode()
    assert "Ask Sam Rivera, Road Maintenance Supervisor" in page
    assert "/conversations/new/public-works/people/sam-rivera/" in page


def test_agency_page_offers_to_write_to_a_team(client: Client, team: Any) -> None:
    page = client.get("/agencies/public-works/").content.decode()
    assert f"/conversations/new/public-works/teams/{team.slug}/" in page


def test_visitor_is_asked_to_sign_in_first(client: Client, staff_member: Any) -> None:
    response = client.get("/conversations/new/public-works/people/sam-rivera/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_citizen_asks_from_the_profile_and_lands_on_the_conversation(
    citizen: Any, staff_member: Any
) -> None:
    client = signed_in(citizen)
    url = "/conversations/new/public-works/people/sam-rivera/"
    assert "Ask Sam Rivera, Road Maintenance Supervisor" in client.get(url).content.decode()
    response = client.post(url, {"subject": "Pothole", "body": "Is it *fixed*?"}, follow=True)
    thread = Thread.objects.get()
    assert response.redirect_chain[-1][0] == f"/conversations/{thread.pk}/"
    page = response.content.decode()
    assert "<em>fixed</em>" in page and "Not read yet" in page


def test_citizen_writes_to_a_team(citizen: Any, team: Any) -> None:
    response = signed_in(citizen).post(
        f"/conversations/new/public-works/teams/{team.slug}/",
        {"subject": "Bent sign", "body": "The stop sign on 5th is bent."},
    )
    assert response.status_code == 302
    assert Thread.objects.get().team == team


def test_empty_and_huge_bodies_are_refused_next_to_the_field(
    citizen: Any, staff_member: Any
) -> None:
    client = signed_in(citizen)
    url = "/conversations/new/public-works/people/sam-rivera/"
    for body, words in (("", "Write a message."), ("x" * 100_000, "messages can be at most")):
        response = client.post(url, {"subject": "Hi", "body": body})
        assert response.status_code == 400
        assert words in response.content.decode()
    assert not Thread.objects.exists()


def test_script_in_subject_and_body_is_shown_as_text(citizen: Any, staff_member: Any) -> None:
    client = signed_in(citizen)
    client.post(
        "/conversations/new/public-works/people/sam-rivera/",
        {"subject": "<script>alert(1)</script>", "body": "<b onmouseover=alert(1)>hi</b>"},
    )
    page = client.get(Thread.objects.get().get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b onmouseover" not in page


def test_staff_reads_answers_with_a_promise_and_the_citizen_sees_both(
    asked: Thread, citizen: Any, staff_member: Any, staff_client_for: Any
) -> None:
    staff = staff_client_for(staff_member.user)
    page = staff.get(asked.get_absolute_url()).content.decode()
    assert "Answer as Sam Rivera" in page and "Promised by (date)" in page
    day = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = staff.post(
        f"/conversations/{asked.pk}/messages/",
        {"body": "We fill it this week.", "promise": "I will call you", "promise_date": day},
    )
    assert response.status_code == 302
    assert Commitment.objects.get().holder == staff_member

    citizen_page = signed_in(citizen).get(asked.get_absolute_url()).content.decode()
    assert "Read by Sam Rivera" in citizen_page
    assert "Road Maintenance Supervisor, Public Works" in citizen_page
    assert "I will call you" in citizen_page
    assert "Promised by (date)" not in citizen_page  # citizens make no promises
    mine = signed_in(citizen).get("/conversations/").content.decode()
    assert "Pothole on Monroe Street" in mine and "I will call you" in mine


def test_promise_without_a_date_is_refused(
    asked: Thread, staff_member: Any, staff_client_for: Any
) -> None:
    response = staff_client_for(staff_member.user).post(
        f"/conversations/{asked.pk}/messages/", {"body": "Soon.", "promise": "I will call"}
    )
    assert response.status_code == 400
    assert "Give the date by which you promise it." in response.content.decode()
    assert asked.messages.count() == 1


def test_private_conversation_is_a_404_to_other_citizens_and_other_agencies(
    asked: Thread, citizen2: Any, other_staff: Any, staff_client_for: Any
) -> None:
    outsiders = [signed_in(citizen2), staff_client_for(other_staff.user)]
    for client in outsiders:
        assert client.get(asked.get_absolute_url()).status_code == 404
        response = client.post(f"/conversations/{asked.pk}/messages/", {"body": "Hi"})
        assert response.status_code == 404
        assert "Pothole on Monroe" not in client.get("/conversations/").content.decode()
    assert asked.messages.count() == 1


def test_staff_list_shows_conversations_addressed_to_them(
    asked: Thread, staff_member: Any, staff_client_for: Any
) -> None:
    page = staff_client_for(staff_member.user).get("/conversations/").content.decode()
    assert "Addressed to you and your teams" in page and "Pothole on Monroe Street" in page


def test_citizen_edits_a_message_and_the_earlier_version_is_shown(
    asked: Thread, citizen: Any
) -> None:
    client = signed_in(citizen)
    message = asked.messages.get()
    url = f"/conversations/{asked.pk}/messages/{message.pk}/edit/"
    assert client.post(url, {"body": "Is the pothole filled yet?"}).status_code == 302
    page = client.get(asked.get_absolute_url()).content.decode()
    assert "edited" in page and "Earlier versions" in page and "number 12" in page


def test_nobody_edits_someone_elses_message(
    asked: Thread, staff_member: Any, staff_client_for: Any
) -> None:
    message = asked.messages.get()
    response = staff_client_for(staff_member.user).post(
        f"/conversations/{asked.pk}/messages/{message.pk}/edit/", {"body": "Changed"}
    )
    assert response.status_code == 404
    assert Message.objects.get().body.startswith("When will")


def test_a_long_thread_page_costs_a_fixed_number_of_queries(
    asked: Thread,
    citizen: Any,
    staff_member: Any,
    staff_client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    due = timezone.now() + dt.timedelta(days=2)
    for n in range(30):
        actions.reply_in_conversation(by=citizen, thread=asked, body=f"Question {n}")
        actions.reply_in_conversation(
            by=staff_member.user,
            thread=asked,
            body=f"Answer {n}",
            promise=f"Promise {n}" if n % 10 == 0 else None,
            promise_due_at=due if n % 10 == 0 else None,
        )
    for message in asked.messages.filter(author=citizen)[:5]:
        actions.edit_message(by=citizen, message=message, body=message.body + " (edited)")
    staff = staff_client_for(staff_member.user)
    staff.get(asked.get_absolute_url())  # the receipts are written on the first read
    client = signed_in(citizen)
    with django_assert_max_num_queries(16):
        response = client.get(asked.get_absolute_url())
    assert response.content.decode().count("Read by Sam Rivera") == 31
    with django_assert_max_num_queries(24):
        assert staff.get(asked.get_absolute_url()).status_code == 200


def test_a_file_sent_with_a_message_downloads_for_the_conversation_only(
    citizen: Any, citizen2: Any, staff_member: Any, staff_client_for: Any
) -> None:
    from .sample_files import upload

    client = signed_in(citizen)
    client.post(
        "/conversations/new/public-works/people/sam-rivera/",
        {
            "subject": "Photo",
            "body": "See the list.",
            "attachments": [upload("list.txt", b"holes: 3\n", "text/plain")],
        },
    )
    thread = Thread.objects.get()
    file = thread.attachments.get()
    url = f"/conversations/{thread.pk}/files/{file.pk}/"
    assert url in client.get(thread.get_absolute_url()).content.decode()
    download = staff_client_for(staff_member.user).get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert signed_in(citizen2).get(url).status_code == 404


def test_a_disguised_file_is_refused_and_nothing_is_written(
    citizen: Any, staff_member: Any
) -> None:
    from .sample_files import upload

    response = signed_in(citizen).post(
        "/conversations/new/public-works/people/sam-rivera/",
        {
            "subject": "Photo",
            "body": "See the photo.",
            "attachments": [upload("photo.jpg", b"<script>alert(1)</script>", "image/jpeg")],
        },
    )
    assert response.status_code == 400
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_staff_marks_a_promise_kept_and_the_citizen_is_told(
    asked: Thread, citizen: Any, staff_member: Any, colleague: Any, staff_client_for: Any
) -> None:
    from townhall.activity.models import Notification

    actions.reply_in_conversation(
        by=staff_member.user,
        thread=asked,
        body="Filled tomorrow.",
        promise="I will send a photo",
        promise_due_at=timezone.now() + dt.timedelta(days=2),
    )
    promise = Commitment.objects.get()
    url = f"/conversations/{asked.pk}/promises/{promise.pk}/keep/"
    assert signed_in(citizen).post(url).status_code == 302
    promise.refresh_from_db()
    assert promise.state == "open"  # a citizen cannot keep the agency's promise
    staff = staff_client_for(staff_member.user)
    assert "Mark done" in staff.get(asked.get_absolute_url()).content.decode()
    assert staff.post(url).status_code == 302
    promise.refresh_from_db()
    assert promise.state == "kept"
    assert Notification.objects.filter(
        recipient=citizen, activity__verb="conversation.promise_kept"
    ).exists()
    page = signed_in(citizen).get(asked.get_absolute_url()).content.decode()
    assert "Kept" in page and "Mark done" not in page


def test_an_empty_form_is_refused_with_its_messages(citizen: Any, staff_member: Any) -> None:
    response = signed_in(citizen).post("/conversations/new/public-works/people/sam-rivera/", {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say in a few words what it is about." in page and "Write a message." in page
    assert not Thread.objects.exists()
