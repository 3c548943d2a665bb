"""Fixtures of the privacy tests: a media folder of the test's own, and a citizen with a
bit of everything (requests public and private, messages, a file, a discussion post, a
conversation, follows, notifications, a token, a calendar address)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

LEGAL_NAME = "Alexandra Q. Parkinson"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    yield root


def photo(name: str = "hole.png") -> Any:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@dataclass
class Records:
    user: Any
    private_request: Any
    public_request: Any
    discussion: Any
    discussion_post: Any
    conversation: Any
    attachment: Any
    token_key: str


@pytest.fixture
def alex_records(
    citizen: Any, staff_member: Any, file_pothole: Any, foi_request: Any, agency: Any
) -> Records:
    """Alex Park with requests, messages, a file, a post, follows and notifications."""
    from townhall.activity.actions import follow, set_email_frequency
    from townhall.citizens.actions import record_access, set_join_up_consent
    from townhall.commitments.actions import create_calendar_feed
    from townhall.conversations.actions import start_conversation
    from townhall.conversations.attachments import check_uploads
    from townhall.conversations.discussions import post_in_discussion, start_discussion
    from townhall.conversations.models import Attachment
    from townhall.identity.actions import issue_api_token, update_profile
    from townhall.service_requests.actions import reply_to_request

    update_profile(
        by=citizen,
        user=citizen,
        display_name=citizen.display_name,
        legal_name=LEGAL_NAME,
        preferred_language="en",
    )
    private_request = file_pothole(is_public=False, files=check_uploads([photo()]))
    reply_to_request(by=citizen, request=private_request, body="It is getting deeper.")
    reply_to_request(
        by=staff_member.user, request=private_request, body="We will fill it this week."
    )
    reply_to_request(by=staff_member.user, request=foi_request, body="We are gathering them.")
    discussion = start_discussion(
        by=citizen, agency=agency, title="Snow on Monroe St", body="Who clears the sidewalks?"
    )
    post = post_in_discussion(by=citizen, thread=discussion, body="Thanks for the answers.")
    conversation = start_conversation(
        by=citizen, subject="Parking permit", body="Can I renew online?", staff=staff_member
    )
    follow(by=citizen, target=foi_request)
    set_email_frequency(by=citizen, user=citizen, frequency="daily")
    create_calendar_feed(by=citizen)
    set_join_up_consent(by=citizen, citizen=citizen, is_on=True)
    record_access(
        by=staff_member.user,
        citizen=citizen,
        screen="joined_up_view",
        reason="answering_request",
        subject=private_request.reference,
    )
    _token, key = issue_api_token(by=citizen, user=citizen, name="My script", via="test")
    citizen.refresh_from_db()
    return Records(
        user=citizen,
        private_request=private_request,
        public_request=foi_request,
        discussion=discussion,
        discussion_post=post,
        conversation=conversation,
        attachment=Attachment.objects.get(thread=private_request.thread),
        token_key=key,
    )
