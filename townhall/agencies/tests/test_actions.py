import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.activity.models import Activity, Visibility
from townhall.agencies import actions
from townhall.agencies.models import Agency, Goal, Service, StaffMembership, StaffRole, Team

AGENCY = {
    "name": "Transportation",
    "purpose": "Signals, signs and sidewalks.",
    "jurisdiction": "US-IL",
    "time_zone": "America/Chicago",
}


def test_only_site_administrators_can_create_agencies(citizen, staff_member):
    for intruder in [citizen, staff_member.user, AnonymousUser(), None]:
        with pytest.raises(PermissionDenied):
            actions.create_agency(by=intruder, **AGENCY)
    assert not Agency.objects.filter(name="Transportation").exists()


def test_creating_an_agency_records_public_activity(site_admin):
    agency = actions.create_agency(by=site_admin, **AGENCY)
    entry = Activity.objects.get(verb="agency.created", agency=agency)
    assert entry.visibility == Visibility.PUBLIC
    assert entry.actor == site_admin
    assert agency.slug == "transportation"


def test_an_unpublished_agency_is_announced_to_staff_only(site_admin):
    agency = actions.create_agency(by=site_admin, is_published=False, **AGENCY)
    assert Activity.objects.get(agency=agency).visibility == Visibility.STAFF


def test_an_agency_cannot_take_an_address_another_page_uses(site_admin):
    with pytest.raises(ValidationError):
        actions.create_agency(by=site_admin, slug="people", **AGENCY)


def test_duplicate_agency_address_is_refused(site_admin, agency):
    with pytest.raises(ValidationError):
        actions.create_agency(by=site_admin, **{**AGENCY, "name": "Public Works"})


def test_an_unknown_time_zone_is_refused(site_admin):
    with pytest.raises(ValidationError):
        actions.create_agency(by=site_admin, **{**AGENCY, "time_zone": "Mars/Olympus_Mons"})


def test_staff_and_managers_cannot_set_up_their_agency(
    staff_member, agency, add_person, site_admin
):
    manager = add_person(agency, "Morgan Ellis", role=StaffRole.MANAGER)
    for intruder in [staff_member.user, manager.user]:
        with pytest.raises(PermissionDenied):
            actions.add_goal(by=intruder, agency=agency, title="Mine", measure="Count")
        with pytest.raises(PermissionDenied):
            actions.create_team(by=intruder, agency=agency, name="Mine")
        with pytest.raises(PermissionDenied):
            actions.add_service(by=intruder, agency=agency, code="mine", name="Mine")
        with pytest.raises(PermissionDenied):
            actions.add_staff_member(
                by=intruder, agency=agency, user=intruder, public_name="X", job_title="Y"
            )
    assert not Goal.objects.exists()
    assert not Team.objects.exists()
    assert not Service.objects.exists()


def test_citizens_and_visitors_cannot_set_up_an_agency(citizen, agency):
    for intruder in [citizen, AnonymousUser(), None]:
        with pytest.raises(PermissionDenied):
            actions.add_goal(by=intruder, agency=agency, title="Mine", measure="Count")
        with pytest.raises(PermissionDenied):
            actions.update_agency(by=intruder, agency=agency, changes={"name": "Mine"})
    agency.refresh_from_db()
    assert agency.name == "Public Works"


def test_an_agency_administrator_sets_up_only_their_own_agency(agency, other_agency, add_person):
    admin = add_person(agency, "Ada Admin", role=StaffRole.ADMIN)
    goal = actions.add_goal(by=admin.user, agency=agency, title="Fix roads", measure="Potholes")
    assert goal.agency == agency
    with pytest.raises(PermissionDenied):
        actions.add_goal(by=admin.user, agency=other_agency, title="Parks", measure="Acres")
    # Only site administrators change an agency's own details.
    with pytest.raises(PermissionDenied):
        actions.update_agency(by=admin.user, agency=agency, changes={"name": "Roads"})


def test_a_former_agency_administrator_has_no_rights(agency, add_person, site_admin):
    admin = add_person(agency, "Ada Admin", role=StaffRole.ADMIN)
    actions.update_staff_membership(by=site_admin, membership=admin, changes={"is_active": False})
    with pytest.raises(PermissionDenied):
        actions.add_goal(by=admin.user, agency=agency, title="Fix roads", measure="Potholes")


