"""The lifecycle table: each action from each status either moves the request as the
table says, or is refused with a clear message and changes nothing at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from townhall.activity.models import Activity
from townhall.commitments.models import Commitment
from townhall.conversations.models import Message
from townhall.service_requests import actions
from townhall.service_requests.models import TRANSITIONS, ServiceRequest, Status

pytestmark = pytest.mark.django_db

S = Status


def put_in(status: str, request: ServiceRequest, sam: Any, citizen: Any, file: Any) -> None:
    """Bring a just-filed request to `status` through the actions."""
    if status == S.ACKNOWLEDGED:
        actions.reply_to_request(by=sam, request=request, body="Thanks, we have it.")
    elif status == S.IN_PROGRESS:
        actions.request_clarification(by=sam, request=request, body="Which side of the road?")
        actions.reply_to_request(by=citizen, request=request, body="The north side.")
    elif status == S.WAITING_FOR_CITIZEN:
        actions.request_clarification(by=sam, request=request, body="Which side of the road?")
    elif status == S.ANSWERED:
        actions.answer_request(by=sam, request=request, body="Fixed.")
    elif status == S.CLOSED:
        actions.close_request(by=sam, request=request)
    elif status == S.DECLINED:
        actions.decline_request(by=sam, request=request, reason="Not ours")
    elif status == S.DUPLICATE:
        actions.mark_duplicate(by=sam, request=request, original=file())
    request.refresh_from_db()
    assert request.status == status


ACTIONS: dict[str, tuple[str | None, Callable[..., Any]]] = {
    # name: (status it moves to — None when it does not change the status, the call)
    "clarify": (
        S.WAITING_FOR_CITIZEN,
        lambda r, sam, citizen, original: actions.request_clarification(
            by=sam, request=r, body="Which house?"
        ),
    ),
    "answer": (
        S.ANSWERED,
        lambda r, sam, citizen, original: actions.answer_request(by=sam, request=r, body="Done"),
    ),
    "close": (
        S.CLOSED,
        lambda r, sam, citizen, original: actions.close_request(by=sam, request=r),
    ),
    "reopen": (
        S.IN_PROGRESS,
        lambda r, sam, citizen, original: actions.reopen_request(
            by=citizen, request=r, reason="Still broken"
        ),
    ),
    "decline": (
        S.DECLINED,
        lambda r, sam, citizen, original: actions.decline_request(by=sam, request=r, reason="No"),
    ),
    "duplicate": (
        S.DUPLICATE,
        lambda r, sam, citizen, original: actions.mark_duplicate(
            by=sam, request=r, original=original
        ),
    ),
    "staff reply": (
        None,
        lambda r, sam, citizen, original: actions.reply_to_request(by=sam, request=r, body="Hi"),
    ),
    "citizen reply": (
        None,
        lambda r, sam, citizen, original: actions.reply_to_request(
            by=citizen, request=r, body="Hello"
        ),
    ),
}


def expected(status: str, action: str) -> str | None:
    """The status the table allows after `action`, or None when it must be refused."""
    target, _call = ACTIONS[action]
    final = status in (S.CLOSED, S.DECLINED, S.DUPLICATE)
    if target is None:  # replies: anywhere but a final status
        if final:
            return None
        if action == "staff reply" and status == S.SUBMITTED:
            return S.ACKNOWLEDGED
        if action == "citizen reply" and status == S.WAITING_FOR_CITIZEN:
            return S.IN_PROGRESS
        return status
    if action == "reopen":  # only from answered or closed
        return target if status in (S.ANSWERED, S.CLOSED) else None
    return target if target in TRANSITIONS[status] else None


def snapshot(request: ServiceRequest) -> tuple[Any, ...]:
    request.refresh_from_db()
    return (
        {f.attname: getattr(request, f.attname) for f in ServiceRequest._meta.concrete_fields},
        Activity.objects.count(),
        Message.objects.count(),
        list(Commitment.objects.order_by("pk").values_list("pk", "state", "due_at")),
    )


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("status", list(Status.values))
def test_every_action_from_every_status_follows_the_table(
    status: str, action: str, file_pothole: Any, sam: Any, citizen: Any
) -> None:
    request = file_pothole()
    put_in(status, request, sam, citizen, file_pothole)
    original = file_pothole()
    outcome = expected(status, action)
    call = ACTIONS[action][1]
    if outcome is None:
        before = snapshot(request)
        with pytest.raises(ValidationError) as refused:
            call(request, sam, citizen, original)
        message = " ".join(refused.value.messages)
        assert message.startswith("This request"), message
        assert snapshot(request) == before
    else:
        call(request, sam, citizen, original)
        request.refresh_from_db()
        assert request.status == outcome


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (S.CLOSED, "close", "This request is already closed."),
        (S.ANSWERED, "answer", "This request is already answered."),
        (S.DECLINED, "close", "This request was declined; it cannot be closed."),
        (S.CLOSED, "answer", "This request is closed; reopen it before it can be answered."),
        (
            S.ANSWERED,
            "clarify",
            "This request is answered; it cannot be put on hold for a clarification now.",
        ),
        (
            S.DUPLICATE,
            "staff reply",
            "This request is marked as a duplicate; replies are closed. Reopen it or file a new request.",
        ),
        (
            S.IN_PROGRESS,
            "reopen",
            "This request is in progress, not answered or closed; there is nothing to reopen.",
        ),
    ],
)
def test_refusals_say_why_in_plain_words(
    status: str, action: str, message: str, file_pothole: Any, sam: Any, citizen: Any
) -> None:
    request = file_pothole()
    put_in(status, request, sam, citizen, file_pothole)
    with pytest.raises(ValidationError) as refused:
        ACTIONS[action][1](request, sam, citizen, file_pothole())
    assert refused.value.messages == [message]
