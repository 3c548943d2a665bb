from django.urls import reverse

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility
from townhall.agencies import actions
from townhall.agencies.queries import RECENT_ACTIVITY_LIMIT


def test_home_explains_the_site_and_links_to_agencies_and_people(client, agency):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "named public servants" in page
    assert "tracked in the open" in page
    assert reverse("agencies:agency-list") in page
    assert reverse("agencies:staff-list") in page
    assert "Public Works" in page
    assert agency.get_absolute_url() in page


def test_home_invites_visitors_to_create_an_account_or_sign_in(client, db):
    page = client.get(reverse("home")).content.decode()
    assert "No agencies have joined yet." in page
    assert reverse("account_signup") in page
    assert reverse("account_login") in page


def test_home_sends_signed_in_people_to_their_account(client, citizen):
    client.force_login(citizen)
    page = client.get(reverse("home")).content.decode()
    assert "You are signed in as Alex Park." in page
    assert reverse("identity:account") in page


def test_agency_directory_lists_published_agencies_with_people_and_service_counts(
    client, agency, other_agency, staff_member, add_person, site_admin
):
    add_person(agency, "Dana Whitfield")
    add_person(agency, "Hidden Person", is_public_profile=False)
    actions.add_service(by=site_admin, agency=agency, code="pothole", name="Pothole")
    response = client.get(reverse("agencies:agency-list"))
    page = response.content.decode()
    assert "Keep Springfield&#x27;s streets, water and waste running." in page
    assert "Parks everyone can enjoy." in page
    assert "2 people" in page  # Sam Rivera and Dana Whitfield; the hidden profile is not counted
    assert "1 service" in page
    assert "0 people" in page and "0 services" in page  # Parks and Recreation


def test_agency_directory_leaves_out_unpublished_agencies(client, agency, site_admin):
    actions.create_agency(
        by=site_admin,
        name="Secret Planning Unit",
        purpose="Not ready yet.",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
        is_published=False,
    )
    page = client.get(reverse("agencies:agency-list")).content.decode()
    assert "Public Works" in page
    assert "Secret Planning Unit" not in page


