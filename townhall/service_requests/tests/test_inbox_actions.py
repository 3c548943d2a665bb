"""Working on a request from the inbox: every form posts, redirects back with a message, or
shows the page again with the error summary — never a 500, never done twice."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from townhall.agencies import actions as agency_actions
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.conversations.models import Message
from townhall.service_requests import actions
from townhall.service_requests.models import Status

from .conftest_inbox import inbox_url, messages_of, page_text

pytestmark = pytest.mark.django_db

ERROR_SUMMARY = "There is a problem"


def post(client: Any, name: str, sr: Any, data: dict[str, Any] | None = None) -> Any:
    """Post a form of the working view and follow the redirect."""
    return client.post(inbox_url(name, sr), data or {}, follow=True)


def commitments_of(sr: Any) -> Any:
    return Commitment.objects.filter(subject_id=str(sr.pk)).order_by("made_at", "pk")


# --- take and assign -----------------------------------------------------------------------


def test_staff_member_takes_a_request_and_is_told(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    response = post(sam_client, "take", pothole_request)

    assert response.redirect_chain == [(inbox_url("request", pothole_request), 302)]
    assert f"You hold {pothole_request.reference}." in messages_of(response)
    pothole_request.refresh_from_db()
    assert pothole_request.assignee == sam_on_streets


def test_taking_twice_is_a_harmless_no_op(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    post(sam_client, "take", pothole_request)
    response = post(sam_client, "take", pothole_request)

    assert response.status_code == 200
    pothole_request.refresh_from_db()
    assert pothole_request.assignee == sam_on_streets
    assert pothole_request.thread.messages.count() == 0


def test_taking_a_request_held_by_a_colleague_names_them(
    sam_client: Any, colleague: Any, pothole_request: Any
) -> None:
    actions.take_request(by=colleague.user, request=pothole_request)

    response = post(sam_client, "take", pothole_request)

    assert response.status_code == 200
    assert ERROR_SUMMARY in page_text(response)
    assert "already held by Kim Osei" in page_text(response)
    pothole_request.refresh_from_db()
    assert pothole_request.assignee == colleague


def test_manager_assigns_a_request_to_a_colleague_and_a_team(
    staff_client_for: Any, manager: Any, colleague: Any, team: Any, pothole_request: Any
) -> None:
    client = staff_client_for(manager.user)

    response = post(
        client, "assign", pothole_request, {"assign-assignee": colleague.pk, "assign-team": team.pk}
    )

    assert f"{pothole_request.reference} is held by Kim Osei (Streets)." in messages_of(response)
    pothole_request.refresh_from_db()
    assert (pothole_request.assignee, pothole_request.team) == (colleague, team)


def test_staff_member_cannot_assign_a_colleague(
    sam_client: Any, colleague: Any, pothole_request: Any
) -> None:
    response = sam_client.post(
        inbox_url("assign", pothole_request), {"assign-assignee": colleague.pk}
    )

    assert response.status_code == 403
    assert "Only a manager or an administrator" in page_text(response)
    assert ERROR_SUMMARY in page_text(response)
    pothole_request.refresh_from_db()
    assert pothole_request.assignee is None


def test_assigning_someone_of_another_agency_is_refused_at_the_field(
    staff_client_for: Any, manager: Any, other_staff: Any, pothole_request: Any
) -> None:
    client = staff_client_for(manager.user)

    response = client.post(
        inbox_url("assign", pothole_request), {"assign-assignee": other_staff.pk}
    )

    assert response.status_code == 200
    assert "Person: Choose a person from the list." in page_text(response)


def test_assign_needs_a_person_or_a_team(
    staff_client_for: Any, manager: Any, pothole_request: Any
) -> None:
    response = staff_client_for(manager.user).post(inbox_url("assign", pothole_request), {})

    assert "Choose a person, a team, or both." in page_text(response)


# --- transfer ------------------------------------------------------------------------------


def test_transfer_to_another_team_with_a_public_note(
    sam_client: Any, site_admin: Any, agency: Any, pothole_request: Any
) -> None:
    water = agency_actions.create_team(by=site_admin, agency=agency, name="Water")

    response = post(
        sam_client,
        "transfer",
        pothole_request,
        {"transfer-team": water.pk, "transfer-note": "This is a burst water main."},
    )

    assert f"{pothole_request.reference} is transferred to Water." in messages_of(response)
    pothole_request.refresh_from_db()
    assert pothole_request.team == water
    assert pothole_request.status_reason == "This is a burst water main."


def test_transfer_to_another_agency_returns_to_the_queue(
    sam_client: Any, other_agency: Any, pothole_request: Any
) -> None:
    response = post(
        sam_client,
        "transfer",
        pothole_request,
        {"transfer-agency": other_agency.pk, "transfer-note": "It is in the park."},
    )

    assert response.redirect_chain[-1][0] == inbox_url("queue")
    assert f"{pothole_request.reference} is transferred to Parks and Recreation." in messages_of(
        response
    )
    pothole_request.refresh_from_db()
    assert pothole_request.agency == other_agency
    assert sam_client.get(inbox_url("request", pothole_request)).status_code == 404


def test_transfer_without_a_note_or_destination_shows_the_errors(
    sam_client: Any, pothole_request: Any
) -> None:
    response = sam_client.post(inbox_url("transfer", pothole_request), {"transfer-note": "   "})

    text = page_text(response)
    assert response.status_code == 200
    assert "Public note: Say why the request moves" in text
    assert "Choose the team or the agency to transfer to." in text
    assert 'href="#id_transfer-note"' in response.content.decode()


# --- reply, promise, note, clarify, answer -------------------------------------------------


def test_reply_is_sent_signed_by_the_staff_member(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    response = post(
        sam_client, "reply", pothole_request, {"reply-body": "  We will fix it this week.  "}
    )

    assert "Your reply is sent." in messages_of(response)
    message = Message.objects.get(thread=pothole_request.thread)
    assert message.body == "We will fix it this week."
    assert message.persona == sam_on_streets
    assert message.signature == "Sam Rivera, Road Maintenance Supervisor, Public Works"
    assert not message.is_internal


def test_reply_with_a_promise_and_a_date_is_due_at_the_end_of_that_day_locally(
    sam_client: Any, pothole_request: Any
) -> None:
    day = timezone.localdate() + dt.timedelta(days=30)

    response = post(
        sam_client,
        "reply",
        pothole_request,
        {
            "reply-body": "I will call you.",
            "reply-promise": "I will call you about the repair date",
            "reply-promise_date": day.isoformat(),
        },
    )

    assert "Your reply is sent, and your promise is recorded." in messages_of(response)
    promise = commitments_of(pothole_request).get(kind=CommitmentKind.CUSTOM)
    assert promise.description == "I will call you about the repair date"
    assert promise.state == CommitmentState.OPEN
    assert promise.due_at == dt.datetime.combine(
        day, dt.time(23, 59, 59), tzinfo=ZoneInfo("America/Chicago")
    )
    assert "“I will call you about the repair date” Open" in page_text(response)


def test_reply_with_a_promise_at_a_time_uses_the_agencys_time_zone(
    sam_client: Any, pothole_request: Any
) -> None:
    day = timezone.localdate() + dt.timedelta(days=30)

    post(
        sam_client,
        "reply",
        pothole_request,
        {
            "reply-body": "I will call you.",
            "reply-promise": "Call",
            "reply-promise_date": day.isoformat(),
            "reply-promise_time": "14:30",
        },
    )

    promise = commitments_of(pothole_request).get(kind=CommitmentKind.CUSTOM)
    assert promise.due_at == dt.datetime.combine(
        day, dt.time(14, 30), tzinfo=ZoneInfo("America/Chicago")
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"reply-promise": "Call you"},
            "Promised by (date): Give the date by which you promise it.",
        ),
        ({"reply-promise_date": "2099-01-01"}, "Promise: Say what you promise by that date."),
        (
            {"reply-promise": "Call you", "reply-promise_date": "2001-01-01"},
            "A promise must be due in the future.",
        ),
        (
            {"reply-promise": "Call you", "reply-promise_date": "2099-02-30"},
            "Enter a real date, for example 2026-11-20.",
        ),
        (
            {
                "reply-promise": "Call you",
                "reply-promise_date": "2099-01-01",
                "reply-promise_time": "25:99",
            },
            "Enter a time such as 14:30.",
        ),
        (
            {"reply-promise": "x" * 301, "reply-promise_date": "2099-01-01"},
            "300 characters or fewer",
        ),
    ],
)
def test_a_wrong_promise_is_explained_and_nothing_is_sent(
    sam_client: Any, pothole_request: Any, data: dict[str, str], error: str
) -> None:
    response = sam_client.post(inbox_url("reply", pothole_request), {"reply-body": "Hello", **data})

    assert response.status_code == 200
    assert ERROR_SUMMARY in page_text(response)
    assert error in page_text(response)
    assert not Message.objects.filter(thread=pothole_request.thread).exists()
    assert not commitments_of(pothole_request).filter(kind=CommitmentKind.CUSTOM).exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Reply: Write your reply."),
        ("   \n\t ", "Reply: Write your reply."),
        ("a\x00b", "The text contains a character that cannot be used."),
        ("x" * 20_001, "20000 characters or fewer"),
    ],
)
def test_an_empty_nul_or_huge_reply_is_refused_with_a_message(
    sam_client: Any, pothole_request: Any, body: str, error: str
) -> None:
    response = sam_client.post(inbox_url("reply", pothole_request), {"reply-body": body})

    assert response.status_code == 200
    assert error in page_text(response)
    assert not Message.objects.filter(thread=pothole_request.thread).exists()


def test_reply_kept_the_acknowledge_commitment_as_the_first_staff_reply(
    sam_client: Any, pothole_request: Any
) -> None:
    post(sam_client, "reply", pothole_request, {"reply-body": "Got it."})

    pothole_request.refresh_from_db()
    assert pothole_request.status == Status.ACKNOWLEDGED
    assert commitments_of(pothole_request).get(kind=CommitmentKind.ACKNOWLEDGE).state == "kept"


def test_an_unsafe_file_is_refused_next_to_the_file_field(
    sam_client: Any, pothole_request: Any
) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")

    response = sam_client.post(
        inbox_url("reply", pothole_request),
        {"reply-body": "See photo", "reply-attachments": [fake]},
    )

    assert response.status_code == 200
    assert "Attach files:" in page_text(response)
    assert not Message.objects.filter(thread=pothole_request.thread).exists()


def test_internal_note_is_saved_as_internal(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    response = post(sam_client, "note", pothole_request, {"note-body": "Crew 4 nearby."})

    assert "Your internal note is saved. The citizen does not see it." in messages_of(response)
    note = Message.objects.get(thread=pothole_request.thread)
    assert note.is_internal
    assert note.persona == sam_on_streets


def test_internal_note_is_allowed_on_a_closed_request(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    actions.close_request(by=sam_on_streets.user, request=pothole_request)

    post(sam_client, "note", pothole_request, {"note-body": "Closed after a call."})

    assert Message.objects.get(thread=pothole_request.thread).is_internal


def test_asking_for_clarification_pauses_the_clock(sam_client: Any, pothole_request: Any) -> None:
    response = post(
        sam_client, "clarify", pothole_request, {"clarify-body": "Which lane is it in?"}
    )

    assert "Your question is sent. The clock is paused until the citizen answers." in messages_of(
        response
    )
    pothole_request.refresh_from_db()
    assert pothole_request.status == Status.WAITING_FOR_CITIZEN
    assert pothole_request.paused_at is not None
    assert "Paused: waiting for the citizen" in page_text(response)


def test_answer_keeps_the_respond_commitment(sam_client: Any, pothole_request: Any) -> None:
    response = post(sam_client, "answer", pothole_request, {"answer-body": "Filled this morning."})

    assert "Your answer is sent." in messages_of(response)
    pothole_request.refresh_from_db()
    assert pothole_request.status == Status.ANSWERED
    assert commitments_of(pothole_request).get(kind=CommitmentKind.RESPOND).state == "kept"


# --- close, decline, duplicate, extend -----------------------------------------------------


def test_close_with_a_note(sam_client: Any, pothole_request: Any) -> None:
    response = post(sam_client, "close", pothole_request, {"close-note": "Repaired."})

    assert f"{pothole_request.reference} is closed." in messages_of(response)
    pothole_request.refresh_from_db()
    assert pothole_request.status == Status.CLOSED
    assert pothole_request.status_reason == "Repaired."


def test_closing_a_closed_request_shows_the_refusal(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    actions.close_request(by=sam_on_streets.user, request=pothole_request)

    response = sam_client.post(inbox_url("close", pothole_request), {})

    assert response.status_code == 200
    assert ERROR_SUMMARY in page_text(response)
    assert "This request is already closed." in page_text(response)
    assert response.context["bound"].errors


def test_decline_needs_a_public_reason(sam_client: Any, pothole_request: Any) -> None:
    refused = sam_client.post(inbox_url("decline", pothole_request), {"decline-reason": ""})
    assert "Reason (public): Give the reason; it is shown to the public." in page_text(refused)

    response = post(
        sam_client, "decline", pothole_request, {"decline-reason": "This road is private."}
    )

    assert f"{pothole_request.reference} is declined." in messages_of(response)
    pothole_request.refresh_from_db()
    assert pothole_request.status == Status.DECLINED
    assert pothole_request.status_reason == "This road is private."


def test_mark_duplicate_by_reference_of_the_original(
    sam_client: Any, file_pothole: Any, citizen2: Any, pothole_request: Any
) -> None:
    second = file_pothole(by=citizen2, description="Big hole outside number 12 Monroe.")

    response = post(
        sam_client,
        "duplicate",
        second,
        {"duplicate-original": f"  {pothole_request.reference.lower()} "},
    )

    assert (
        f"{second.reference} is marked as a duplicate of {pothole_request.reference}."
        in messages_of(response)
    )
    second.refresh_from_db()
    assert second.status == Status.DUPLICATE
    assert second.duplicate_of == pothole_request


@pytest.mark.parametrize(
    "original", ["SPR-2026-999999", "nonsense", "'; DROP TABLE x; --", "a\x00b", "x" * 30]
)
def test_mark_duplicate_of_something_unknown_is_explained(
    sam_client: Any, pothole_request: Any, original: str
) -> None:
    response = sam_client.post(
        inbox_url("duplicate", pothole_request), {"duplicate-original": original}
    )

    assert response.status_code == 200
    assert ERROR_SUMMARY in page_text(response)
    pothole_request.refresh_from_db()
    assert pothole_request.status == Status.SUBMITTED


def test_mark_duplicate_of_itself_is_refused(sam_client: Any, pothole_request: Any) -> None:
    response = sam_client.post(
        inbox_url("duplicate", pothole_request), {"duplicate-original": pothole_request.reference}
    )

    assert "A request cannot be a duplicate of itself." in page_text(response)


def test_mark_duplicate_of_another_agencys_request_is_refused(
    sam_client: Any, other_agency: Any, site_admin: Any, citizen: Any, pothole_request: Any
) -> None:
    parks_service = agency_actions.add_service(
        by=site_admin, agency=other_agency, code="bench", name="Broken bench"
    )
    theirs = actions.file_request(by=citizen, service=parks_service, description="Bench broken.")

    response = sam_client.post(
        inbox_url("duplicate", pothole_request), {"duplicate-original": theirs.reference}
    )

    assert f"There is no request {theirs.reference} that you can work on." in page_text(response)


def test_extend_an_foi_deadline_with_a_reason(sam_client: Any, foi_request: Any) -> None:
    before = foi_request.expected_at

    response = post(sam_client, "extend", foi_request, {"extend-reason": "Records are archived."})

    assert f"The deadline of {foi_request.reference} is extended." in messages_of(response)
    foi_request.refresh_from_db()
    assert foi_request.is_extended
    assert foi_request.expected_at > before


def test_extending_twice_or_a_non_foi_request_is_refused(
    sam_client: Any, pothole_request: Any, foi_request: Any
) -> None:
    post(sam_client, "extend", foi_request, {"extend-reason": "Archived."})
    again = sam_client.post(inbox_url("extend", foi_request), {"extend-reason": "More."})
    assert "already extended once" in page_text(again)

    pothole_response = sam_client.post(
        inbox_url("extend", pothole_request), {"extend-reason": "Why?"}
    )
    assert pothole_response.status_code == 200
    assert ERROR_SUMMARY in page_text(pothole_response)


# --- double submissions --------------------------------------------------------------------


def test_a_double_submitted_reply_is_sent_once(sam_client: Any, pothole_request: Any) -> None:
    form = sam_client.get(inbox_url("request", pothole_request)).context["forms"]["reply"]
    token = form["submission"].value()
    data = {"reply-body": "Sent once.", "reply-submission": token}

    first = sam_client.post(inbox_url("reply", pothole_request), data)
    second = sam_client.post(inbox_url("reply", pothole_request), data, follow=True)

    assert first.status_code == 302
    assert "That form was sent twice; it was done once." in messages_of(second)
    assert Message.objects.filter(thread=pothole_request.thread).count() == 1


def test_a_double_submitted_close_shows_no_error(sam_client: Any, pothole_request: Any) -> None:
    token = (
        sam_client.get(inbox_url("request", pothole_request))
        .context["forms"]["close"]["submission"]
        .value()
    )
    data = {"close-submission": token}

    sam_client.post(inbox_url("close", pothole_request), data)
    second = sam_client.post(inbox_url("close", pothole_request), data, follow=True)

    assert second.status_code == 200
    assert ERROR_SUMMARY not in page_text(second)


def test_a_corrected_form_can_be_sent_again_with_the_same_token(
    sam_client: Any, pothole_request: Any
) -> None:
    token = "a" * 32
    refused = sam_client.post(inbox_url("reply", pothole_request), {"reply-submission": token})
    assert refused.status_code == 200

    sent = sam_client.post(
        inbox_url("reply", pothole_request),
        {"reply-submission": token, "reply-body": "Now with text."},
    )

    assert sent.status_code == 302
    assert Message.objects.filter(thread=pothole_request.thread).count() == 1


def test_each_person_has_their_own_tokens(
    sam_client: Any, staff_client_for: Any, colleague: Any, pothole_request: Any
) -> None:
    data = {"note-body": "Same token", "note-submission": "b" * 32}

    sam_client.post(inbox_url("note", pothole_request), data)
    staff_client_for(colleague.user).post(inbox_url("note", pothole_request), data)

    assert Message.objects.filter(thread=pothole_request.thread).count() == 2


def test_odd_tokens_do_no_harm(sam_client: Any, pothole_request: Any) -> None:
    for token in ["\x00", "x" * 65, "key with spaces\n", "🙂"]:
        response = sam_client.post(
            inbox_url("note", pothole_request), {"note-body": "Hi", "note-submission": token}
        )
        assert response.status_code == 302, token
    assert Message.objects.filter(thread=pothole_request.thread).count() == 4
