from django.urls import reverse

from townhall.agencies import actions
from townhall.agencies.views import STAFF_PAGE_SIZE

STAFF_LIST = reverse("agencies:staff-list")


def test_staff_directory_lists_named_people_with_title_agency_and_teams(
    client, agency, staff_member, site_admin
):
    team = actions.create_team(by=site_admin, agency=agency, name="Road Maintenance")
    actions.update_staff_membership(
        by=site_admin, membership=staff_member, changes={"teams": [team]}
    )
    response = client.get(STAFF_LIST)
    assert response.status_code == 200
    row = response.content.decode().split("<tbody>")[1]
    assert "Sam Rivera" in row
    assert "Road Maintenance Supervisor" in row
    assert "Public Works" in row
    assert "Road Maintenance<" in row
    assert staff_member.get_absolute_url() in row
    # People, not accounts: the personal display name of the account is not shown.
    assert "sammy" not in response.content.decode()


def test_private_profiles_are_not_listed(client, agency, staff_member, add_person):
    add_person(agency, "Quiet Quinn", is_public_profile=False)
    page = client.get(STAFF_LIST).content.decode()
    assert "Sam Rivera" in page
    assert "Quiet Quinn" not in page


def test_private_profile_page_is_not_found(client, agency, add_person):
    quiet = add_person(agency, "Quiet Quinn", is_public_profile=False)
    assert client.get(quiet.get_absolute_url()).status_code == 404


def test_former_staff_members_are_not_listed_and_their_profile_is_not_found(
    client, staff_member, site_admin
):
    url = staff_member.get_absolute_url()
    assert client.get(url).status_code == 200
    actions.update_staff_membership(
        by=site_admin, membership=staff_member, changes={"is_active": False}
    )
    assert client.get(url).status_code == 404
    assert "Sam Rivera" not in client.get(STAFF_LIST).content.decode()


def test_profiles_in_an_unpublished_agency_are_hidden(client, agency, staff_member, site_admin):
    actions.update_agency(by=site_admin, agency=agency, changes={"is_published": False})
    assert client.get(staff_member.get_absolute_url()).status_code == 404
    assert "Sam Rivera" not in client.get(STAFF_LIST).content.decode()


def test_a_profile_address_under_another_agency_is_not_found(client, staff_member, other_agency):
    url = reverse(
        "agencies:staff-detail", kwargs={"slug": other_agency.slug, "person": staff_member.slug}
    )
    assert client.get(url).status_code == 404


def test_staff_directory_filters_by_agency(client, agency, other_agency, staff_member, add_person):
    add_person(other_agency, "Priya Shah", "City Forester")
    response = client.get(STAFF_LIST, {"agency": other_agency.slug})
    page = response.content.decode()
    assert "<h1>People at Parks and Recreation</h1>" in page
    assert "Priya Shah" in page
    assert "Sam Rivera" not in page
    # The chosen agency stays selected, so the form can be changed without JavaScript.
    assert f'<option value="{other_agency.slug}" selected>' in page


def test_filter_with_no_agency_chosen_lists_everyone(
    client, agency, other_agency, staff_member, add_person
):
    add_person(other_agency, "Priya Shah", "City Forester")
    page = client.get(STAFF_LIST, {"agency": ""}).content.decode()
    assert "Priya Shah" in page and "Sam Rivera" in page
    assert "usa-error-message" not in page


def test_unknown_agency_in_the_filter_shows_an_error_next_to_the_field(client, staff_member):
    for nasty in ["no-such-agency", "' OR 1=1 --", "<script>x</script>", "x" * 5000]:
        response = client.get(STAFF_LIST, {"agency": nasty})
        assert response.status_code == 200
        page = response.content.decode()
        assert "usa-form-group--error" in page
        assert "Choose an agency from the list." in page
        assert "<script>x</script>" not in page


def test_unpublished_agencies_cannot_be_chosen_in_the_filter(
    client, agency, site_admin, staff_member
):
    actions.update_agency(by=site_admin, agency=agency, changes={"is_published": False})
    page = client.get(STAFF_LIST, {"agency": agency.slug}).content.decode()
    assert "Choose an agency from the list." in page
    assert f'value="{agency.slug}"' not in page


def test_staff_directory_shows_fifty_people_a_page_and_keeps_the_filter_in_page_links(
    client, agency, add_person
):
    for number in range(STAFF_PAGE_SIZE + 3):
        add_person(agency, f"Person {number:03d}")
    first = client.get(STAFF_LIST, {"agency": agency.slug}).content.decode()
    assert first.count('data-label="Name"') == STAFF_PAGE_SIZE
    assert f"{STAFF_PAGE_SIZE + 3} people" in first
    assert f"?agency={agency.slug}&amp;page=2" in first
    second = client.get(STAFF_LIST, {"agency": agency.slug, "page": 2}).content.decode()
    assert second.count('data-label="Name"') == 3
    assert "Person 052" in second
    assert "Page 2 of 2" in second


def test_malformed_or_out_of_range_page_numbers_still_show_people(client, agency, add_person):
    for number in range(STAFF_PAGE_SIZE + 1):
        add_person(agency, f"Person {number:03d}")
    assert "Person 000" in client.get(STAFF_LIST, {"page": "abc"}).content.decode()
    assert "Person 050" in client.get(STAFF_LIST, {"page": "9999"}).content.decode()
    assert client.get(STAFF_LIST, {"page": "-1"}).status_code == 200


def test_staff_directory_says_so_when_nobody_has_a_public_profile(client, agency):
    page = client.get(STAFF_LIST).content.decode()
    assert "No one has a public profile yet." in page


def test_staff_profile_shows_public_name_title_agency_teams_and_bio(
    client, agency, add_person, site_admin
):
    team = actions.create_team(by=site_admin, agency=agency, name="Streetlights")
    member = add_person(
        agency,
        "Luis Ortega",
        "Streetlight Technician",
        teams=[team],
        bio="Luis repairs streetlights across the city.",
    )
    response = client.get(member.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Luis Ortega</h1>" in page
    assert "Streetlight Technician" in page
    assert agency.get_absolute_url() in page
    assert "Streetlights" in page
    assert "Luis repairs streetlights across the city." in page


def test_html_in_a_bio_is_shown_escaped(client, agency, add_person):
    member = add_person(
        agency,
        "Mallory Example",
        bio='<script>alert("bio")</script><a href="https://evil.example">click</a>',
    )
    page = client.get(member.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert '<a href="https://evil.example">' not in page
    assert "&lt;script&gt;alert(&quot;bio&quot;)&lt;/script&gt;" in page
