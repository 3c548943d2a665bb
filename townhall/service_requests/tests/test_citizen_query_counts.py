"""The status page and “My requests” cost a fixed number of queries, whatever the number
of requests, replies, files, promises and timeline entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from townhall.conversations.attachments import check_uploads
from townhall.service_requests import actions

from .conftest_citizen import status_url

pytestmark = pytest.mark.django_db

# 16: the timeline reads the request's commitment ids first (one small indexed query)
# and then the entries by their targets: scanning the whole activity log was slow.
# +1: the follow button (does the person follow it; the page has already checked they may
# see it). +1 for staff: whether they moderate (the navigation's link).
# -1: the replies' files and the files filed with the request are read together.
STATUS_PAGE_QUERIES = 18  # one is moderation's check of new authors' links
MY_REQUESTS_QUERIES = 6


def _text_file(n: int) -> Any:
    return SimpleUploadedFile(f"note-{n}.txt", f"Note number {n}".encode())


def _grow(report: Any, staff_member: Any, citizen: Any, rounds: int) -> None:
    """Replies with files, promises, clarifications and answers: many timeline entries."""
    if report.assignee_id is None:
        actions.take_request(by=staff_member.user, request=report)
    for n in range(rounds):
        actions.reply_to_request(
            by=staff_member.user,
            request=report,
            body=f"Update {n}",
            files=check_uploads([_text_file(n)]),
            promise=f"Promise {n}",
            promise_due_at=timezone.now() + dt.timedelta(days=300 + n),
        )
        actions.request_clarification(by=staff_member.user, request=report, body=f"Question {n}")
        actions.reply_to_request(by=citizen, request=report, body=f"Answer {n}")
        actions.add_internal_note(by=staff_member.user, request=report, body=f"Note {n}")


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("who", ["visitor", "requester", "other citizen", "staff"])
def test_the_status_page_costs_the_same_with_one_or_many_replies(
    client: Any,
    file_pothole: Any,
    citizen: Any,
    citizen2: Any,
    staff_member: Any,
    sign_in_staff: Any,
    django_assert_max_num_queries: Any,
    who: str,
) -> None:
    report = file_pothole(is_public=True, files=check_uploads([_text_file(99)]))
    if who == "requester":
        client.force_login(citizen)
    elif who == "other citizen":
        client.force_login(citizen2)
    elif who == "staff":
        client = sign_in_staff(staff_member.user)
    _grow(report, staff_member, citizen, 1)
    few = _count(client, status_url(report))
    _grow(report, staff_member, citizen, 12)
    many = _count(client, status_url(report))
    assert few == many
    with django_assert_max_num_queries(STATUS_PAGE_QUERIES):
        client.get(status_url(report))


def test_my_requests_costs_the_same_with_one_or_many_requests(
    client: Any,
    file_pothole: Any,
    citizen: Any,
    staff_member: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(citizen)
    url = reverse("requests:request-mine")
    actions.take_request(by=staff_member.user, request=file_pothole())
    few = _count(client, url)
    for n in range(30):
        report = file_pothole(description=f"Hole {n}")
        if n % 2:
            actions.take_request(by=staff_member.user, request=report)
    many = _count(client, url)
    assert few == many
    with django_assert_max_num_queries(MY_REQUESTS_QUERIES):
        client.get(url, {"page": "2"})