def test_agency_page_shows_purpose_goals_services_teams_and_named_staff(
    client, agency, staff_member, site_admin
):
    actions.add_goal(
        by=site_admin,
        agency=agency,
        title="Fix potholes fast",
        description="Potholes are dangerous for cyclists.",
        measure="Share of potholes repaired within 5 working days",
    )
    team = actions.create_team(by=site_admin, agency=agency, name="Road Maintenance")
    actions.add_service(
        by=site_admin,
        agency=agency,
        code="pothole",
        name="Pothole",
        description="Report a pothole on a city street.",
    )
    actions.update_staff_membership(
        by=site_admin, membership=staff_member, changes={"teams": [team]}
    )
    response = client.get(agency.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Public Works</h1>" in page
    assert "Keep Springfield&#x27;s streets, water and waste running." in page
    assert "Fix potholes fast" in page
    assert "Potholes are dangerous for cyclists." in page
    assert "Share of potholes repaired within 5 working days" in page
    assert "Pothole" in page and "<code>pothole</code>" in page
    assert "Report a pothole on a city street." in page
    assert "Road Maintenance" in page
    assert "Sam Rivera" in page and "Road Maintenance Supervisor" in page
    assert staff_member.get_absolute_url() in page


def test_agency_page_shows_contact_details_and_links_to_its_parent_agency(client, site_admin):
    clerk = actions.create_agency(
        by=site_admin,
        name="City Clerk",
        purpose="Keeps the record.",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
    )
    records = actions.create_agency(
        by=site_admin,
        name="Office of Public Records",
        purpose="Answers FOI requests.",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
        parent=clerk,
        email="foi@springfield.example",
        phone="(217) 555-0115",
    )
    page = client.get(records.get_absolute_url()).content.decode()
    assert f'href="{clerk.get_absolute_url()}"' in page
    assert "mailto:foi@springfield.example" in page
    assert "(217) 555-0115" in page
    parent_page = client.get(clerk.get_absolute_url()).content.decode()
    assert f'href="{records.get_absolute_url()}"' in parent_page


def test_agency_page_shows_empty_states_when_nothing_is_published(client, other_agency):
    page = client.get(other_agency.get_absolute_url()).content.decode()
    assert "This agency has not published goals yet." in page
    assert "This agency does not offer services through this site yet." in page
    assert "This agency has no teams yet." in page
    assert "No one at this agency has a public profile yet." in page
    assert "This agency has not published contact details yet." in page


def test_unpublished_agency_page_is_not_found(client, agency, site_admin):
    actions.update_agency(by=site_admin, agency=agency, changes={"is_published": False})
    assert client.get(agency.get_absolute_url()).status_code == 404


def test_unknown_agency_page_is_not_found(client, db):
    assert client.get("/agencies/no-such-agency/").status_code == 404


def test_agency_page_does_not_list_private_or_former_staff(
    client, agency, staff_member, add_person, site_admin
):
    add_person(agency, "Private Person", is_public_profile=False)
    former = add_person(agency, "Former Person")
    actions.update_staff_membership(by=site_admin, membership=former, changes={"is_active": False})
    page = client.get(agency.get_absolute_url()).content.decode()
    assert "Sam Rivera" in page
    assert "Private Person" not in page
    assert "Former Person" not in page.split("Recent public activity")[0]


def test_agency_page_shows_recent_public_activity_with_a_machine_readable_time(
    client, agency, staff_member
):
    page = client.get(agency.get_absolute_url()).content.decode()
    section = page.split("Recent public activity")[1]
    assert "Sam Rivera joined Public Works as Road Maintenance Supervisor" in section
    assert '<time datetime="' in section


def test_agency_page_shows_only_public_activity_even_to_site_administrators(
    client, agency, site_admin
):
    record_activity(
        verb="test.internal",
        summary="An internal note about Public Works",
        visibility=Visibility.INTERNAL,
        actor=site_admin,
        agency=agency,
    )
    record_activity(
        verb="test.staff",
        summary="A staff-only note about Public Works",
        visibility=Visibility.STAFF,
        agency=agency,
    )
    client.force_login(site_admin)
    page = client.get(agency.get_absolute_url()).content.decode()
    assert "An internal note about Public Works" not in page
    assert "A staff-only note about Public Works" not in page
    assert "Public Works joined Townhall" in page


def test_agency_page_shows_only_that_agencys_newest_twenty_entries(client, agency, other_agency):
    for number in range(RECENT_ACTIVITY_LIMIT + 5):
        record_activity(
            verb="test.public",
            summary=f"Public Works entry number {number:02d}",
            visibility=Visibility.PUBLIC,
            agency=agency,
        )
    page = client.get(agency.get_absolute_url()).content.decode()
    assert page.count("<time datetime=") == RECENT_ACTIVITY_LIMIT
    assert f"entry number {RECENT_ACTIVITY_LIMIT + 4:02d}" in page
    assert "entry number 00" not in page
    assert "Parks and Recreation joined" not in page


def test_html_in_agency_text_is_shown_as_text(client, site_admin):
    agency = actions.create_agency(
        by=site_admin,
        name="<b>Bold</b> Agency",
        slug="bold-agency",
        purpose='<script>alert("x")</script> Fixes things.',
        jurisdiction="US-IL",
        time_zone="America/Chicago",
    )
    actions.add_goal(
        by=site_admin, agency=agency, title="<img src=x onerror=alert(1)>", measure="'; DROP --"
    )
    page = client.get(agency.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Fixes things." in page
    assert "<img src=x" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Agency" in page
    assert "&#x27;; DROP --" in page


def test_agency_directory_shows_fifty_agencies_a_page_with_links_between_pages(client, site_admin):
    from townhall.agencies.models import Agency

    Agency.objects.bulk_create(
        Agency(
            name=f"Agency {n:03d}",
            slug=f"agency-{n:03d}",
            purpose="p",
            jurisdiction="US-IL",
            time_zone="America/Chicago",
        )
        for n in range(55)
    )
    first = client.get("/agencies/").content.decode()
    assert "Agency 049" in first and "Agency 050" not in first
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = client.get("/agencies/?page=2").content.decode()
    assert "Agency 050" in second and "Agency 054" in second and "Agency 000" not in second
    assert client.get("/agencies/?page=not-a-number").status_code == 200
