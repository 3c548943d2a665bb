"""Staff work on a request: take, assign, transfer, reply, notes, answer, decline,
duplicates, extensions, bulk actions, saved replies; and who may do each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.activity.models import Activity, Visibility
from townhall.agencies import actions as agency_actions
from townhall.agencies.models import StaffRole
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.conversations.models import Message
from townhall.service_requests import actions
from townhall.service_requests.models import SavedReply, ServiceRequest, Status, Support

pytestmark = pytest.mark.django_db

CHICAGO_FRIDAY = datetime(2030, 3, 8, 17, 0, tzinfo=UTC)


def commitment(request: ServiceRequest, kind: str) -> Commitment:
    return Commitment.objects.filter(
        subject_type__model="servicerequest", subject_id=str(request.pk), kind=kind
    ).latest("made_at", "pk")


def last_activity(verb: str) -> Activity:
    return Activity.objects.filter(verb=verb).latest("occurred_at", "id")


# --- take and assign ---------------------------------------------------------------------


def test_staff_take_a_request_and_the_log_names_them(
    pothole_request: Any, sam: Any, staff_member: Any
) -> None:
    taken = actions.take_request(by=sam, request=pothole_request)
    assert taken.assignee == staff_member
    assert pothole_request.assignee_id == staff_member.pk  # the caller's copy is updated
    entry = last_activity("request.taken")
    assert entry.summary == "Sam Rivera, Road Maintenance Supervisor, took this request"
    assert entry.persona == staff_member and entry.citizen == pothole_request.requester
    assert entry.visibility == Visibility.PARTICIPANTS


def test_taking_a_request_you_hold_changes_nothing(pothole_request: Any, sam: Any) -> None:
    actions.take_request(by=sam, request=pothole_request)
    actions.take_request(by=sam, request=pothole_request)
    assert Activity.objects.filter(verb="request.taken").count() == 1


def test_the_second_of_two_staff_taking_at_once_is_told_who_holds_it(
    pothole_request: Any, sam: Any, colleague: Any
) -> None:
    # Both opened the request before either took it: Kim's copy still shows no one.
    kims_copy = ServiceRequest.objects.get(pk=pothole_request.pk)
    actions.take_request(by=sam, request=pothole_request)
    assert kims_copy.assignee_id is None
    with pytest.raises(ValidationError) as refused:
        actions.take_request(by=colleague.user, request=kims_copy)
    assert "already held by Sam Rivera, Road Maintenance Supervisor" in refused.value.messages[0]
    pothole_request.refresh_from_db()
    assert pothole_request.assignee.public_name == "Sam Rivera"


@pytest.mark.parametrize("who", ["citizen", "citizen2", "other_staff", "anonymous"])
def test_only_the_agencys_staff_can_take_a_request(
    pothole_request: Any, who: str, request: Any
) -> None:
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        actions.take_request(by=user, request=pothole_request)
    pothole_request.refresh_from_db()
    assert pothole_request.assignee is None


def test_an_inactive_staff_member_cannot_act(
    pothole_request: Any, sam: Any, staff_member: Any, site_admin: Any
) -> None:
    agency_actions.update_staff_membership(
        by=site_admin, membership=staff_member, changes={"is_active": False}
    )
    with pytest.raises(PermissionDenied):
        actions.take_request(by=sam, request=pothole_request)


def test_staff_may_assign_to_themselves_but_not_to_others(
    pothole_request: Any, sam: Any, staff_member: Any, colleague: Any
) -> None:
    actions.assign_request(by=sam, request=pothole_request, assignee=staff_member)
    assert pothole_request.assignee == staff_member
    with pytest.raises(PermissionDenied, match="manager"):
        actions.assign_request(by=sam, request=pothole_request, assignee=colleague)
    pothole_request.refresh_from_db()
    assert pothole_request.assignee == staff_member


def test_staff_may_let_go_of_their_request_but_not_take_it_from_a_colleague(
    pothole_request: Any, sam: Any, colleague: Any
) -> None:
    actions.take_request(by=colleague.user, request=pothole_request)
    with pytest.raises(PermissionDenied):
        actions.assign_request(by=sam, request=pothole_request, unassign=True)
    actions.assign_request(by=colleague.user, request=pothole_request, unassign=True)
    assert pothole_request.assignee is None
    assert "left this request unassigned" in last_activity("request.assigned").summary


def test_leaving_out_the_assignee_keeps_the_holder(
    pothole_request: Any, sam: Any, staff_member: Any, team: Any
) -> None:
    actions.take_request(by=sam, request=pothole_request)
    actions.assign_request(by=sam, request=pothole_request, team=team)
    pothole_request.refresh_from_db()
    assert pothole_request.assignee == staff_member and pothole_request.team == team
    assert last_activity("request.assigned").summary == (
        "Sam Rivera, Road Maintenance Supervisor, moved this request to the team Streets"
    )


def test_a_manager_may_return_many_requests_to_the_unassigned_queue(
    file_pothole: Any, manager: Any, sam: Any
) -> None:
    one = file_pothole()
    actions.take_request(by=sam, request=one)
    result = actions.bulk_assign(by=manager.user, requests=[one], assignee=None)
    assert result.done == [one.reference]
    one.refresh_from_db()
    assert one.assignee is None


def test_a_manager_assigns_a_colleague_and_a_team(
    pothole_request: Any, manager: Any, colleague: Any, team: Any
) -> None:
    actions.assign_request(by=manager.user, request=pothole_request, assignee=colleague, team=team)
    pothole_request.refresh_from_db()
    assert pothole_request.assignee == colleague and pothole_request.team == team
    assert last_activity("request.assigned").summary == (
        "Lee Chen, Streets Manager, assigned this request to Kim Osei, Inspector "
        "and moved it to the team Streets"
    )


def test_a_site_administrator_may_assign_anyone(
    pothole_request: Any, site_admin: Any, colleague: Any
) -> None:
    actions.assign_request(by=site_admin, request=pothole_request, assignee=colleague)
    assert pothole_request.assignee == colleague
    assert last_activity("request.assigned").summary.startswith("A site administrator assigned")


def test_assignee_and_team_must_belong_to_the_requests_agency(
    pothole_request: Any, manager: Any, other_staff: Any, other_agency: Any, site_admin: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.assign_request(by=manager.user, request=pothole_request, assignee=other_staff)
    assert "assignee" in refused.value.message_dict
    rangers = agency_actions.create_team(by=site_admin, agency=other_agency, name="Rangers")
    with pytest.raises(ValidationError) as refused:
        actions.assign_request(by=manager.user, request=pothole_request, team=rangers)
    assert "team" in refused.value.message_dict


# --- transfer ----------------------------------------------------------------------------


def test_transfer_to_another_team_needs_a_public_note_and_clears_the_assignee(
    pothole_request: Any, sam: Any, team: Any
) -> None:
    actions.take_request(by=sam, request=pothole_request)
    with pytest.raises(ValidationError) as refused:
        actions.transfer_request(by=sam, request=pothole_request, note="  ", team=team)
    assert "note" in refused.value.message_dict
    actions.transfer_request(by=sam, request=pothole_request, note="Streets handle this", team=team)
    pothole_request.refresh_from_db()
    assert pothole_request.team == team and pothole_request.assignee is None
    assert pothole_request.status_reason == "Streets handle this"
    assert last_activity("request.transferred").summary == (
        "Sam Rivera, Road Maintenance Supervisor, transferred this request to the team "
        "Streets: Streets handle this"
    )


def test_transfer_to_another_agency_moves_the_thread_and_open_commitments(
    pothole_request: Any, sam: Any, other_agency: Any, other_staff: Any
) -> None:
    actions.take_request(by=sam, request=pothole_request)
    actions.transfer_request(
        by=sam, request=pothole_request, note="The hole is in the park", agency=other_agency
    )
    pothole_request.refresh_from_db()
    assert pothole_request.agency == other_agency
    assert pothole_request.thread.agency == other_agency
    assert set(
        Commitment.objects.filter(subject_id=str(pothole_request.pk)).values_list(
            "agency", flat=True
        )
    ) == {other_agency.pk}
    # Parks staff can now work on it; Public Works staff no longer can.
    actions.take_request(by=other_staff.user, request=pothole_request)
    with pytest.raises(PermissionDenied):
        actions.take_request(by=sam, request=pothole_request)


def test_a_transfer_to_where_it_already_is_is_refused(
    pothole_request: Any, sam: Any, agency: Any
) -> None:
    with pytest.raises(ValidationError, match="another team or another agency"):
        actions.transfer_request(by=sam, request=pothole_request, note="x", agency=agency)


def test_staff_of_another_agency_cannot_transfer_a_request(
    pothole_request: Any, other_staff: Any, other_agency: Any
) -> None:
    with pytest.raises(PermissionDenied):
        actions.transfer_request(
            by=other_staff.user, request=pothole_request, note="mine now", agency=other_agency
        )


# --- replies, promises, notes ------------------------------------------------------------


def test_the_first_staff_reply_keeps_acknowledge_and_acknowledges(
    pothole_request: Any, sam: Any, staff_member: Any
) -> None:
    message = actions.reply_to_request(by=sam, request=pothole_request, body="We are on it.")
    assert message.persona == staff_member
    assert message.signature == "Sam Rivera, Road Maintenance Supervisor, Public Works"
    assert pothole_request.status == Status.ACKNOWLEDGED
    assert commitment(pothole_request, CommitmentKind.ACKNOWLEDGE).state == CommitmentState.KEPT
    assert commitment(pothole_request, CommitmentKind.RESPOND).state == CommitmentState.OPEN
    assert last_activity("request.replied").summary == (
        "Sam Rivera, Road Maintenance Supervisor, replied"
    )
    actions.reply_to_request(by=sam, request=pothole_request, body="Crew booked for Tuesday.")
    assert pothole_request.status == Status.ACKNOWLEDGED
    assert Message.objects.count() == 2


def test_a_reply_with_a_promise_makes_a_custom_commitment(
    pothole_request: Any, sam: Any, staff_member: Any
) -> None:
    actions.reply_to_request(
        by=sam,
        request=pothole_request,
        body="I will call you.",
        promise="I will call you by Friday",
        promise_due_at=CHICAGO_FRIDAY,
    )
    promise = commitment(pothole_request, CommitmentKind.CUSTOM)
    assert promise.description == "I will call you by Friday"
    assert promise.due_at == CHICAGO_FRIDAY
    assert promise.made_by_persona == staff_member
    assert promise.made_to == pothole_request.requester
    assert promise.is_public is False  # as private as the request


@pytest.mark.parametrize(
    ("promise", "due", "field"),
    [
        ("I will call", None, "promise_due_at"),
        ("", CHICAGO_FRIDAY, "promise"),
        ("I will call", datetime(2020, 1, 1, tzinfo=UTC), "promise_due_at"),
        ("I will call", datetime(2030, 1, 1), "promise_due_at"),  # no time zone
    ],
)
def test_a_half_given_or_past_promise_is_refused_and_nothing_is_sent(
    pothole_request: Any, sam: Any, promise: str, due: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.reply_to_request(
            by=sam, request=pothole_request, body="Hi", promise=promise, promise_due_at=due
        )
    assert field in refused.value.message_dict
    assert not Message.objects.exists()
    assert pothole_request.status == Status.SUBMITTED


@pytest.mark.parametrize("body", ["", "   ", "x" * 20_001, "bad\x00byte"])
def test_a_bad_reply_body_is_refused(pothole_request: Any, sam: Any, body: str) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.reply_to_request(by=sam, request=pothole_request, body=body)
    assert "body" in refused.value.message_dict
    pothole_request.refresh_from_db()
    assert pothole_request.status == Status.SUBMITTED
    assert commitment(pothole_request, CommitmentKind.ACKNOWLEDGE).state == CommitmentState.OPEN


def test_the_requester_replies_as_themselves(pothole_request: Any, citizen: Any) -> None:
    message = actions.reply_to_request(by=citizen, request=pothole_request, body="It got worse")
    assert message.persona is None and message.signature == "Alex Park"
    assert pothole_request.status == Status.SUBMITTED
    assert commitment(pothole_request, CommitmentKind.ACKNOWLEDGE).state == CommitmentState.OPEN


def test_citizens_cannot_make_promises(pothole_request: Any, citizen: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.reply_to_request(
            by=citizen,
            request=pothole_request,
            body="x",
            promise="p",
            promise_due_at=CHICAGO_FRIDAY,
        )


@pytest.mark.parametrize("who", ["citizen2", "other_staff", "anonymous"])
def test_others_cannot_reply(pothole_request: Any, who: str, request: Any) -> None:
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.reply_to_request(by=getattr(user, "user", user), request=pothole_request, body="hi")
    assert not Message.objects.exists()


def test_internal_notes_are_for_staff_only(
    pothole_request: Any, sam: Any, citizen: Any, other_staff: Any
) -> None:
    note = actions.add_internal_note(by=sam, request=pothole_request, body="Caller sounded upset")
    assert note.is_internal
    entry = last_activity("request.noted")
    assert entry.visibility == Visibility.STAFF
    assert not Activity.objects.visible_to(citizen).filter(pk=entry.pk).exists()
    assert not Activity.objects.visible_to(other_staff.user).filter(pk=entry.pk).exists()
    # A note is not a reply to the citizen: nothing is acknowledged.
    assert pothole_request.status == Status.SUBMITTED
    for user in (citizen, other_staff.user):
        with pytest.raises(PermissionDenied):
            actions.add_internal_note(by=user, request=pothole_request, body="x")


# --- answer, close, decline ---------------------------------------------------------------


def test_answering_keeps_respond_and_acknowledge(pothole_request: Any, sam: Any) -> None:
    actions.answer_request(by=sam, request=pothole_request, body="Patched this morning.")
    pothole_request.refresh_from_db()
    assert pothole_request.status == Status.ANSWERED
    assert pothole_request.answered_at is not None
    for kind in (CommitmentKind.ACKNOWLEDGE, CommitmentKind.RESPOND):
        assert commitment(pothole_request, kind).state == CommitmentState.KEPT
    assert last_activity("request.answered").summary == (
        "Sam Rivera, Road Maintenance Supervisor, answered this request"
    )


def test_an_answer_after_the_due_date_counts_the_promise_as_broken(
    file_pothole: Any, sam: Any
) -> None:
    request = file_pothole(at=datetime(2026, 3, 2, 16, tzinfo=UTC))
    actions.answer_request(
        by=sam, request=request, body="Sorry it took so long", at=datetime(2026, 4, 1, tzinfo=UTC)
    )
    respond = commitment(request, CommitmentKind.RESPOND)
    assert respond.state == CommitmentState.BROKEN and respond.done_at is not None


def test_staff_closing_keeps_open_commitments(pothole_request: Any, sam: Any) -> None:
    actions.close_request(by=sam, request=pothole_request, note="Fixed")
    assert pothole_request.status == Status.CLOSED and pothole_request.closed_at is not None
    assert pothole_request.status_reason == "Fixed"
    assert commitment(pothole_request, CommitmentKind.RESPOND).state == CommitmentState.KEPT
    assert last_activity("request.closed").summary.endswith("closed this request: Fixed")


def test_the_requester_may_withdraw_their_request(pothole_request: Any, citizen: Any) -> None:
    actions.close_request(by=citizen, request=pothole_request)
    assert pothole_request.status == Status.CLOSED
    assert last_activity("request.closed").summary == "Alex Park withdrew this request"
    # The agency did not do the work, so the promise is not counted as kept.
    assert commitment(pothole_request, CommitmentKind.RESPOND).state != CommitmentState.KEPT


def test_another_citizen_cannot_close_a_request(pothole_request: Any, citizen2: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.close_request(by=citizen2, request=pothole_request)


def test_closing_a_closed_request_says_so(pothole_request: Any, sam: Any) -> None:
    actions.close_request(by=sam, request=pothole_request)
    with pytest.raises(ValidationError) as refused:
        actions.close_request(by=sam, request=pothole_request)
    assert refused.value.messages == ["This request is already closed."]


def test_declining_cancels_open_commitments_with_the_public_reason(
    pothole_request: Any, sam: Any
) -> None:
    actions.decline_request(by=sam, request=pothole_request, reason="That road is the state's")
    assert pothole_request.status == Status.DECLINED
    assert pothole_request.status_reason == "That road is the state's"
    for kind in (CommitmentKind.ACKNOWLEDGE, CommitmentKind.RESPOND):
        cancelled = commitment(pothole_request, kind)
        assert cancelled.state == CommitmentState.CANCELLED
        assert cancelled.closed_reason == "That road is the state's"


def test_declining_needs_a_reason(pothole_request: Any, sam: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.decline_request(by=sam, request=pothole_request, reason="")
    assert "reason" in refused.value.message_dict
    assert pothole_request.status == Status.SUBMITTED


def test_the_requester_may_reopen_within_the_period(
    pothole_request: Any, sam: Any, citizen: Any
) -> None:
    actions.answer_request(by=sam, request=pothole_request, body="Done")
    actions.reopen_request(by=citizen, request=pothole_request, reason="It is back")
    assert pothole_request.status == Status.IN_PROGRESS
    assert pothole_request.status_reason == "It is back"
    assert (
        last_activity("request.reopened").summary == "Alex Park reopened this request: It is back"
    )


def test_reopening_after_the_period_is_refused(file_pothole: Any, sam: Any, citizen: Any) -> None:
    request = file_pothole(at=datetime(2026, 3, 2, 16, tzinfo=UTC))
    actions.close_request(by=sam, request=request, at=datetime(2026, 3, 3, tzinfo=UTC))
    with pytest.raises(ValidationError, match="no longer be reopened"):
        actions.reopen_request(
            by=citizen, request=request, reason="Again", at=datetime(2026, 4, 3, tzinfo=UTC)
        )
    actions.reopen_request(
        by=citizen, request=request, reason="Again", at=datetime(2026, 4, 1, tzinfo=UTC)
    )


# --- duplicates --------------------------------------------------------------------------


def test_a_duplicate_merges_its_followers_into_the_original(
    file_pothole: Any, sam: Any, citizen: Any, citizen2: Any, make_user: Any
) -> None:
    original = file_pothole(is_public=True)
    third = make_user("cy@example.org", "Cy")
    duplicate = file_pothole(by=citizen2, is_public=True)
    actions.support_request(by=third, request=duplicate)
    actions.mark_duplicate(by=sam, request=duplicate, original=original, note="Same hole")
    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert duplicate.status == Status.DUPLICATE and duplicate.duplicate_of == original
    assert set(Support.objects.filter(request=original).values_list("user", flat=True)) == {
        citizen2.pk,
        third.pk,
    }
    assert original.supporter_count == 2
    assert commitment(duplicate, CommitmentKind.RESPOND).state == CommitmentState.CANCELLED
    assert last_activity("request.duplicate").summary.endswith(
        f"marked this request as a duplicate of {original.reference}: Same hole"
    )


def test_the_original_requester_does_not_support_their_own_request(
    file_pothole: Any, sam: Any, citizen: Any
) -> None:
    original = file_pothole(is_public=True)
    duplicate = file_pothole(is_public=True)  # Alex reported it twice
    actions.mark_duplicate(by=sam, request=duplicate, original=original)
    assert not Support.objects.filter(request=original).exists()


def test_a_request_cannot_duplicate_itself_a_duplicate_or_another_agencys(
    file_pothole: Any, sam: Any, citizen: Any, other_agency: Any, site_admin: Any
) -> None:
    one, two, three = file_pothole(), file_pothole(), file_pothole()
    with pytest.raises(ValidationError, match="itself"):
        actions.mark_duplicate(by=sam, request=one, original=one)
    actions.mark_duplicate(by=sam, request=two, original=one)
    with pytest.raises(ValidationError, match="itself a duplicate"):
        actions.mark_duplicate(by=sam, request=three, original=two)
    swings = agency_actions.add_service(
        by=site_admin, agency=other_agency, code="swing", name="Swing"
    )
    elsewhere = actions.file_request(by=citizen, service=swings, description="Broken swing")
    with pytest.raises(ValidationError) as refused:
        actions.mark_duplicate(by=sam, request=three, original=elsewhere)
    assert "original" in refused.value.message_dict


# --- FOI extension -----------------------------------------------------------------------


def test_an_foi_deadline_is_extended_once_by_ten_working_days(foi_request: Any, sam: Any) -> None:
    old_due = commitment(foi_request, CommitmentKind.RESPOND).due_at
    extension = actions.extend_deadline(
        by=sam, request=foi_request, reason="The records are in the archive"
    )
    respond = Commitment.objects.get(subject_id=str(foi_request.pk), kind=CommitmentKind.RESPOND)
    assert respond.state == CommitmentState.RENEGOTIATED
    assert respond.closed_reason == "The records are in the archive"
    assert respond.replaced_by == extension
    assert extension.kind == CommitmentKind.EXTENSION and extension.is_public
    assert extension.due_at > old_due + timedelta(days=13)  # 10 working days: two weeks or more
    foi_request.refresh_from_db()
    assert foi_request.is_extended and foi_request.expected_at == extension.due_at
    with pytest.raises(ValidationError, match="already extended"):
        actions.extend_deadline(by=sam, request=foi_request, reason="Again")
    # The answer keeps the extension commitment.
    actions.answer_request(by=sam, request=foi_request, body="Here are the records.")
    extension.refresh_from_db()
    assert extension.state == CommitmentState.KEPT


def test_a_service_without_extension_cannot_be_extended(pothole_request: Any, sam: Any) -> None:
    with pytest.raises(ValidationError, match="no extension"):
        actions.extend_deadline(by=sam, request=pothole_request, reason="Busy")
    assert not pothole_request.is_extended


def test_only_staff_extend_deadlines(foi_request: Any, citizen: Any, other_staff: Any) -> None:
    for user in (citizen, other_staff.user):
        with pytest.raises(PermissionDenied):
            actions.extend_deadline(by=user, request=foi_request, reason="x")


# --- bulk --------------------------------------------------------------------------------


def test_managers_assign_in_bulk_and_refusals_are_listed(
    file_pothole: Any, manager: Any, colleague: Any, sam: Any
) -> None:
    one, two, closed = file_pothole(), file_pothole(), file_pothole()
    actions.close_request(by=sam, request=closed)
    result = actions.bulk_assign(by=manager.user, requests=[one, two, closed], assignee=colleague)
    assert result.done == [one.reference, two.reference]
    assert [reference for reference, _ in result.refused] == [closed.reference]
    assert "closed" in result.refused[0][1]
    assert int(result) == 2
    assert set(ServiceRequest.objects.filter(assignee=colleague)) == {one, two}


def test_managers_close_in_bulk(file_pothole: Any, manager: Any) -> None:
    one, two = file_pothole(), file_pothole()
    result = actions.bulk_close(by=manager.user, requests=[one, two], note="Road resurfaced")
    assert len(result.done) == 2 and not result.refused
    assert ServiceRequest.objects.filter(status=Status.CLOSED).count() == 2


def test_staff_who_are_not_managers_cannot_act_in_bulk(
    file_pothole: Any, sam: Any, other_staff: Any, site_admin: Any, other_agency: Any
) -> None:
    one = file_pothole()
    with pytest.raises(PermissionDenied):
        actions.bulk_close(by=sam, requests=[one], note="x")
    # A manager of another agency gets each request of this one refused.
    agency_actions.update_staff_membership(
        by=site_admin, membership=other_staff, changes={"role": StaffRole.MANAGER}
    )
    result = actions.bulk_close(by=other_staff.user, requests=[one], note="x")
    assert not result.done and result.refused[0][0] == one.reference
    one.refresh_from_db()
    assert one.status == Status.SUBMITTED


# --- saved replies and routing rules ------------------------------------------------------


def test_managers_keep_saved_replies_for_their_team(manager: Any, team: Any, sam: Any) -> None:
    saved = actions.create_saved_reply(
        by=manager.user, team=team, title="Crew booked", body="A crew will come this week."
    )
    assert SavedReply.objects.get() == saved
    with pytest.raises(PermissionDenied):
        actions.create_saved_reply(by=sam, team=team, title="t", body="b")
    with pytest.raises(PermissionDenied):
        actions.delete_saved_reply(by=sam, saved_reply=saved)
    actions.delete_saved_reply(by=manager.user, saved_reply=saved)
    actions.delete_saved_reply(by=manager.user, saved_reply=saved)  # twice: nothing happens
    assert not SavedReply.objects.exists()


def test_a_saved_reply_needs_a_title_and_a_body(manager: Any, team: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.create_saved_reply(by=manager.user, team=team, title=" ", body="b")
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.create_saved_reply(by=manager.user, team=team, title="t", body="x" * 5_001)
    assert "body" in refused.value.message_dict


def test_routing_rules_are_for_managers_and_the_agencys_own_teams(
    manager: Any, sam: Any, team: Any, agency: Any, other_agency: Any, site_admin: Any
) -> None:
    with pytest.raises(PermissionDenied):
        actions.add_routing_rule(by=sam, agency=agency, team=team)
    rangers = agency_actions.create_team(by=site_admin, agency=other_agency, name="Rangers")
    with pytest.raises(ValidationError):
        actions.add_routing_rule(by=manager.user, agency=agency, team=rangers)
    with pytest.raises(ValidationError):
        actions.add_routing_rule(
            by=manager.user, agency=agency, team=team, area=("40", "-89", "39", "-90")
        )
    rule = actions.add_routing_rule(
        by=manager.user, agency=agency, team=team, keywords="pothole, Pothole,  crater "
    )
    assert rule.keywords == ["pothole", "crater"]


@pytest.mark.django_db(transaction=True)
def test_two_staff_taking_at_the_same_moment_the_second_waits_and_is_refused(
    file_pothole: Any, sam: Any, colleague: Any
) -> None:
    """Really at once, on PostgreSQL: Sam's transaction holds the row while Kim tries."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL.")
    request = file_pothole()
    sam_took, let_sam_commit = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def sam_takes() -> None:
        try:
            with transaction.atomic():
                actions.take_request(by=sam, request=ServiceRequest.objects.get(pk=request.pk))
                sam_took.set()
                let_sam_commit.wait(10)
        finally:
            connections.close_all()

    def kim_takes() -> None:
        try:
            actions.take_request(
                by=colleague.user, request=ServiceRequest.objects.get(pk=request.pk)
            )
            outcome["kim"] = "took it"
        except ValidationError as error:
            outcome["kim"] = error.messages[0]
        finally:
            connections.close_all()

    sam_thread = threading.Thread(target=sam_takes)
    sam_thread.start()
    assert sam_took.wait(10)
    kim_thread = threading.Thread(target=kim_takes)
    kim_thread.start()
    time.sleep(0.5)  # Kim is now waiting for Sam's lock
    assert "kim" not in outcome
    let_sam_commit.set()
    sam_thread.join(10)
    kim_thread.join(10)
    assert "already held by Sam Rivera" in outcome["kim"]
    request.refresh_from_db()
    assert request.assignee.public_name == "Sam Rivera"
