import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from townhall.activity.models import Activity
from townhall.agencies import actions
from townhall.agencies.models import (
    Agency,
    Service,
    ServiceAttribute,
    ServiceKind,
    StaffMembership,
    StaffRole,
)
from townhall.identity.models import AssuranceLevel, User

DEMO_PASSWORD = "townhall-demo-password"
DEMO_EMAILS = [
    "citizen@example.org",
    "citizen2@example.org",
    "staff@example.org",
    "foi@example.org",
    "manager@example.org",
    "admin@example.org",
]


@pytest.fixture
def demo_city(db, capsys):
    call_command("demo")
    return capsys.readouterr().out


def test_demo_creates_the_six_demo_accounts_with_working_passwords(demo_city, client):
    for email in DEMO_EMAILS:
        user = User.objects.get(email=email)
        assert user.is_demo
        assert user.has_assurance(AssuranceLevel.EMAIL_VERIFIED)
        assert EmailAddress.objects.filter(
            user=user, email=email, primary=True, verified=True
        ).exists()
        assert client.login(email=email, password=DEMO_PASSWORD)
        client.logout()
    # The same check the sign-in form makes, and a wrong password still fails.
    assert authenticate(email="staff@example.org", password=DEMO_PASSWORD).is_demo
    assert not client.login(email="citizen@example.org", password="wrong-password-entirely")
    assert "townhall-demo-password" in demo_city


def test_demo_accounts_have_the_promised_roles(demo_city):
    admin = User.objects.get(email="admin@example.org")
    assert admin.is_superuser and admin.is_staff
    for email in DEMO_EMAILS[:5]:
        user = User.objects.get(email=email)
        assert not user.is_superuser and not user.is_staff
    for email in ["citizen@example.org", "citizen2@example.org", "admin@example.org"]:
        assert not StaffMembership.objects.filter(user__email=email).exists()
    sam = StaffMembership.objects.get(user__email="staff@example.org")
    assert (sam.agency.name, sam.public_name, sam.role) == ("Public Works", "Sam Rivera", "staff")
    assert sam.job_title == "Road Maintenance Supervisor"
    manager = StaffMembership.objects.get(user__email="manager@example.org")
    assert (manager.agency.name, manager.role) == ("Public Works", StaffRole.MANAGER)
    foi = StaffMembership.objects.get(user__email="foi@example.org")
    assert foi.agency.name == "Office of Public Records"
    assert "Freedom of Information" in foi.job_title
    # The personal account keeps its own name, apart from the work persona.
    assert User.objects.get(email="staff@example.org").display_name != "Sam Rivera"


def test_demo_builds_a_believable_springfield(demo_city):
    agencies = Agency.objects.prefetch_related("goals", "teams", "memberships", "services")
    assert 6 <= len(agencies) <= 8
    for agency in agencies:
        assert agency.jurisdiction == "US-IL"
        assert agency.time_zone == "America/Chicago"
        assert len(agency.purpose) > 60
        assert 2 <= len(agency.goals.all()) <= 3
        assert all(goal.measure for goal in agency.goals.all())
        assert 1 <= len(agency.teams.all()) <= 3
        assert 2 <= len(agency.memberships.all()) <= 4
        assert all(m.bio and m.job_title for m in agency.memberships.all())
        assert 2 <= len(agency.services.all()) <= 4
    codes = set(Service.objects.values_list("code", flat=True))
    assert {"pothole", "streetlight-out", "foi-request", "missed-trash-pickup"} <= codes
    assert {"tree-trimming", "housing-inspection", "rental-registration"} <= codes
    assert Agency.objects.get(name="Office of Public Records").parent.name == "City Clerk"


def test_demo_city_is_made_through_actions_by_the_site_administrator(demo_city):
    admin = User.objects.get(email="admin@example.org")
    created = Activity.objects.filter(verb="agency.created")
    assert created.count() == Agency.objects.count()
    assert set(created.values_list("actor", flat=True)) == {admin.pk}
    assert Activity.objects.filter(verb="staff.joined").count() == StaffMembership.objects.count()
    assert Activity.objects.filter(verb="service.added").count() == Service.objects.count()
    # Sam's first profile edit is made as his work persona.
    entry = Activity.objects.get(verb="staff.profile_updated")
    assert entry.persona.user.email == "staff@example.org"


def test_demo_pages_work(demo_city, client):
    assert client.get("/").status_code == 200
    assert client.get("/agencies/public-works/").status_code == 200
    assert client.get("/agencies/public-works/people/sam-rivera/").status_code == 200
    assert "Renee Castillo" in client.get("/agencies/people/").content.decode()


