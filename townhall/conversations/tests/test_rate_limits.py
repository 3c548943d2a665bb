"""Floods: an account writing as itself is refused past MESSAGES_PER_MINUTE and
MESSAGES_PER_HOUR with a clear message and nothing stored; new accounts' links show as
plain text until their first message has stood for a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from townhall.conversations import actions, discussions, moderation
from townhall.conversations.models import Message, Thread
from townhall.conversations.rendering import links_as_text, render_markdown

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings: Any) -> None:
    """The production defaults (tests elsewhere raise them to write long threads)."""
    settings.MESSAGES_PER_MINUTE = 10
    settings.MESSAGES_PER_HOUR = 100


def test_eleventh_message_in_a_minute_is_refused_with_a_clear_message(
    limits: None, discussion: Thread, citizen2: Any
) -> None:
    for n in range(10):
        discussions.post_in_discussion(by=citizen2, thread=discussion, body=f"Point {n}")
    with pytest.raises(moderation.RateLimited) as refused:
        discussions.post_in_discussion(by=citizen2, thread=discussion, body="Point 10")
    assert "10 messages in the last minute" in refused.value.messages[0]
    assert "Wait a minute" in refused.value.messages[0]
    assert Message.objects.filter(author=citizen2).count() == 10


def test_a_thousand_messages_in_a_minute_store_only_the_allowed_ten(
    limits: None, discussion: Thread, citizen2: Any
) -> None:
    refused = 0
    for n in range(1000):
        try:
            discussions.post_in_discussion(by=citizen2, thread=discussion, body=f"Flood {n}")
        except moderation.RateLimited:
            refused += 1
    assert refused == 990
    assert Message.objects.filter(author=citizen2).count() == 10


def test_hourly_cap_counts_the_last_hour_only(
    settings: Any, discussion: Thread, citizen2: Any
) -> None:
    settings.MESSAGES_PER_MINUTE = 1000
    settings.MESSAGES_PER_HOUR = 5
    for n in range(5):
        discussions.post_in_discussion(by=citizen2, thread=discussion, body=f"Point {n}")
    with pytest.raises(moderation.RateLimited, match="last hour"):
        discussions.post_in_discussion(by=citizen2, thread=discussion, body="Point 5")
    Message.objects.filter(author=citizen2).update(
        created_at=timezone.now() - dt.timedelta(minutes=61)
    )
    discussions.post_in_discussion(by=citizen2, thread=discussion, body="Point 5")


def test_other_accounts_are_not_held_back_by_one_flooder(
    limits: None, discussion: Thread, citizen: Any, citizen2: Any
) -> None:
    for n in range(10):
        discussions.post_in_discussion(by=citizen2, thread=discussion, body=f"Point {n}")
    discussions.post_in_discussion(by=citizen, thread=discussion, body="My turn")


def test_staff_answering_as_their_agency_are_not_limited(
    limits: None, citizen: Any, staff_member: Any
) -> None:
    thread = actions.start_conversation(
        by=citizen, staff=staff_member, subject="Bins", body="When are bins collected?"
    )
    for n in range(12):
        actions.reply_in_conversation(by=staff_member.user, thread=thread, body=f"Update {n}")
    assert thread.messages.filter(persona=staff_member).count() == 12


def test_rate_limit_shows_next_to_the_form_on_the_page(
    limits: None, discussion: Thread, citizen2: Any
) -> None:
    for n in range(10):
        discussions.post_in_discussion(by=citizen2, thread=discussion, body=f"Point {n}")
    client = Client()
    client.force_login(citizen2)
    response = client.post(f"/discussions/{discussion.pk}/messages/", {"body": "Point 10"})
    assert response.status_code == 400
    assert "10 messages in the last minute" in response.content.decode()


def test_rate_limit_over_the_api_is_a_400_in_the_standard_format(
    limits: None, citizen: Any, staff_member: Any
) -> None:
    from rest_framework.test import APIClient

    thread = actions.start_conversation(
        by=citizen, staff=staff_member, subject="Bins", body="When are bins collected?"
    )
    for n in range(9):
        actions.reply_in_conversation(by=citizen, thread=thread, body=f"Again {n}")
    client = APIClient()
    client.force_authenticate(citizen)
    response = client.post(
        f"/api/v1/conversations/{thread.pk}/messages/", {"body": "Hello?"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and "last minute" in body["errors"]["non_field_errors"][0]
    assert thread.messages.count() == 10


# --- new accounts' links ----------------------------------------------------------------


def test_links_as_text_keeps_the_address_readable_and_site_links_clickable() -> None:
    html = render_markdown(
        "See [cheap pills](https://spam.example/x?a=1&b=2) or <https://a.example>"
    )
    plain = links_as_text(html)
    assert "<a" not in plain
    assert "cheap pills (https://spam.example/x?a=1&amp;b=2)" in plain
    assert "https://a.example" in plain
    inner = links_as_text('<p><a href="/agencies/public-works/people/sam/">@sam</a></p>')
    assert '<a href="/agencies/public-works/people/sam/"' in inner


def test_new_accounts_links_are_plain_text_until_their_first_message_stood_a_day(
    discussion: Thread, citizen2: Any
) -> None:
    message = discussions.post_in_discussion(
        by=citizen2, thread=discussion, body="Buy at [my shop](https://shop.example)"
    )
    page = Client().get(discussion.get_absolute_url()).content.decode()
    assert "my shop (https://shop.example)" in page
    assert 'href="https://shop.example"' not in page
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    discussions.post_in_discussion(
        by=citizen2, thread=discussion, body="Again: [my shop](https://shop.example)"
    )
    page = Client().get(discussion.get_absolute_url()).content.decode()
    assert page.count('href="https://shop.example"') == 2


def test_plain_links_are_decided_in_one_query_per_page(
    discussion: Thread, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    authors = [make_user(f"new{n}@example.org", f"Newcomer {n}") for n in range(5)]
    for author in authors:
        discussions.post_in_discussion(by=author, thread=discussion, body="[x](https://x.example)")
    found = list(Message.objects.filter(thread=discussion))
    with django_assert_max_num_queries(1):
        moderation.prepare_messages(found, user=None, thread=discussion)
    assert all(m.display_html.count("<a") == 0 for m in found)
