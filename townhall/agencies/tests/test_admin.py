"""The site administration goes through the actions, so admin edits are logged too."""

import pytest
from django.urls import reverse

from townhall.activity.models import Activity
from townhall.agencies import actions
from townhall.agencies.models import Agency, Goal, Service, StaffMembership, Team


def management_form(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# The service form as the admin posts it for a service made with the action's defaults.
SERVICE_FORM = {
    "kind": "service",
    "group": "",
    "keywords": "",
    "required_assurance": "email_verified",
    "allows_private": "on",
    "acknowledge_working_days": "2",
    "respond_working_days": "10",
    "extension_working_days": "0",
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
    data = {
        **SERVICE_FORM,
        "name": "Pothole",
        "description": "Holes in roads.",
        **management_form("attributes"),
    }  # "is_active" unticked
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


def service_form(agency, **extra):
    return {
        **SERVICE_FORM,
        "agency": str(agency.pk),
        "code": "pothole",
        "name": "Pothole",
        "description": "Holes in roads.",
        "is_active": "on",
        **management_form("attributes"),
        **extra,
    }


def attribute_form(number, **fields):
    row = {
        "code": "",
        "description": "",
        "datatype": "string",
        "datatype_description": "",
        "variable": "on",
        "values": "",
        "order": "0",
        **fields,
    }
    return {f"attributes-{number}-{name}": value for name, value in row.items()}


def test_adding_a_service_with_questions_in_the_admin_goes_through_the_actions(
    admin_client, agency, site_admin
):
    data = service_form(
        agency,
        kind="problem_report",
        keywords="hole, road, Road",
        acknowledge_working_days="1",
        respond_working_days="5",
        public_by_default="on",
        location_required="on",
        **management_form("attributes", total=2),
        **attribute_form(
            0,
            code="road-position",
            description="Where on the road is it?",
            datatype="singlevaluelist",
            values="lane: In a traffic lane\n\nsidewalk: On the sidewalk: by the curb\n",
            required="on",
        ),
        **attribute_form(1, code="size", description="How wide?", datatype="number", order="1"),
    )
    response = admin_client.post(reverse("admin:agencies_service_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    service = Service.objects.get(code="pothole")
    assert (service.kind, service.acknowledge_working_days, service.respond_working_days) == (
        "problem_report",
        1,
        5,
    )
    assert service.keywords == ["hole", "road"]
    assert service.public_by_default and service.location_required
    road_position, size = service.attributes.all()
    assert road_position.values == [
        {"key": "lane", "name": "In a traffic lane"},
        {"key": "sidewalk", "name": "On the sidewalk: by the curb"},
    ]
    assert road_position.required
    assert (size.datatype, size.values) == ("number", [])
    verbs = list(Activity.objects.filter(agency=service.agency).values_list("verb", flat=True))
    assert verbs.count("service.added") == 1
    assert verbs.count("service.question_added") == 2


def test_the_admin_shows_why_a_service_or_question_is_refused(admin_client, agency):
    data = service_form(
        agency,
        acknowledge_working_days="5",
        respond_working_days="3",
        **management_form("attributes", total=1),
        **attribute_form(0, code="size", description="Size?", datatype="singlevaluelist"),
    )
    response = admin_client.post(reverse("admin:agencies_service_add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The answer cannot be due before the acknowledgement" in page
    assert "A question answered from a list needs at least one choice." in page
    assert not Service.objects.exists()
    assert not Activity.objects.filter(verb__startswith="service.").exists()


def test_the_admin_refuses_malformed_choices(admin_client, agency):
    data = service_form(
        agency,
        **management_form("attributes", total=1),
        **attribute_form(
            0, code="size", description="Size?", datatype="singlevaluelist", values="small"
        ),
    )
    response = admin_client.post(reverse("admin:agencies_service_add"), data)
    assert response.status_code == 200
    assert "Line 1: write each choice as “key: Name”" in response.content.decode()
    assert not Service.objects.exists()


def test_the_admin_refuses_two_questions_with_one_code(admin_client, agency):
    data = service_form(
        agency,
        **management_form("attributes", total=2),
        **attribute_form(0, code="size", description="Size?"),
        **attribute_form(1, code="size", description="Again?"),
    )
    response = admin_client.post(reverse("admin:agencies_service_add"), data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for code" in response.content.decode()
    assert not Service.objects.exists()


@pytest.fixture
def asked_pothole(agency, site_admin):
    service = actions.add_service(by=site_admin, agency=agency, code="pothole", name="Pothole")
    question = actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="size",
        description="Approximate size",
        datatype="singlevaluelist",
        values=[{"key": "small", "name": "Small"}],
    )
    return service, question


def change_form(service, question, **fields):
    return {
        **SERVICE_FORM,
        "name": service.name,
        "description": "",
        "is_active": "on",
        **management_form("attributes", total=1, initial=1),
        **attribute_form(
            0,
            **{
                "id": str(question.pk),
                "service": str(service.pk),
                "code": question.code,
                "description": question.description,
                "datatype": question.datatype,
                "values": "small: Small",
                **fields,
            },
        ),
    }


def test_the_admin_loads_a_service_with_its_questions(admin_client, asked_pothole):
    service, _question = asked_pothole
    response = admin_client.get(reverse("admin:agencies_service_change", args=[service.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Approximate size" in page
    assert "small: Small" in page


def test_changing_a_question_in_the_admin_is_logged(admin_client, asked_pothole):
    service, question = asked_pothole
    data = change_form(service, question, values="small: Small\nlarge: Large", required="on")
    url = reverse("admin:agencies_service_change", args=[service.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question.refresh_from_db()
    assert question.required
    assert [choice["key"] for choice in question.values] == ["small", "large"]
    assert Activity.objects.filter(verb="service.question_updated").count() == 1
    assert not Activity.objects.filter(verb="service.updated").exists()


def test_removing_a_question_in_the_admin_is_logged(admin_client, asked_pothole):
    service, question = asked_pothole
    data = change_form(service, question, DELETE="on")
    url = reverse("admin:agencies_service_change", args=[service.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not service.attributes.exists()
    assert Activity.objects.filter(verb="service.question_removed").count() == 1


def test_the_admin_refuses_to_change_a_question_code(admin_client, asked_pothole):
    service, question = asked_pothole
    data = change_form(service, question)
    data["attributes-0-code"] = "dimensions"
    url = reverse("admin:agencies_service_change", args=[service.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "A question&#x27;s code cannot change once set" in response.content.decode()
    question.refresh_from_db()
    assert question.code == "size"
