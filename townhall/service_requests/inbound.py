"""Replies by email to notifications about a request (`activity.inbound`): posted with
`reply_to_request`, as if written on the request's page (requester as themselves, staff
signed with their work persona; closed requests refuse replies), files checked like
uploads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from townhall.activity.inbound import InboundAttachment, register_reply_handler
from townhall.conversations.inbound import checked_files

from .actions import reply_to_request
from .models import FINAL_STATUSES, ServiceRequest


def can_reply(user: Any, request: ServiceRequest) -> bool:
    if user is None or not user.is_active or request.status in FINAL_STATUSES:
        return False
    if request.requester_id == user.pk:
        return True
    return request.agency_id in set(
        user.staff_memberships.filter(is_active=True).values_list("agency_id", flat=True)
    )


def post_reply(
    *,
    user: Any,
    target: ServiceRequest,
    body: str,
    attachments: Sequence[InboundAttachment] = (),
) -> str:
    """Post an emailed reply on the request; returns the link to the request's page."""
    message = reply_to_request(by=user, request=target, body=body, files=checked_files(attachments))
    return f"{target.get_absolute_url()}#message-{message.pk}"


def register() -> None:
    register_reply_handler(ServiceRequest, post=post_reply, can_reply=can_reply)
