"""Every list page costs a fixed number of queries, whatever the number of rows."""

from django.urls import reverse

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility
from townhall.agencies import actions


def build_city(site_admin, add_person, agencies=4, people=4):
    built = []
    for number in range(agencies):
        agency = actions.create_agency(
            by=site_admin,
            name=f"Agency {number}",
            purpose=f"Purpose of agency {number}.",
            jurisdiction="US-IL",
            time_zone="America/Chicago",
            parent=built[0] if built else None,
        )
        teams = [
            actions.create_team(by=site_admin, agency=agency, name=f"Team {n}") for n in range(3)
        ]
        for n in range(3):
            actions.add_goal(
                by=site_admin, agency=agency, title=f"Goal {n}", measure=f"Measure {n}"
            )
            actions.add_service(
                by=site_admin, agency=agency, code=f"service-{number}-{n}", name=f"Service {n}"
            )
        for n in range(people):
            add_person(agency, f"Person {number} {n}", teams=teams[: n % 3 + 1])
        for n in range(5):
            record_activity(
                verb="test.public",
                summary=f"Entry {n}",
                visibility=Visibility.PUBLIC,
                agency=agency,
            )
        built.append(agency)
    return built


def test_home_page_query_count_is_fixed(
    client, site_admin, add_person, django_assert_max_num_queries
):
    build_city(site_admin, add_person, agencies=8)
    with django_assert_max_num_queries(2):
        assert client.get(reverse("home")).status_code == 200


def test_agency_directory_query_count_is_fixed(
    client, site_admin, add_person, django_assert_max_num_queries
):
    build_city(site_admin, add_person, agencies=6)
    with django_assert_max_num_queries(2):  # the count for paging, then the page
        response = client.get(reverse("agencies:agency-list"))
    assert response.content.decode().count("4 people") == 6


def test_agency_page_query_count_is_fixed(
    client, site_admin, add_person, django_assert_max_num_queries
):
    agencies = build_city(site_admin, add_person, agencies=3, people=6)
    with django_assert_max_num_queries(8):
        response = client.get(agencies[1].get_absolute_url())
    assert response.content.decode().count(f'href="/agencies/{agencies[1].slug}/people/') == 6


def test_agency_page_query_count_is_fixed_for_a_signed_in_citizen(
    client, citizen, site_admin, add_person, django_assert_max_num_queries
):
    agencies = build_city(site_admin, add_person, agencies=2, people=5)
    client.force_login(citizen)
    # + session and user, + the middleware's staff check, + the unread notifications count,
    # + the follow button (does the citizen follow the agency)
    with django_assert_max_num_queries(13):
        assert client.get(agencies[0].get_absolute_url()).status_code == 200


def test_staff_directory_query_count_is_fixed(
    client, site_admin, add_person, django_assert_max_num_queries
):
    agencies = build_city(site_admin, add_person, agencies=4, people=5)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("agencies:staff-list"))
    assert response.content.decode().count('data-label="Name"') == 20
    with django_assert_max_num_queries(5):
        response = client.get(reverse("agencies:staff-list"), {"agency": agencies[2].slug})
    assert response.content.decode().count('data-label="Name"') == 5


def test_staff_profile_query_count_is_fixed(
    client, site_admin, add_person, django_assert_max_num_queries
):
    build_city(site_admin, add_person, agencies=2, people=3)
    member = add_person(
        actions.create_agency(
            by=site_admin,
            name="Extra",
            purpose="Extra.",
            jurisdiction="US-IL",
            time_zone="America/Chicago",
        ),
        "Tess Teams",
    )
    with django_assert_max_num_queries(2):
        assert client.get(member.get_absolute_url()).status_code == 200


def test_my_staff_profile_query_count_is_fixed(
    site_admin, add_person, sign_in_staff, django_assert_max_num_queries
):
    agencies = build_city(site_admin, add_person, agencies=3, people=1)
    user = agencies[0].memberships.get().user
    for agency in agencies[1:]:
        actions.add_staff_member(
            by=site_admin,
            agency=agency,
            user=user,
            public_name="Multi Persona",
            job_title="Shared Analyst",
            teams=list(agency.teams.all()),
        )
    client = sign_in_staff(user)
    # session, user, middleware (memberships + second factor), personas, their teams,
    # the unread notifications count, whether they moderate (the navigation's link)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("agencies:my-profile"))
    assert response.content.decode().count('name="membership"') == 3
