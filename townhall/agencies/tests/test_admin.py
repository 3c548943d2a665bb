"""The site administration goes through the actions, so admin edits are logged too."""

import pytest
from django.urls import reverse

from townhall.activity.models import Activity
from townhall.agencies import actions
from townhall.agencies.models import Agency, Goal, StaffMembership, Team


def management_form(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


def test_admin_lists_load_with_a_fixed_number_of_queries(
    admin_client,
    agency,
    other_agency,
    staff_member,
    add_person,
    site_admin,
    django_assert_max_num_queries,
):
    for number in range(5):
        add_person(other_agency, f"Person {number}")
        actions.add_service(by=site_admin, agency=agency, code=f"code-{number}", name=f"S {number}")
    for model in ["agency", "staffmembership", "service"]:
        with django_assert_max_num_queries(12):
            response = admin_client.get(reverse(f"admin:agencies_{model}_changelist"))
        assert response.status_code == 200


def test_adding_an_agency_in_the_admin_goes_through_the_actions(admin_client, site_admin):
    data = {
        "name": "Transportation",
        "slug": "transportation",
        "purpose": "Signals, signs and sidewalks.",
        "jurisdiction": "US-IL",
        "time_zone": "America/Chicago",
        "parent": "",
        "email": "",
        "phone": "",
        "is_published": "on",
        **management_form("goals", total=1),
        "goals-0-title": "Fix signals the same day",
        "goals-0-description": "",
        "goals-0-measure": "Share of signals fixed within 24 hours",
        "goals-0-order": "0",
        **management_form("teams", total=1),
        "teams-0-name": "Traffic Engineering",
        "teams-0-description": "Signals and signs.",
    }
    response = admin_client.post(reverse("admin:agencies_agency_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    agency = Agency.objects.get(slug="transportation")
    assert Goal.objects.get(agency=agency).title == "Fix signals the same day"
    assert Team.objects.get(agency=agency).slug == "traffic-engineering"
    verbs = set(Activity.objects.filter(agency=agency).values_list("verb", flat=True))
    assert verbs == {"agency.created", "goal.added", "team.created"}
    assert set(Activity.objects.values_list("actor", flat=True)) == {site_admin.pk}


def test_the_admin_refuses_a_reserved_agency_address(admin_client):
    data = {
        "name": "People",
        "slug": "people",
        "purpose": "Clash.",
        "jurisdiction": "US-IL",
        "time_zone": "America/Chicago",
        "is_published": "on",
        **management_form("goals"),
        **management_form("teams"),
    }
    response = admin_client.post(reverse("admin:agencies_agency_add"), data)
    assert response.status_code == 200
    assert "reserved" in response.content.decode()
    assert not Agency.objects.filter(slug="people").exists()


def test_changing_an_agency_and_its_goals_in_the_admin_is_logged(admin_client, agency, site_admin):
    goal = actions.add_goal(by=site_admin, agency=agency, title="Old goal", measure="Old measure")
    data = {
        "name": "Public Works",
        "slug": agency.slug,
        "purpose": "A new purpose.",
        "jurisdiction": "US-IL",
        "time_zone": "America/Chicago",
        "parent": "",
        "email": "",
        "phone": "",
        "is_published": "on",
        **management_form("goals", total=1, initial=1),
        "goals-0-id": str(goal.pk),
        "goals-0-agency": str(agency.pk),
        "goals-0-title": "New goal",
        "goals-0-description": "",
        "goals-0-measure": "Old measure",
        "goals-0-order": "0",
        **management_form("teams"),
    }
    response = admin_client.post(reverse("admin:agencies_agency_change", args=[agency.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    agency.refresh_from_db()
    goal.refresh_from_db()
    assert agency.purpose == "A new purpose."
    assert goal.title == "New goal"
    assert Activity.objects.filter(verb="agency.updated", agency=agency).count() == 1
    assert Activity.objects.filter(verb="goal.updated", agency=agency).count() == 1


def test_adding_a_staff_member_in_the_admin_goes_through_the_action(
    admin_client, agency, site_admin, make_user
):
    team = actions.create_team(by=site_admin, agency=agency, name="Road Maintenance")
    user = make_user("luis@example.org", "Luis")
    data = {
        "user": str(user.pk),
        "agency": str(agency.pk),
        "public_name": "Luis Ortega",
        "job_title": "Streetlight Technician",
        "role": "staff",
        "teams": [str(team.pk)],
        "bio": "",
        "is_public_profile": "on",
        "is_active": "on",
        "started_at": "",
    }
    response = admin_client.post(reverse("admin:agencies_staffmembership_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    membership = StaffMembership.objects.get(user=user)
    assert membership.slug == "luis-ortega"
    assert list(membership.teams.all()) == [team]
    assert Activity.objects.filter(verb="staff.joined", target_id=str(membership.pk)).exists()


def test_the_admin_refuses_a_team_of_another_agency(
    admin_client, agency, other_agency, site_admin, make_user
):
    parks_team = actions.create_team(by=site_admin, agency=other_agency, name="Forestry")
    user = make_user("luis@example.org", "Luis")
    data = {
        "user": str(user.pk),
        "agency": str(agency.pk),
        "public_name": "Luis Ortega",
        "job_title": "Streetlight Technician",
        "role": "staff",
        "teams": [str(parks_team.pk)],
        "is_public_profile": "on",
        "is_active": "on",
    }
    response = admin_client.post(reverse("admin:agencies_staffmembership_add"), data)
    assert response.status_code == 200
    assert "Choose only teams of this staff member" in response.content.decode()
    assert not StaffMembership.objects.filter(user=user).exists()


def test_withdrawing_a_service_in_the_admin_is_logged(admin_client, agency, site_admin):
    service = actions.add_service(by=site_admin, agency=agency, code="pothole", name="Pothole")
    data = {"name": "Pothole", "description": "Holes in roads."}  # "is_active" unticked
    response = admin_client.post(reverse("admin:agencies_service_change", args=[service.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    service.refresh_from_db()
    assert not service.is_active
    assert service.code == "pothole"
    assert Activity.objects.filter(verb="service.updated").count() == 1


def test_the_admin_offers_no_delete(admin_client, agency):
    response = admin_client.get(reverse("admin:agencies_agency_delete", args=[agency.pk]))
    assert response.status_code == 403
    assert Agency.objects.filter(pk=agency.pk).exists()
