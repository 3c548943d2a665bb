"""Filing a request: who may, what is checked, what it creates, and nothing filed twice."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from townhall.activity.models import Activity, Visibility
from townhall.agencies import actions as agency_actions
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.conversations.attachments import CheckedFile
from townhall.conversations.models import Attachment, Thread
from townhall.identity.models import AssuranceLevel
from townhall.service_requests import actions
from townhall.service_requests.actions import filing
from townhall.service_requests.models import ServiceRequest, Status

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 10:00 in Springfield (CST).
MONDAY = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def local(moment: datetime) -> str:
    return moment.astimezone(CHICAGO).isoformat()


def commitments_of(request: ServiceRequest) -> dict[str, Commitment]:
    return {
        c.kind: c
        for c in Commitment.objects.filter(
            subject_id=str(request.pk), subject_type__model="servicerequest"
        )
    }


def test_filing_creates_the_request_its_thread_and_its_commitments(
    citizen: Any, pothole_service: Any
) -> None:
    request = actions.file_request(
        by=citizen,
        service=pothole_service,
        description="  Deep pothole outside number 12.  ",
        answers={"size": "large"},
        latitude="39.7817",
        longitude=-89.6501,
        address="12 Monroe St",
        at=MONDAY,
    )
    request.refresh_from_db()
    assert request.reference == f"SPR-2026-{request.pk:06d}"
    assert request.description == "Deep pothole outside number 12."
    assert request.answers == {"size": "large"}
    assert request.latitude == Decimal("39.781700")
    assert request.longitude == Decimal("-89.650100")
    assert request.status == Status.SUBMITTED
    assert request.is_public is False  # the pothole service is private by default
    assert request.agency == pothole_service.agency
    assert request.thread.agency == pothole_service.agency
    made = commitments_of(request)
    # Acknowledge in 2 working days, answer in 5, counted from Monday 2 March.
    assert local(made[CommitmentKind.ACKNOWLEDGE].due_at) == "2026-03-04T23:59:59-06:00"
    assert local(made[CommitmentKind.RESPOND].due_at) == "2026-03-09T23:59:59-05:00"
    assert request.expected_at == made[CommitmentKind.RESPOND].due_at
    assert all(c.made_to == citizen and not c.is_public for c in made.values())
    filed = Activity.objects.get(verb="request.filed")
    assert filed.visibility == Visibility.PARTICIPANTS
    assert filed.citizen == citizen and filed.actor == citizen and filed.persona is None
    assert filed.summary == f"Alex Park filed {request.reference}: Report a pothole"


def test_the_reference_year_is_the_agencys_local_year(citizen: Any, pothole_service: Any) -> None:
    # 03:00 UTC on 1 January 2027 is still New Year's Eve 2026 in Springfield.
    request = actions.file_request(
        by=citizen,
        service=pothole_service,
        description="Hole",
        answers={"size": "small"},
        address="1 Main St",
        at=datetime(2027, 1, 1, 3, 0, tzinfo=UTC),
    )
    assert re.fullmatch(r"SPR-2026-\d{6}", request.reference)


def test_an_foi_request_is_public_by_default_and_cannot_be_private(
    citizen: Any, foi_service: Any
) -> None:
    request = actions.file_request(by=citizen, service=foi_service, description="All road budgets")
    assert request.is_public is True
    assert all(c.is_public for c in commitments_of(request).values())
    assert Activity.objects.get(verb="request.filed").visibility == Visibility.PUBLIC
    with pytest.raises(ValidationError) as refused:
        actions.file_request(
            by=citizen, service=foi_service, description="Quietly please", is_public=False
        )
    assert "always public" in refused.value.message_dict["is_public"][0]


def test_a_private_by_default_service_can_be_made_public(file_pothole: Any) -> None:
    assert file_pothole(is_public=True).is_public is True


def test_anonymous_visitors_cannot_file(pothole_service: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied, match="Sign in"):
        actions.file_request(by=AnonymousUser(), service=pothole_service, description="x")
    assert not ServiceRequest.objects.exists()


def test_an_unverified_account_is_told_how_to_reach_the_level_needed(
    make_user: Any, pothole_service: Any
) -> None:
    newcomer = make_user("new@example.org", "New", verified=False)
    with pytest.raises(actions.AssuranceTooLow) as refused:
        actions.file_request(by=newcomer, service=pothole_service, description="x")
    assert refused.value.required == AssuranceLevel.EMAIL_VERIFIED
    assert refused.value.current == AssuranceLevel.NONE
    assert "Confirm your email address" in str(refused.value)
    assert isinstance(refused.value, PermissionDenied)
    assert not ServiceRequest.objects.exists()


def test_a_service_needing_verified_identity_refuses_an_email_verified_account(
    citizen: Any, agency: Any, site_admin: Any
) -> None:
    service = agency_actions.add_service(
        by=site_admin,
        agency=agency,
        code="permit",
        name="Street party permit",
        required_assurance=AssuranceLevel.IDENTITY_VERIFIED,
    )
    with pytest.raises(actions.AssuranceTooLow) as refused:
        actions.file_request(by=citizen, service=service, description="Party on Elm St")
    assert refused.value.required == AssuranceLevel.IDENTITY_VERIFIED
    assert "Verify your identity" in refused.value.message


def test_a_service_no_longer_offered_refuses_filings(
    citizen: Any, pothole_service: Any, site_admin: Any
) -> None:
    agency_actions.update_service(
        by=site_admin, service=pothole_service, changes={"is_active": False}
    )
    with pytest.raises(ValidationError, match="no longer offered"):
        actions.file_request(by=citizen, service=pothole_service, description="x")


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("", "Describe your request."),
        ("   \n\t ", "Describe your request."),
        ("x" * 10_001, "10,000 characters or fewer (it has 10,001)"),
        ("Hole\x00here", "cannot be stored"),
        (None, "Describe your request."),
    ],
)
def test_a_bad_description_is_refused_with_a_clear_message(
    file_pothole: Any, description: Any, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        file_pothole(description=description)
    assert message in refused.value.message_dict["description"][0]
    assert not ServiceRequest.objects.exists()
    assert not Thread.objects.exists()


def test_a_description_of_exactly_ten_thousand_characters_is_accepted(file_pothole: Any) -> None:
    assert len(file_pothole(description="y" * 10_000).description) == 10_000


def test_html_and_sql_in_a_description_are_stored_as_plain_text(file_pothole: Any) -> None:
    text = "<script>alert(1)</script>'; DROP TABLE service_requests_servicerequest; --"
    assert file_pothole(description=text).description == text


@pytest.mark.parametrize(
    ("answers", "code", "message"),
    [
        ({}, "answers.size", "Answer the question"),
        ({"size": "huge"}, "answers.size", "not one of the choices"),
        ({"size": "large", "colour": "red"}, "answers.colour", "no question with the code"),
        ("large", "answers", "object of attribute codes"),
    ],
)
def test_missing_or_wrong_answers_are_refused_per_question(
    file_pothole: Any, answers: Any, code: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        file_pothole(answers=answers)
    assert message in refused.value.message_dict[code][0]
    assert not ServiceRequest.objects.exists()


def test_every_problem_is_reported_at_once(file_pothole: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        file_pothole(description="", answers={}, latitude="1", longitude="2")
    assert {"description", "answers.size", "location"} <= set(refused.value.message_dict)


def test_a_place_outside_the_service_area_is_refused(file_pothole: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        file_pothole(latitude="41.8781", longitude="-87.6298")  # Chicago
    assert "outside Springfield" in refused.value.message_dict["location"][0]
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("39.78", None, "both the latitude and the longitude"),
        (None, "-89.65", "both the latitude and the longitude"),
        ("north", "-89.65", "as numbers"),
        ("NaN", "-89.65", "as numbers"),
        ("Infinity", "-89.65", "as numbers"),
        (True, "-89.65", "as numbers"),
        ("1e999", "-89.65", "outside Springfield"),
        ("-89.65", "39.78", "outside Springfield"),
        ("39.78' OR 1=1 --", "-89.65", "as numbers"),
        (float("nan"), -89.65, "as numbers"),
    ],
)
def test_bad_coordinates_are_refused(
    file_pothole: Any, latitude: Any, longitude: Any, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        file_pothole(latitude=latitude, longitude=longitude)
    assert message in refused.value.message_dict["location"][0]


def test_a_service_needing_a_location_accepts_an_address_alone(file_pothole: Any) -> None:
    request = file_pothole(latitude=None, longitude=None, address="Corner of 5th and Elm")
    assert request.latitude is None and request.address == "Corner of 5th and Elm"


def test_a_service_needing_a_location_refuses_a_request_without_one(file_pothole: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        file_pothole(latitude="", longitude="", address="   ")
    assert "Say where" in refused.value.message_dict["location"][0]


def test_a_too_long_address_or_one_with_nul_is_refused(file_pothole: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        file_pothole(address="x" * 301)
    assert "300 characters" in refused.value.message_dict["address"][0]
    with pytest.raises(ValidationError) as refused:
        file_pothole(address="12\x00 Main")
    assert "cannot be stored" in refused.value.message_dict["address"][0]


def test_routing_sends_a_new_request_to_the_first_matching_team(
    file_pothole: Any, agency: Any, site_admin: Any, team: Any, pothole_service: Any
) -> None:
    lights = agency_actions.create_team(by=site_admin, agency=agency, name="Lights")
    north = agency_actions.create_team(by=site_admin, agency=agency, name="North crew")
    actions.add_routing_rule(by=site_admin, agency=agency, team=lights, keywords=["lamp"], order=1)
    actions.add_routing_rule(
        by=site_admin,
        agency=agency,
        team=north,
        area=("39.80", "-89.80", "39.90", "-89.50"),
        order=2,
    )
    actions.add_routing_rule(
        by=site_admin, agency=agency, team=team, service=pothole_service, order=3
    )
    assert file_pothole(description="The LAMP post fell into a pothole").team == lights
    assert file_pothole(latitude="39.85", longitude="-89.60").team == north
    assert file_pothole().team == team


def test_a_request_matching_no_rule_has_no_team(file_pothole: Any) -> None:
    assert file_pothole().team is None


def test_attachments_are_stored_with_the_request(citizen: Any, file_pothole: Any) -> None:
    note = CheckedFile(name="note.txt", content_type="text/plain", size=5, data=b"hello")
    request = file_pothole(files=[note])
    stored = Attachment.objects.get()
    assert stored.thread == request.thread and stored.uploaded_by == citizen
    assert stored.original_name == "note.txt" and not stored.is_internal


def test_more_files_than_allowed_are_refused(file_pothole: Any, settings: Any) -> None:
    settings.ATTACHMENT_MAX_FILES = 1
    note = CheckedFile(name="a.txt", content_type="text/plain", size=1, data=b"a")
    with pytest.raises(ValidationError) as refused:
        file_pothole(files=[note, note])
    assert "at most 1 files" in refused.value.message_dict["files"][0]
    assert not Attachment.objects.exists()


# --- idempotency -------------------------------------------------------------------------


def test_the_same_key_and_content_twice_files_once(file_pothole: Any) -> None:
    first = file_pothole(idempotency_key="abc-123")
    again = file_pothole(idempotency_key="abc-123")
    assert again.pk == first.pk
    assert ServiceRequest.objects.count() == 1
    assert Activity.objects.filter(verb="request.filed").count() == 1
    assert Commitment.objects.count() == 2


def test_the_same_key_with_other_content_is_a_conflict(file_pothole: Any) -> None:
    first = file_pothole(idempotency_key="abc-123")
    with pytest.raises(actions.IdempotencyConflict) as refused:
        file_pothole(idempotency_key="abc-123", description="Something else entirely")
    assert first.reference in refused.value.message_dict["idempotency_key"][0]
    assert ServiceRequest.objects.count() == 1


def test_two_citizens_may_use_the_same_key(file_pothole: Any, citizen2: Any) -> None:
    file_pothole(idempotency_key="k")
    file_pothole(by=citizen2, idempotency_key="k")
    assert ServiceRequest.objects.count() == 2


def test_requests_without_a_key_are_never_merged(file_pothole: Any) -> None:
    file_pothole()
    file_pothole()
    assert ServiceRequest.objects.count() == 2


def test_a_too_long_key_is_refused(file_pothole: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        file_pothole(idempotency_key="k" * 101)
    assert "idempotency_key" in refused.value.message_dict


def test_a_racing_duplicate_filing_returns_the_winner(
    file_pothole: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second filing looked for the key before the first one committed, so it tries
    to insert too: the unique constraint refuses, and the winner comes back."""
    winner = file_pothole(idempotency_key="race")
    real_find = filing._find_filing
    calls: list[str] = []

    def find_too_early(requester: Any, key: str) -> Any:
        calls.append(key)
        return None if len(calls) == 1 else real_find(requester, key)

    monkeypatch.setattr(filing, "_find_filing", find_too_early)
    again = file_pothole(idempotency_key="race")
    assert again.pk == winner.pk
    assert calls == ["race", "race"]
    assert ServiceRequest.objects.count() == 1
    assert Thread.objects.count() == 1  # the loser's thread was rolled back
    assert Activity.objects.filter(verb="request.filed").count() == 1