def test_demo_with_if_empty_on_a_populated_database_changes_nothing(agency, capsys):
    counts = (Agency.objects.count(), User.objects.count(), Activity.objects.count())
    call_command("demo", "--if-empty")
    assert "already has agencies" in capsys.readouterr().out
    assert (Agency.objects.count(), User.objects.count(), Activity.objects.count()) == counts


def test_running_the_demo_twice_fails_clearly_and_changes_nothing(demo_city):
    counts = (Agency.objects.count(), User.objects.count(), Activity.objects.count())
    with pytest.raises(CommandError, match="already has agencies"):
        call_command("demo")
    assert (Agency.objects.count(), User.objects.count(), Activity.objects.count()) == counts


def test_demo_refuses_when_a_demo_account_exists_already(make_user):
    make_user("citizen@example.org", "Someone Real")
    with pytest.raises(CommandError, match="citizen@example.org"):
        call_command("demo", "--if-empty")
    assert not Agency.objects.exists()


def test_demo_leaves_nothing_behind_when_it_fails_half_way(db, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr(actions, "add_service", broken)
    with pytest.raises(RuntimeError):
        call_command("demo")
    assert not Agency.objects.exists()
    assert not User.objects.exists()
    assert not Activity.objects.exists()


def test_demo_services_carry_believable_standards(demo_city):
    services = {s.code: s for s in Service.objects.prefetch_related("attributes")}
    assert len(services) >= 15
    foi = services["foi-request"]
    assert (foi.kind, foi.acknowledge_working_days, foi.respond_working_days) == (
        ServiceKind.FOI_REQUEST,
        5,
        20,
    )
    assert foi.extension_working_days == 10
    assert foi.public_by_default and not foi.allows_private
    assert foi.required_assurance == AssuranceLevel.EMAIL_VERIFIED
    pothole = services["pothole"]
    assert pothole.kind == ServiceKind.PROBLEM_REPORT and pothole.location_required
    assert (pothole.acknowledge_working_days, pothole.respond_working_days) == (1, 5)
    questions = {q.code: q for q in pothole.attributes.all()}
    assert questions["road-position"].description == "Where on the road is it?"
    assert [v["key"] for v in questions["road-position"].values] == [
        "lane",
        "shoulder",
        "crosswalk",
        "sidewalk",
    ]
    assert questions["size"].datatype == "singlevaluelist"
    assert questions["traffic-hazard"].description == "Is it a hazard to traffic?"
    trash = {q.description: q for q in services["missed-trash-pickup"].attributes.all()}
    assert trash["Scheduled pickup day"].datatype == "date"
    kinds = {service.kind for service in services.values()}
    assert kinds == set(ServiceKind.values)
    verified_only = [
        s for s in services.values() if s.required_assurance == AssuranceLevel.IDENTITY_VERIFIED
    ]
    assert [s.code for s in verified_only] == ["rental-registration"]
    assert (
        sum(s.required_assurance == AssuranceLevel.EMAIL_VERIFIED for s in services.values()) >= 15
    )


def test_every_demo_service_and_question_passes_validation(demo_city):
    for service in Service.objects.prefetch_related("attributes"):
        service.full_clean()
        assert service.keywords and service.group
        for question in service.attributes.all():
            question.full_clean()
    added = Activity.objects.filter(verb="service.question_added").count()
    assert added == ServiceAttribute.objects.count() > 20


def test_demo_pothole_page_and_api_show_its_questions(demo_city, client):
    page = client.get("/agencies/public-works/services/pothole/").content.decode()
    assert "Where on the road is it?" in page
    data = client.get("/api/v1/services/pothole/").json()
    assert [a["code"] for a in data["attributes"]] == ["road-position", "size", "traffic-hazard"]


def test_demo_citizens_have_the_promised_assurance_levels(demo_city):
    jordan = User.objects.get(email="citizen@example.org")
    casey = User.objects.get(email="citizen2@example.org")
    assert jordan.assurance_level == AssuranceLevel.EMAIL_VERIFIED
    assert casey.assurance_level == AssuranceLevel.IDENTITY_VERIFIED
    record = casey.assurance_records.get(level=AssuranceLevel.IDENTITY_VERIFIED)
    assert (record.method, record.document_type) == ("in_person", "passport")
    assert Service.objects.filter(required_assurance=AssuranceLevel.IDENTITY_VERIFIED).exists()
