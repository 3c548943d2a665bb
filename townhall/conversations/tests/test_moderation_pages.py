"""Moderation pages: the "Report" link and form, the moderators' queue and its actions, the
author's appeal, the public moderation log, and who may open each."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from townhall.conversations import discussions, moderation
from townhall.conversations.models import Message, Thread
from townhall.conversations.moderation_models import (
    Appeal,
    AppealOutcome,
    Flag,
    FlagState,
    ModerationEntry,
)

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_moderator(moderator: Any, staff_client_for: Any) -> Client:
    return staff_client_for(moderator.user)


def text(response: Any) -> str:
    return response.content.decode()


# --- reporting ------------------------------------------------------------------------------


def test_report_link_shows_to_signed_in_readers_other_than_the_author(
    bea_message: Message, citizen: Any, citizen2: Any
) -> None:
    link = f"/moderation/messages/{bea_message.pk}/report/"
    url = bea_message.thread.get_absolute_url()
    assert link in text(signed_in(citizen).get(url))
    assert link not in text(signed_in(citizen2).get(url))
    assert link not in text(Client().get(url))


def test_citizen_reports_a_message_through_the_form(bea_message: Message, citizen: Any) -> None:
    client = signed_in(citizen)
    url = f"/moderation/messages/{bea_message.pk}/report/"
    form = client.get(url)
    assert form.status_code == 200 and "555-0100" in text(form)
    response = client.post(url, {"category": "personal_data", "reason": "A phone number"})
    assert response.status_code == 302
    assert response["Location"] == bea_message.get_absolute_url()
    flag = Flag.objects.get()
    assert flag.category == "personal_data" and flag.reason == "A phone number"


def test_report_form_shows_what_is_wrong_next_to_the_field(
    bea_message: Message, citizen: Any
) -> None:
    client = signed_in(citizen)
    url = f"/moderation/messages/{bea_message.pk}/report/"
    missing = client.post(url, {"category": "spam", "reason": ""})
    assert missing.status_code == 400 and "Say what is wrong" in text(missing)
    assert client.post(url, {"category": "spam", "reason": "Spam"}).status_code == 302
    twice = client.post(url, {"category": "spam", "reason": "Spam again"})
    assert twice.status_code == 400 and "already reported" in text(twice)
    assert Flag.objects.count() == 1


def test_report_page_is_a_404_for_a_private_message_one_cannot_read(
    conversation: Thread, citizen2: Any
) -> None:
    message = conversation.messages.get()
    client = signed_in(citizen2)
    url = f"/moderation/messages/{message.pk}/report/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"category": "spam", "reason": "x"}).status_code == 404
    assert not Flag.objects.exists()


def test_visitors_are_sent_to_sign_in_to_report(bea_message: Message) -> None:
    response = Client().get(f"/moderation/messages/{bea_message.pk}/report/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the queue ------------------------------------------------------------------------------


def test_queue_is_for_moderators_only(
    citizen: Any, staff_member: Any, staff_client_for: Any
) -> None:
    assert signed_in(citizen).get("/moderation/").status_code == 403
    assert staff_client_for(staff_member.user).get("/moderation/").status_code == 403


def test_moderation_link_in_the_navigation_only_for_moderators(
    citizen: Any, as_moderator: Client
) -> None:
    assert 'href="/moderation/"' in text(as_moderator.get("/"))
    assert 'href="/moderation/"' not in text(signed_in(citizen).get("/"))


def test_site_wide_moderator_sees_the_link_and_every_agencys_queue(
    bea_message: Message, citizen: Any, site_moderator: Any
) -> None:
    site_moderator.is_staff = True
    site_moderator.save(update_fields=["is_staff"])
    moderation.flag_message(by=citizen, message=bea_message, reason="Phone number here")
    client = signed_in(site_moderator)
    assert 'href="/moderation/"' in text(client.get("/"))
    assert "Phone number here" in text(client.get("/moderation/"))


def test_queue_lists_flagged_messages_oldest_first_with_their_reports(
    discussion: Thread, bea_message: Message, citizen: Any, citizen2: Any, as_moderator: Client
) -> None:
    first = discussion.messages.order_by("pk").first()
    assert first is not None
    moderation.flag_message(by=citizen, message=bea_message, reason="Phone number here")
    moderation.flag_message(by=citizen2, message=first, reason="Off topic rant")
    page = text(as_moderator.get("/moderation/"))
    assert "2 reported messages" in page
    assert page.index("Phone number here") < page.index("Off topic rant")
    assert f"/moderation/messages/{bea_message.pk}/hide/" in page


def test_queue_of_an_agency_moderator_leaves_out_other_agencies(
    bea_message: Message, citizen: Any, other_moderator: Any, staff_client_for: Any
) -> None:
    moderation.flag_message(by=citizen, message=bea_message, reason="Phone number here")
    page = text(staff_client_for(other_moderator.user).get("/moderation/"))
    assert "Phone number here" not in page and "0 reported messages" in page


def test_queue_costs_a_fixed_number_of_queries(
    discussion: Thread,
    make_user: Any,
    citizen: Any,
    moderator: Any,
    as_moderator: Client,
    django_assert_max_num_queries: Any,
) -> None:
    def add_flagged(n: int) -> None:
        author = make_user(f"writer{n}@example.org", f"Writer {n}")
        message = discussions.post_in_discussion(by=author, thread=discussion, body=f"Rant {n}")
        moderation.flag_message(by=citizen, message=message, reason=f"Rude {n}")
        hidden = discussions.post_in_discussion(by=author, thread=discussion, body=f"Bad {n}")
        moderation.hide_message(by=moderator.user, message=hidden, reason="rude")
        moderation.appeal_message(by=author, message=hidden, text="Sorry")

    add_flagged(0)
    as_moderator.get("/moderation/")
    with django_assert_max_num_queries(20) as few:
        as_moderator.get("/moderation/")
    for n in range(1, 8):
        add_flagged(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(as_moderator.get("/moderation/"))
    assert "8 reported messages" in page and "8 appeals" in page


def test_moderator_hides_from_the_queue_and_everyone_reads_the_reason(
    bea_message: Message, citizen: Any, citizen2: Any, as_moderator: Client
) -> None:
    moderation.flag_message(by=citizen, message=bea_message, reason="Phone number")
    url = f"/moderation/messages/{bea_message.pk}/hide/"
    missing = as_moderator.post(url, {"reason": ""})
    assert missing.status_code == 400 and "public reason" in text(missing)
    assert not Message.objects.get(pk=bea_message.pk).is_hidden
    assert as_moderator.post(url, {"reason": "personal data"}).status_code == 302
    thread_url = bea_message.thread.get_absolute_url()
    notice = "Hidden by moderator Lee Chen: personal data"
    for reader in (Client(), signed_in(citizen)):
        page = text(reader.get(thread_url))
        assert notice in page and "555-0100" not in page
    authors_view = text(signed_in(citizen2).get(thread_url))
    assert notice in authors_view and "555-0100" in authors_view
    assert f"/moderation/messages/{bea_message.pk}/appeal/" in authors_view
    log = text(Client().get("/moderation/log/public-works/"))
    assert "personal data" in log and "Lee Chen" in log and "Hidden" in log


def test_other_agencys_moderator_gets_a_404_on_this_agencys_actions(
    bea_message: Message, other_moderator: Any, staff_client_for: Any
) -> None:
    client = staff_client_for(other_moderator.user)
    thread = bea_message.thread
    assert (
        client.post(f"/moderation/messages/{bea_message.pk}/hide/", {"reason": "x"}).status_code
        == 404
    )
    assert client.post(f"/moderation/threads/{thread.pk}/lock/", {"reason": "x"}).status_code == 404
    assert not ModerationEntry.objects.exists()


def test_citizen_cannot_use_moderator_pages(bea_message: Message, citizen: Any) -> None:
    client = signed_in(citizen)
    response = client.post(f"/moderation/messages/{bea_message.pk}/hide/", {"reason": "x"})
    assert response.status_code == 403
    assert not Message.objects.get(pk=bea_message.pk).is_hidden


def test_moderator_dismisses_reports_locks_and_unlocks_from_pages(
    bea_message: Message, citizen: Any, as_moderator: Client
) -> None:
    moderation.flag_message(by=citizen, message=bea_message, reason="Meh")
    dismissed = as_moderator.post(f"/moderation/messages/{bea_message.pk}/dismiss/")
    assert dismissed.status_code == 302
    assert Flag.objects.get().state == FlagState.DISMISSED
    thread = bea_message.thread
    lock_url = f"/moderation/threads/{thread.pk}/lock/"
    assert as_moderator.get(lock_url).status_code == 200
    assert as_moderator.post(lock_url, {"reason": ""}).status_code == 400
    assert as_moderator.post(lock_url, {"reason": "too heated"}).status_code == 302
    thread.refresh_from_db()
    assert thread.is_locked
    assert "Locked threads" in text(as_moderator.get("/moderation/"))
    assert as_moderator.post(f"/moderation/threads/{thread.pk}/unlock/").status_code == 302
    thread.refresh_from_db()
    assert not thread.is_locked


# --- appeals --------------------------------------------------------------------------------


def test_author_appeals_through_the_page_once_and_the_moderator_decides(
    bea_message: Message, citizen2: Any, moderator: Any, as_moderator: Client
) -> None:
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    author = signed_in(citizen2)
    url = f"/moderation/messages/{bea_message.pk}/appeal/"
    page = text(author.get(url))
    assert "Hidden by moderator Lee Chen: personal data" in page and "Send the appeal" in page
    assert author.post(url, {"text": ""}).status_code == 400
    assert author.post(url, {"text": "Joe agreed to share it."}).status_code == 302
    again = text(author.get(url))
    assert "Joe agreed to share it." in again and "Send the appeal" not in again
    appeal = Appeal.objects.get()
    queue = text(as_moderator.get("/moderation/"))
    assert "Joe agreed to share it." in queue
    decide = f"/moderation/appeals/{appeal.pk}/decide/"
    assert as_moderator.post(decide, {"outcome": "restore", "decision": ""}).status_code == 400
    response = as_moderator.post(decide, {"outcome": "restore", "decision": "Joe agreed"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.outcome == AppealOutcome.RESTORED
    assert not Message.objects.get(pk=bea_message.pk).is_hidden


def test_only_the_author_opens_the_appeal_page(
    bea_message: Message, citizen: Any, moderator: Any
) -> None:
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    url = f"/moderation/messages/{bea_message.pk}/appeal/"
    assert signed_in(citizen).get(url).status_code == 404
    assert signed_in(citizen).post(url, {"text": "Let me"}).status_code == 404
    assert not Appeal.objects.exists()


# --- the public log -------------------------------------------------------------------------


def test_agency_page_links_to_its_moderation_log(client: Client, agency: Any) -> None:
    assert "/moderation/log/public-works/" in text(client.get("/agencies/public-works/"))


def test_log_tells_of_a_private_conversation_only_that_it_was_one(
    conversation: Thread, moderator: Any
) -> None:
    message = conversation.messages.get()
    moderation.hide_message(by=moderator.user, message=message, reason="abusive language")
    log = text(Client().get("/moderation/log/public-works/"))
    assert "abusive language" in log and "A private conversation" in log
    assert "My water bill" not in log and "account number" not in log


def test_log_is_public_and_costs_a_fixed_number_of_queries(
    discussion: Thread,
    make_user: Any,
    moderator: Any,
    django_assert_max_num_queries: Any,
) -> None:
    def hide_one(n: int) -> None:
        author = make_user(f"w{n}@example.org", f"W {n}")
        message = discussions.post_in_discussion(by=author, thread=discussion, body=f"Bad {n}")
        moderation.hide_message(by=moderator.user, message=message, reason=f"reason {n}")

    hide_one(0)
    with django_assert_max_num_queries(6) as few:
        Client().get("/moderation/log/public-works/")
    for n in range(1, 12):
        hide_one(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        log = text(Client().get("/moderation/log/public-works/"))
    assert "reason 11" in log and "reason 0" in log


def test_log_of_an_unknown_agency_is_a_404(client: Client, agency: Any) -> None:
    assert client.get("/moderation/log/nowhere/").status_code == 404


def test_site_admin_reads_flags_log_and_appeals_in_the_admin_but_cannot_change_them(
    bea_message: Message, citizen: Any, citizen2: Any, moderator: Any, site_admin: Any
) -> None:
    flag = moderation.flag_message(by=citizen, message=bea_message, reason="Phone number")
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    moderation.appeal_message(by=citizen2, message=bea_message, text="Joe agreed.")
    client = signed_in(site_admin)
    for name in ("flag", "moderationentry", "appeal"):
        page = client.get(f"/admin/conversations/{name}/")
        assert page.status_code == 200
        assert client.get(f"/admin/conversations/{name}/add/").status_code == 403
    assert client.post(f"/admin/conversations/flag/{flag.pk}/delete/").status_code == 403
    assert Flag.objects.filter(pk=flag.pk).exists()
