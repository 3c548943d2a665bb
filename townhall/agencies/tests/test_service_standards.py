"""Services and their standards: what add_service and update_service accept, refuse and log."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from townhall.activity.models import Activity, Visibility
from townhall.agencies import actions
from townhall.agencies.models import Service, ServiceKind, StaffRole
from townhall.identity.models import AssuranceLevel


def add(by, agency, code="pothole", **extra):
    return actions.add_service(by=by, agency=agency, code=code, name=code.title(), **extra)


def test_a_service_is_offered_with_its_standard_and_filing_rules(site_admin, agency):
    service = add(
        site_admin,
        agency,
        kind=ServiceKind.PROBLEM_REPORT,
        keywords=["hole", "road"],
        group="Streets",
        location_required=True,
        acknowledge_working_days=1,
        respond_working_days=5,
        public_by_default=True,
    )
    service.refresh_from_db()
    assert service.kind == "problem_report"
    assert service.keywords == ["hole", "road"]
    assert service.group == "Streets"
    assert service.location_required
    assert (service.acknowledge_working_days, service.respond_working_days) == (1, 5)
    assert service.extension_working_days == 0
    assert service.public_by_default and service.allows_private
    assert service.required_assurance == AssuranceLevel.EMAIL_VERIFIED
    entry = Activity.objects.get(verb="service.added")
    assert entry.visibility == Visibility.PUBLIC
    assert entry.summary == "Public Works now offers “Pothole”"


def test_an_ordinary_service_is_private_by_default_and_cannot_be_extended(site_admin, agency):
    service = add(site_admin, agency, code="question", kind=ServiceKind.QUESTION)
    assert not service.public_by_default
    assert service.allows_private
    assert service.extension_working_days == 0
    assert (service.acknowledge_working_days, service.respond_working_days) == (2, 10)


def test_an_foi_service_is_public_cannot_be_made_private_and_has_the_statutory_extension(
    site_admin, agency
):
    service = add(
        site_admin,
        agency,
        code="foi-request",
        kind=ServiceKind.FOI_REQUEST,
        acknowledge_working_days=5,
        respond_working_days=20,
    )
    assert service.is_foi
    assert service.public_by_default
    assert not service.allows_private
    assert service.extension_working_days == 10


def test_what_is_said_outright_beats_what_the_kind_implies(site_admin, agency):
    service = add(
        site_admin,
        agency,
        code="foi-request",
        kind=ServiceKind.FOI_REQUEST,
        extension_working_days=0,
        allows_private=True,
    )
    assert service.extension_working_days == 0
    assert service.allows_private and service.public_by_default


def test_the_answer_cannot_be_due_before_the_acknowledgement(site_admin, agency):
    with pytest.raises(ValidationError) as caught:
        add(site_admin, agency, acknowledge_working_days=5, respond_working_days=3)
    assert caught.value.message_dict == {
        "respond_working_days": [
            "The answer cannot be due before the acknowledgement: answer within 5 working "
            "days or more."
        ]
    }
    assert not Service.objects.exists()
    assert not Activity.objects.filter(verb="service.added").exists()


def test_acknowledging_and_answering_on_the_same_working_day_is_allowed(site_admin, agency):
    service = add(site_admin, agency, acknowledge_working_days=3, respond_working_days=3)
    assert service.respond_working_days == 3


@pytest.mark.parametrize(
    "field, value",
    [
        ("acknowledge_working_days", 0),
        ("respond_working_days", 0),
        ("respond_working_days", 366),
        ("acknowledge_working_days", -1),
        ("extension_working_days", -1),
        ("extension_working_days", 366),
        ("respond_working_days", 100_000),
    ],
)
def test_standards_outside_sensible_bounds_are_refused(site_admin, agency, field, value):
    with pytest.raises(ValidationError) as caught:
        add(site_admin, agency, **{field: value})
    assert field in caught.value.message_dict
    assert not Service.objects.exists()


def test_a_year_of_working_days_is_the_longest_standard(site_admin, agency):
    service = add(
        site_admin,
        agency,
        acknowledge_working_days=365,
        respond_working_days=365,
        extension_working_days=365,
    )
    assert service.respond_working_days == 365
    with pytest.raises(ValidationError) as caught:
        add(site_admin, agency, code="too-long", respond_working_days=366)
    assert caught.value.message_dict["respond_working_days"] == [
        "A standard of more than 365 working days is not a promise."
    ]


def test_requests_private_by_default_must_be_allowed_to_be_private(site_admin, agency):
    with pytest.raises(ValidationError) as caught:
        add(site_admin, agency, public_by_default=False, allows_private=False)
    assert list(caught.value.message_dict) == ["allows_private"]


def test_the_database_refuses_a_standard_that_skipped_validation(site_admin, agency):
    service = add(site_admin, agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=service.pk).update(
            respond_working_days=1, acknowledge_working_days=2
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=service.pk).update(public_by_default=False, allows_private=False)


@pytest.mark.parametrize("kind", ["", "faq", "FOI_REQUEST", "<b>service</b>"])
def test_an_unknown_kind_is_refused(site_admin, agency, kind):
    with pytest.raises(ValidationError) as caught:
        add(site_admin, agency, kind=kind)
    assert "kind" in caught.value.message_dict


def test_an_unknown_assurance_level_is_refused(site_admin, agency):
    with pytest.raises(ValidationError) as caught:
        add(site_admin, agency, required_assurance="in_person")
    assert "required_assurance" in caught.value.message_dict


def test_keywords_are_tidied_as_people_type_them(site_admin, agency):
    service = add(site_admin, agency, keywords="hole,  Road , road,, street  lamp ")
    assert service.keywords == ["hole", "Road", "street lamp"]
    listed = add(site_admin, agency, code="listed", keywords=[" a ", "b", "B", ""])
    assert listed.keywords == ["a", "b"]


@pytest.mark.parametrize(
    "keywords, message",
    [
        (["x" * 51], "Keep each keyword to 50 characters or fewer."),
        ([f"word{n}" for n in range(31)], "Give at most 30 keywords."),
        (["null\x00byte"], "A keyword contains a character that cannot be stored."),
    ],
)
def test_unusable_keywords_are_refused(site_admin, agency, keywords, message):
    with pytest.raises(ValidationError) as caught:
        add(site_admin, agency, keywords=keywords)
    assert caught.value.message_dict == {"keywords": [message]}


def test_keywords_stored_by_other_means_must_still_be_a_list_of_distinct_words(site_admin, agency):
    service = add(site_admin, agency)
    for wrong in ["hole, road", [1, 2], ["road", "Road"], ["a,b"], [" padded "], {"a": 1}]:
        service.keywords = wrong
        with pytest.raises(ValidationError) as caught:
            service.full_clean()
        assert list(caught.value.message_dict) == ["keywords"], wrong


def test_updating_the_standard_is_logged_and_validated(site_admin, agency):
    service = add(site_admin, agency, acknowledge_working_days=1, respond_working_days=5)
    actions.update_service(
        by=site_admin,
        service=service,
        changes={"respond_working_days": 7, "keywords": "hole, road", "group": " Streets "},
    )
    service.refresh_from_db()
    assert service.respond_working_days == 7
    assert service.keywords == ["hole", "road"]
    assert service.group == "Streets"
    assert Activity.objects.filter(verb="service.updated").count() == 1
    with pytest.raises(ValidationError):
        actions.update_service(
            by=site_admin, service=service, changes={"acknowledge_working_days": 8}
        )
    service.refresh_from_db()
    assert service.acknowledge_working_days == 1
    assert Activity.objects.filter(verb="service.updated").count() == 1


def test_updating_with_nothing_new_logs_nothing(site_admin, agency):
    service = add(site_admin, agency, respond_working_days=5)
    actions.update_service(by=site_admin, service=service, changes={"respond_working_days": 5})
    assert not Activity.objects.filter(verb="service.updated").exists()


def test_a_service_code_and_agency_cannot_be_changed(site_admin, agency, other_agency):
    service = add(site_admin, agency)
    for changes in [{"code": "other"}, {"agency": other_agency}]:
        with pytest.raises(ValueError, match="cannot be changed"):
            actions.update_service(by=site_admin, service=service, changes=changes)


def test_an_agency_administrator_can_set_up_their_own_agencys_services(agency, add_person):
    admin = add_person(agency, "Agnes Admin", role=StaffRole.ADMIN)
    service = add(admin.user, agency, respond_working_days=4, acknowledge_working_days=1)
    actions.update_service(by=admin.user, service=service, changes={"respond_working_days": 6})
    assert Service.objects.get().respond_working_days == 6


def test_citizens_staff_and_other_agencies_cannot_offer_or_change_services(
    citizen, staff_member, agency, other_agency, add_person, site_admin
):
    service = add(site_admin, agency)
    manager = add_person(agency, "Morgan Ellis", role=StaffRole.MANAGER)
    parks_admin = add_person(other_agency, "Parker Admin", role=StaffRole.ADMIN)
    intruders = [citizen, staff_member.user, manager.user, parks_admin.user, AnonymousUser(), None]
    for intruder in intruders:
        with pytest.raises(PermissionDenied):
            add(intruder, agency, code="mine")
        with pytest.raises(PermissionDenied):
            actions.update_service(
                by=intruder, service=service, changes={"respond_working_days": 1}
            )
    service.refresh_from_db()
    assert service.respond_working_days == 10
    assert list(Service.objects.values_list("code", flat=True)) == ["pothole"]


def test_an_administrator_who_left_the_agency_can_no_longer_change_services(
    agency, add_person, site_admin
):
    admin = add_person(agency, "Agnes Admin", role=StaffRole.ADMIN)
    service = add(site_admin, agency)
    actions.update_staff_membership(by=site_admin, membership=admin, changes={"is_active": False})
    with pytest.raises(PermissionDenied):
        actions.update_service(by=admin.user, service=service, changes={"name": "Mine"})


def test_a_refused_change_leaves_the_service_as_it_was_so_a_retry_cannot_save_it(
    site_admin, agency
):
    service = add(site_admin, agency, acknowledge_working_days=1, respond_working_days=5)
    with pytest.raises(ValidationError):
        actions.update_service(
            by=site_admin, service=service, changes={"acknowledge_working_days": 8}
        )
    assert service.acknowledge_working_days == 1  # in memory too
    actions.update_service(by=site_admin, service=service, changes={"respond_working_days": 9})
    service.refresh_from_db()
    assert (service.acknowledge_working_days, service.respond_working_days) == (1, 9)
