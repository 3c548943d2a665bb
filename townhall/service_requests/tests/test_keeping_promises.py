"""Keeping a promise typed in a reply (“I will call you by Friday”): `keep_promise` and
the inbox's “Mark as kept” button. Who may, which promises, and doing it twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from townhall.activity.models import Activity
from townhall.commitments.actions import mark_broken_commitments
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.service_requests import actions
from townhall.service_requests.models import ServiceRequest

pytestmark = pytest.mark.django_db

PROMISE = "I will call you by Friday"


def commitments_of(request: ServiceRequest) -> Any:
    return Commitment.objects.filter(
        subject_type__model="servicerequest", subject_id=str(request.pk)
    )


def promise_on(request: ServiceRequest, by: Any, text: str = PROMISE, days: int = 3) -> Commitment:
    actions.reply_to_request(
        by=by,
        request=request,
        body="Thank you, we will look at it.",
        promise=text,
        promise_due_at=timezone.now() + timedelta(days=days),
    )
    return commitments_of(request).filter(kind=CommitmentKind.CUSTOM).latest("pk")


def test_as_staff_i_take_it_promise_a_call_answer_it_and_see_every_commitment_kept(
    pothole_request: Any, sam: Any
) -> None:
    actions.take_request(by=sam, request=pothole_request)
    promise = promise_on(pothole_request, sam)
    actions.answer_request(by=sam, request=pothole_request, body="Filled this morning.")
    kept = actions.keep_promise(by=sam, request=pothole_request, commitment=promise)
    assert kept.state == CommitmentState.KEPT and kept.kept_at is not None
    assert set(commitments_of(pothole_request).values_list("kind", "state")) == {
        (CommitmentKind.ACKNOWLEDGE, CommitmentState.KEPT),
        (CommitmentKind.RESPOND, CommitmentState.KEPT),
        (CommitmentKind.CUSTOM, CommitmentState.KEPT),
    }
    entry = Activity.objects.filter(verb="request.promise_kept").get()
    assert entry.summary == (
        "Sam Rivera, Road Maintenance Supervisor, kept the promise “I will call you by Friday”"
    )
    assert entry.target == pothole_request and entry.citizen == pothole_request.requester


def test_the_moment_it_was_kept_is_the_one_given(pothole_request: Any, sam: Any) -> None:
    promise = promise_on(pothole_request, sam)
    when = timezone.now() + timedelta(hours=2)
    kept = actions.keep_promise(by=sam, request=pothole_request, commitment=promise, at=when)
    assert kept.kept_at == when
    assert Activity.objects.get(verb="request.promise_kept").occurred_at == when


def test_keeping_it_twice_changes_and_logs_nothing_more(pothole_request: Any, sam: Any) -> None:
    promise = promise_on(pothole_request, sam)
    first = actions.keep_promise(by=sam, request=pothole_request, commitment=promise)
    again = actions.keep_promise(by=sam, request=pothole_request, commitment=promise)
    assert again.kept_at == first.kept_at
    assert Activity.objects.filter(verb="request.promise_kept").count() == 1
    assert Activity.objects.filter(verb="commitment.kept", target_id=str(promise.pk)).count() == 1


def test_a_promise_kept_after_its_due_time_stays_broken_and_is_done_late(
    pothole_request: Any, sam: Any
) -> None:
    promise = promise_on(pothole_request, sam, days=1)
    later = promise.due_at + timedelta(hours=1)
    assert mark_broken_commitments(now=later) >= 1
    done = actions.keep_promise(by=sam, request=pothole_request, commitment=promise, at=later)
    assert done.state == CommitmentState.BROKEN and done.done_at == later
    assert "late" in Activity.objects.get(verb="request.promise_kept").summary


def test_a_citizen_cannot_mark_a_promise_kept(pothole_request: Any, sam: Any, citizen: Any) -> None:
    promise = promise_on(pothole_request, sam)
    with pytest.raises(PermissionDenied):
        actions.keep_promise(by=citizen, request=pothole_request, commitment=promise)
    assert Commitment.objects.get(pk=promise.pk).state == CommitmentState.OPEN


def test_staff_of_another_agency_cannot_mark_a_promise_kept(
    pothole_request: Any, sam: Any, other_staff: Any
) -> None:
    promise = promise_on(pothole_request, sam)
    with pytest.raises(PermissionDenied, match="Only staff of Public Works"):
        actions.keep_promise(by=other_staff.user, request=pothole_request, commitment=promise)
    assert Commitment.objects.get(pk=promise.pk).state == CommitmentState.OPEN


def test_the_standard_commitments_are_not_kept_this_way(pothole_request: Any, sam: Any) -> None:
    respond = commitments_of(pothole_request).get(kind=CommitmentKind.RESPOND)
    with pytest.raises(ValidationError) as refused:
        actions.keep_promise(by=sam, request=pothole_request, commitment=respond)
    assert "Only a promise written in a reply can be marked as kept" in str(refused.value)
    assert Commitment.objects.get(pk=respond.pk).state == CommitmentState.OPEN


def test_a_promise_about_another_request_is_refused(
    pothole_request: Any, file_pothole: Any, sam: Any
) -> None:
    other = file_pothole(description="Another hole, further up the street.")
    promise = promise_on(other, sam)
    with pytest.raises(ValidationError) as refused:
        actions.keep_promise(by=sam, request=pothole_request, commitment=promise)
    assert f"That promise is not about {pothole_request.reference}" in str(refused.value)
    assert Commitment.objects.get(pk=promise.pk).state == CommitmentState.OPEN


def test_a_cancelled_promise_can_no_longer_be_kept(pothole_request: Any, sam: Any) -> None:
    promise = promise_on(pothole_request, sam)
    actions.decline_request(by=sam, request=pothole_request, reason="Private land.")
    with pytest.raises(ValidationError, match="was cancelled; it can no longer be kept"):
        actions.keep_promise(by=sam, request=pothole_request, commitment=promise)


# --- the inbox's button ----------------------------------------------------------------------


def working_view(sr: ServiceRequest) -> str:
    return reverse("inbox:request", kwargs={"reference": sr.reference})


def keep_url(sr: ServiceRequest) -> str:
    return reverse("inbox:keep", kwargs={"reference": sr.reference})


def test_the_working_view_offers_mark_as_kept_next_to_an_open_promise_only(
    pothole_request: Any, sam: Any, sign_in_staff: Any
) -> None:
    client = sign_in_staff(sam)
    page = client.get(working_view(pothole_request)).content.decode()
    assert "Mark as kept" not in page  # the standard commitments have no such button
    promise = promise_on(pothole_request, sam, text="I will call you <b>soon</b>")
    page = client.get(working_view(pothole_request)).content.decode()
    assert page.count("Mark as kept") == 1
    assert f'name="keep-commitment" value="{promise.pk}"' in page
    assert "<b>soon</b>" not in page  # the promise's words are escaped


def test_mark_as_kept_keeps_the_promise_and_says_so(
    pothole_request: Any, sam: Any, sign_in_staff: Any
) -> None:
    promise = promise_on(pothole_request, sam)
    client = sign_in_staff(sam)
    response = client.post(
        keep_url(pothole_request), {"keep-commitment": promise.pk, "keep-submission": "t1"}
    )
    assert response.status_code == 302
    assert Commitment.objects.get(pk=promise.pk).state == CommitmentState.KEPT
    page = client.get(working_view(pothole_request)).content.decode()
    assert "is kept" in page and "Mark as kept" not in page


def test_mark_as_kept_sent_twice_is_done_once(
    pothole_request: Any, sam: Any, sign_in_staff: Any
) -> None:
    promise = promise_on(pothole_request, sam)
    client = sign_in_staff(sam)
    data = {"keep-commitment": promise.pk, "keep-submission": "twice"}
    client.post(keep_url(pothole_request), data)
    response = client.post(keep_url(pothole_request), data, follow=True)
    assert "sent twice" in response.content.decode()
    assert Activity.objects.filter(verb="request.promise_kept").count() == 1


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("respond", "Only a promise written in a reply can be marked as kept"),
        ("elsewhere", "That promise is not about"),
        ("missing", "That promise is not about"),
        ("nonsense", "Choose the promise you kept."),
    ],
)
def test_mark_as_kept_refuses_what_is_not_a_promise_of_this_request_in_the_summary(
    pothole_request: Any, file_pothole: Any, sam: Any, sign_in_staff: Any, kind: str, message: str
) -> None:
    if kind == "respond":
        target: Any = commitments_of(pothole_request).get(kind=CommitmentKind.RESPOND).pk
    elif kind == "elsewhere":
        target = promise_on(file_pothole(description="Another hole."), sam).pk
    elif kind == "missing":
        target = 987654321
    else:
        target = "1; DROP TABLE x\x00"
    client = sign_in_staff(sam)
    response = client.post(keep_url(pothole_request), {"keep-commitment": target})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not Activity.objects.filter(verb="request.promise_kept").exists()


def test_staff_of_another_agency_get_a_404_from_mark_as_kept(
    pothole_request: Any, sam: Any, other_staff: Any, sign_in_staff: Any
) -> None:
    promise = promise_on(pothole_request, sam)
    client = sign_in_staff(other_staff.user)
    response = client.post(keep_url(pothole_request), {"keep-commitment": promise.pk})
    assert response.status_code == 404
    assert Commitment.objects.get(pk=promise.pk).state == CommitmentState.OPEN