def test_a_racing_filing_with_other_content_is_a_conflict(
    file_pothole: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_pothole(idempotency_key="race")
    real_find = filing._find_filing
    calls: list[str] = []

    def find_too_early(requester: Any, key: str) -> Any:
        calls.append(key)
        return None if len(calls) == 1 else real_find(requester, key)

    monkeypatch.setattr(filing, "_find_filing", find_too_early)
    with pytest.raises(actions.IdempotencyConflict):
        file_pothole(idempotency_key="race", description="Different")
    assert ServiceRequest.objects.count() == 1


def test_the_database_refuses_a_second_filing_with_the_same_key(file_pothole: Any) -> None:
    first = file_pothole(idempotency_key="db")
    with pytest.raises(IntegrityError):
        ServiceRequest.objects.create(
            reference="SPR-2026-999999",
            service=first.service,
            agency=first.agency,
            requester=first.requester,
            description="x",
            thread=Thread.objects.create(kind="request"),
            idempotency_key="db",
        )


def test_nothing_is_half_written_when_the_commitments_cannot_be_made(
    file_pothole: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from townhall.commitments import actions as commitment_actions

    def fail(**kwargs: Any) -> Any:
        raise RuntimeError("the calendar service fell over")

    monkeypatch.setattr(commitment_actions, "make_standard_commitments", fail)
    with pytest.raises(RuntimeError):
        file_pothole()
    assert not ServiceRequest.objects.exists()
    assert not Thread.objects.exists()
    assert not Activity.objects.filter(verb="request.filed").exists()
    assert not Commitment.objects.filter(state=CommitmentState.OPEN).exists()