def test_update_actions_refuse_plain_staff(staff_member, agency, site_admin):
    goal = actions.add_goal(by=site_admin, agency=agency, title="Fix roads", measure="Potholes")
    team = actions.create_team(by=site_admin, agency=agency, name="Roads")
    service = actions.add_service(by=site_admin, agency=agency, code="pothole", name="Pothole")
    user = staff_member.user
    with pytest.raises(PermissionDenied):
        actions.update_goal(by=user, goal=goal, changes={"title": "Mine"})
    with pytest.raises(PermissionDenied):
        actions.update_team(by=user, team=team, changes={"name": "Mine"})
    with pytest.raises(PermissionDenied):
        actions.update_service(by=user, service=service, changes={"is_active": False})
    with pytest.raises(PermissionDenied):
        actions.update_staff_membership(
            by=user, membership=staff_member, changes={"role": StaffRole.ADMIN}
        )
    staff_member.refresh_from_db()
    assert staff_member.role == StaffRole.STAFF


def test_updating_records_one_entry_and_an_unchanged_update_records_none(agency, site_admin):
    before = Activity.objects.count()
    actions.update_agency(by=site_admin, agency=agency, changes={"phone": "(217) 555-0140"})
    assert Activity.objects.count() == before + 1
    assert Activity.objects.first().verb == "agency.updated"
    actions.update_agency(by=site_admin, agency=agency, changes={"phone": "(217) 555-0140"})
    assert Activity.objects.count() == before + 1


def test_update_refuses_fields_it_does_not_own(agency, site_admin):
    with pytest.raises(ValueError):
        actions.update_agency(by=site_admin, agency=agency, changes={"pk": 99})


def test_an_agency_cannot_be_part_of_itself(agency, other_agency, site_admin):
    actions.update_agency(by=site_admin, agency=other_agency, changes={"parent": agency})
    with pytest.raises(ValueError):
        actions.update_agency(by=site_admin, agency=agency, changes={"parent": other_agency})
    with pytest.raises(ValueError):
        actions.update_agency(by=site_admin, agency=agency, changes={"parent": agency})


def test_a_staff_member_can_only_join_teams_of_their_own_agency(
    agency, other_agency, staff_member, site_admin, make_user
):
    parks_team = actions.create_team(by=site_admin, agency=other_agency, name="Forestry")
    with pytest.raises(ValueError):
        actions.add_staff_member(
            by=site_admin,
            agency=agency,
            user=make_user("new@example.org"),
            public_name="New Person",
            job_title="Clerk",
            teams=[parks_team],
        )
    assert not StaffMembership.objects.filter(public_name="New Person").exists()
    with pytest.raises(ValueError):
        actions.update_staff_membership(
            by=site_admin, membership=staff_member, changes={"teams": [parks_team]}
        )
    assert not staff_member.teams.exists()


def test_one_membership_per_person_and_agency(staff_member, site_admin):
    with pytest.raises(ValidationError):
        actions.add_staff_member(
            by=site_admin,
            agency=staff_member.agency,
            user=staff_member.user,
            public_name="Sam Rivera Again",
            job_title="Twin",
        )


def test_duplicate_service_codes_are_refused(agency, other_agency, site_admin):
    actions.add_service(by=site_admin, agency=agency, code="pothole", name="Pothole")
    with pytest.raises(ValidationError):
        actions.add_service(by=site_admin, agency=other_agency, code="pothole", name="Hole")
    with pytest.raises(ValidationError):
        actions.add_service(by=site_admin, agency=agency, code="not a slug!", name="Bad")


def test_ending_a_membership_is_logged_for_staff_only(staff_member, site_admin):
    actions.update_staff_membership(
        by=site_admin, membership=staff_member, changes={"is_active": False}
    )
    entry = Activity.objects.get(verb="staff.left")
    assert entry.visibility == Visibility.STAFF
    assert not StaffMembership.objects.public().filter(pk=staff_member.pk).exists()


def test_withdrawing_a_service_is_announced(agency, site_admin):
    service = actions.add_service(by=site_admin, agency=agency, code="pothole", name="Pothole")
    actions.update_service(by=site_admin, service=service, changes={"is_active": False})
    entry = Activity.objects.get(verb="service.updated")
    assert entry.summary == "Public Works no longer offers “Pothole”"
    assert not Service.objects.active().exists()


def test_a_refused_update_leaves_nothing_changed_for_a_retry_to_save(
    agency, other_agency, staff_member, site_admin
):
    goal = actions.add_goal(by=site_admin, agency=agency, title="Fix roads", measure="Days")
    with pytest.raises(ValidationError):
        actions.update_goal(by=site_admin, goal=goal, changes={"title": ""})
    assert goal.title == "Fix roads"

    foreign_team = actions.create_team(by=site_admin, agency=other_agency, name="Rangers")
    with pytest.raises(ValueError):
        actions.update_staff_membership(
            by=site_admin,
            membership=staff_member,
            changes={"job_title": "Director", "teams": [foreign_team]},
        )
    assert staff_member.job_title == "Road Maintenance Supervisor"
    actions.update_staff_membership(by=site_admin, membership=staff_member, changes={})
    staff_member.refresh_from_db()
    assert staff_member.job_title == "Road Maintenance Supervisor"
