"""An agency's public moderation log reads page by page with a keyset cursor: every entry
(messages and consultation comments alike) appears once, newest first, an "Older" link
leads on, a deep page costs what the first does, and a mangled link shows the newest
page with a warning instead of an error."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from townhall.consultations import actions as consultations
from townhall.conversations import moderation
from townhall.conversations.models import Message

pytestmark = pytest.mark.django_db

LOG = "/moderation/log/public-works/"


def reasons(html: str) -> list[str]:
    return re.findall(r'data-label="Public reason">([^<]+)</td>', html)


def older_link(html: str) -> str:
    found = re.search(r'href="(\?cursor=[^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else ""


@pytest.fixture
def long_log(bea_message: Message, moderator: Any, citizen2: Any) -> list[str]:
    """57 public entries, newest last in this list: hides and restores of a message, with
    two consultation comments hidden in between."""
    written = []
    now = timezone.now()
    consultation = consultations.create_consultation(
        by=moderator.user,
        agency=moderator.agency,
        title="Parks plan",
        summary="A draft.",
        sections=[("Trees", "More trees.")],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
    )
    for n in range(55):
        if n % 2 == 0:
            moderation.hide_message(by=moderator.user, message=bea_message, reason=f"hide {n}")
        else:
            moderation.restore_message(
                by=moderator.user, message=bea_message, reason=f"restore {n}"
            )
        written.append(f"hide {n}" if n % 2 == 0 else f"restore {n}")
        if n in (10, 40):
            comment = consultations.post_comment(
                by=citizen2, consultation=consultation, body=f"Comment {n}"
            )
            consultations.hide_comment(by=moderator.user, comment=comment, reason=f"comment {n}")
            written.append(f"comment {n}")
    return written


def test_every_entry_shows_once_newest_first_across_pages(
    long_log: list[str], django_assert_max_num_queries: Any
) -> None:
    client = Client()
    with django_assert_max_num_queries(20) as first_queries:
        first = client.get(LOG).content.decode()
    assert len(reasons(first)) == 50
    older = older_link(first)
    assert older
    with django_assert_max_num_queries(len(first_queries.captured_queries)):
        second = client.get(LOG + older)
    assert second.status_code == 200
    page_two = second.content.decode()
    assert reasons(first) + reasons(page_two) == list(reversed(long_log))
    assert not older_link(page_two)
    assert "Newest" in page_two


def test_a_mangled_link_shows_the_newest_page_with_a_warning(long_log: list[str]) -> None:
    for cursor in ("garbage", "%00", "x" * 500, "MjAyNnxmZWVkMHwx"):
        response = Client().get(LOG, {"cursor": cursor})
        assert response.status_code == 200
        page = response.content.decode()
        assert "That page link is not valid any more" in page
        assert reasons(page)[0] == long_log[-1]
