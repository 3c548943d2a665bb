"""The access log: every look at a citizen's record is logged, with a reason asked once a
day, and the citizen sees it by the staff member's work name and agency."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from townhall.citizens import actions, queries
from townhall.citizens.models import AccessLogEntry, AccessReason, Screen

pytestmark = pytest.mark.django_db


def test_the_first_look_of_the_day_needs_a_reason(citizen: Any, staff_member: Any) -> None:
    with pytest.raises(actions.ReasonRequired):
        actions.record_access(by=staff_member.user, citizen=citizen, screen=Screen.JOINED_UP_VIEW)
    assert not AccessLogEntry.objects.exists()


def test_later_looks_that_day_take_the_days_reason_and_are_each_logged(
    citizen: Any, staff_member: Any
) -> None:
    actions.record_access(
        by=staff_member.user,
        citizen=citizen,
        screen=Screen.JOINED_UP_VIEW,
        reason=AccessReason.HANDLING_COMPLAINT,
    )
    second = actions.record_access(
        by=staff_member.user, citizen=citizen, screen=Screen.JOINED_UP_VIEW
    )
    assert second.reason == AccessReason.HANDLING_COMPLAINT
    assert AccessLogEntry.objects.filter(citizen=citizen).count() == 2


def test_a_reason_given_yesterday_does_not_count_today(citizen: Any, staff_member: Any) -> None:
    entry = actions.record_access(
        by=staff_member.user, citizen=citizen, screen=Screen.JOINED_UP_VIEW, reason="other"
    )
    AccessLogEntry.objects.filter(pk=entry.pk).update(at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(actions.ReasonRequired):
        actions.record_access(by=staff_member.user, citizen=citizen, screen=Screen.JOINED_UP_VIEW)


def test_another_staff_members_reason_does_not_count_for_me(
    citizen: Any, staff_member: Any, colleague: Any
) -> None:
    actions.record_access(
        by=staff_member.user, citizen=citizen, screen=Screen.JOINED_UP_VIEW, reason="other"
    )
    with pytest.raises(actions.ReasonRequired):
        actions.record_access(by=colleague.user, citizen=citizen, screen=Screen.JOINED_UP_VIEW)


@pytest.mark.parametrize("reason", ["because", "<script>alert(1)</script>", "OTHER", "x" * 500])
def test_a_reason_not_in_the_list_is_refused(citizen: Any, staff_member: Any, reason: str) -> None:
    with pytest.raises(ValidationError):
        actions.record_access(
            by=staff_member.user, citizen=citizen, screen=Screen.JOINED_UP_VIEW, reason=reason
        )


def test_citizens_cannot_record_a_look(citizen: Any, citizen2: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.record_access(
            by=citizen2, citizen=citizen, screen=Screen.JOINED_UP_VIEW, reason="other"
        )


def test_the_citizen_sees_the_look_by_work_name_and_agency(citizen: Any, staff_member: Any) -> None:
    actions.record_access(
        by=staff_member.user,
        citizen=citizen,
        screen=Screen.REQUEST_DETAIL,
        reason=AccessReason.ANSWERING_REQUEST,
        subject="SPR-2026-000123\x00\n",
    )
    [entry] = queries.access_log(citizen).items
    assert entry.staff_name == "Sam Rivera"  # the work name, never "sammy"
    assert entry.agency == "Public Works"
    assert entry.reason == "answering_request"
    assert entry.subject == "SPR-2026-000123"
    assert entry.screen == "request_detail"


def test_a_citizen_never_sees_another_citizens_log(
    citizen: Any, citizen2: Any, staff_member: Any
) -> None:
    actions.record_access(
        by=staff_member.user, citizen=citizen, screen=Screen.JOINED_UP_VIEW, reason="other"
    )
    assert queries.access_log(citizen2).items == []
    assert AccessLogEntry.objects.visible_to(citizen2).count() == 0
    assert AccessLogEntry.objects.visible_to(staff_member.user).count() == 0


def test_in_person_identity_checks_show_in_the_log(
    citizen: Any, staff_member: Any, site_admin: Any
) -> None:
    from django.contrib.auth.models import Permission

    from townhall.identity.actions import raise_assurance

    staff_member.user.user_permissions.add(Permission.objects.get(codename="verify_in_person"))
    verifier = type(staff_member.user).objects.get(pk=staff_member.user.pk)
    raise_assurance(
        by=verifier,
        user=citizen,
        level="identity_verified",
        method="in_person",
        document_type="passport",
    )
    [entry] = queries.access_log(citizen).items
    assert entry.kind == "verification"
    assert entry.staff_name == "Sam Rivera"
    assert entry.agency == "Public Works"
    assert entry.reason == "verifying_identity"


def test_the_log_pages_from_newest_to_oldest_without_gaps(citizen: Any, staff_member: Any) -> None:
    for _ in range(7):
        actions.record_access(
            by=staff_member.user, citizen=citizen, screen=Screen.JOINED_UP_VIEW, reason="other"
        )
    seen: list[int] = []
    cursor = ""
    while True:
        page = queries.access_log(citizen, cursor=cursor, size=3)
        seen.extend(entry.id for entry in page.items)
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == list(AccessLogEntry.objects.order_by("-at", "-id").values_list("pk", flat=True))


@pytest.mark.parametrize("cursor", ["garbage", "!!!", "a" * 300, "MjAyNnxyZXF1ZXN0fDE"])
def test_a_forged_cursor_is_refused(citizen: Any, cursor: str) -> None:
    with pytest.raises(ValidationError):
        queries.access_log(citizen, cursor=cursor)


def test_only_the_citizen_switches_joining_up(citizen: Any, citizen2: Any, site_admin: Any) -> None:
    assert queries.consent_of(citizen) is False
    for someone in (citizen2, site_admin):
        with pytest.raises(PermissionDenied):
            actions.set_join_up_consent(by=someone, citizen=citizen, is_on=True)
    actions.set_join_up_consent(by=citizen, citizen=citizen, is_on=True)
    assert queries.consent_of(citizen) is True
    actions.set_join_up_consent(by=citizen, citizen=citizen, is_on=False)
    assert queries.consent_of(citizen) is False


@pytest.mark.parametrize("body", ["", "   ", "a\x00b", "x" * 2001, None])
def test_a_bad_shared_note_is_refused(citizen: Any, staff_member: Any, body: Any) -> None:
    with pytest.raises(ValidationError):
        actions.add_shared_note(by=staff_member.user, citizen=citizen, body=body)


def test_only_staff_share_notes(citizen: Any, citizen2: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.add_shared_note(by=citizen2, citizen=citizen, body="Hello")


def test_a_staff_read_of_a_private_request_is_logged_for_its_requester(
    citizen: Any, staff_member: Any, other_staff: Any, pothole_request: Any, foi_request: Any
) -> None:
    entry = actions.record_request_read(by=staff_member.user, service_request=pothole_request)
    assert entry is not None
    assert (entry.citizen, entry.screen, entry.reason, entry.subject) == (
        citizen,
        "request_detail",
        "answering_request",
        pothole_request.reference,
    )
    # Public requests, the requester's own reads and other agencies' staff: nothing.
    assert actions.record_request_read(by=staff_member.user, service_request=foi_request) is None
    assert actions.record_request_read(by=citizen, service_request=pothole_request) is None
    assert actions.record_request_read(by=other_staff.user, service_request=pothole_request) is None
    assert AccessLogEntry.objects.count() == 1


def test_the_receiver_logs_a_staff_read(
    citizen: Any, staff_member: Any, pothole_request: Any
) -> None:
    from townhall.citizens.receivers import log_staff_read_of_private_request

    log_staff_read_of_private_request(
        sender=type(pothole_request), user=staff_member.user, service_request=pothole_request
    )
    assert AccessLogEntry.objects.get().subject == pothole_request.reference


def test_opening_a_private_request_in_the_inbox_or_the_api_is_in_the_citizens_log(
    pothole_request: Any, foi_request: Any, staff_member: Any, staff_client_for: Any
) -> None:
    from rest_framework.test import APIClient

    from townhall.citizens.models import AccessLogEntry

    page = staff_client_for(staff_member.user).get(f"/inbox/{pothole_request.reference}/")
    assert page.status_code == 200
    api = APIClient()
    api.force_authenticate(staff_member.user)
    assert api.get(f"/api/v1/requests/{pothole_request.reference}/").status_code == 200
    # A public request's reads are not logged (anyone may read it).
    staff_client_for(staff_member.user).get(f"/inbox/{foi_request.reference}/")

    entries = AccessLogEntry.objects.filter(citizen=pothole_request.requester)
    assert entries.count() == 2
    assert {e.subject for e in entries} == {pothole_request.reference}
    assert {e.viewer_id for e in entries} == {staff_member.user.pk}
    assert not AccessLogEntry.objects.filter(subject=foi_request.reference).exists()
