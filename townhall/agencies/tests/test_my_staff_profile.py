from django.urls import reverse

from townhall.activity.models import Activity
from townhall.agencies import actions

MY_PROFILE = reverse("agencies:my-profile")


def form_data(membership, bio="", public=True):
    prefix = f"membership-{membership.pk}"
    data = {"membership": str(membership.pk), f"{prefix}-bio": bio}
    if public:
        data[f"{prefix}-is_public_profile"] = "on"
    return data


def test_my_staff_profile_asks_visitors_to_sign_in(client, db):
    response = client.get(MY_PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_citizen_gets_a_clear_403_on_my_staff_profile(client, citizen):
    client.force_login(citizen)
    response = client.get(MY_PROFILE)
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>My staff profile</h1>" in page
    assert "does not work for any agency" in page


def test_staff_member_sees_each_of_their_work_personas(
    staff_member, other_agency, site_admin, sign_in_staff
):
    actions.add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=staff_member.user,
        public_name="Samuel Rivera",
        job_title="Volunteer Coordinator",
    )
    client = sign_in_staff(staff_member.user)
    response = client.get(MY_PROFILE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sam Rivera, Public Works" in page
    assert "Road Maintenance Supervisor" in page
    assert "Samuel Rivera, Parks and Recreation" in page
    assert "Volunteer Coordinator" in page
    assert page.count('name="membership"') == 2


def test_former_persona_is_not_offered(staff_member, other_agency, site_admin, sign_in_staff):
    old = actions.add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=staff_member.user,
        public_name="Samuel Rivera",
        job_title="Seasonal Worker",
    )
    actions.update_staff_membership(by=site_admin, membership=old, changes={"is_active": False})
    client = sign_in_staff(staff_member.user)
    page = client.get(MY_PROFILE).content.decode()
    assert "Seasonal Worker" not in page
    response = client.post(MY_PROFILE, form_data(old, bio="Back again"))
    assert response.status_code == 403
    old.refresh_from_db()
    assert old.bio == ""


def test_staff_member_updates_their_bio(staff_member, sign_in_staff):
    client = sign_in_staff(staff_member.user)
    response = client.post(MY_PROFILE, form_data(staff_member, bio="  I run the road crews.  "))
    assert response.status_code == 302
    assert response["Location"] == MY_PROFILE
    staff_member.refresh_from_db()
    assert staff_member.bio == "I run the road crews."
    assert staff_member.is_public_profile is True
    page = client.get(MY_PROFILE).content.decode()
    assert "Your profile as Sam Rivera at Public Works is saved." in page


def test_staff_member_can_hide_their_public_profile(client, staff_member, sign_in_staff):
    url = staff_member.get_absolute_url()
    signed_in = sign_in_staff(staff_member.user)
    signed_in.post(MY_PROFILE, form_data(staff_member, bio="", public=False))
    staff_member.refresh_from_db()
    assert staff_member.is_public_profile is False
    signed_in.logout()
    assert client.get(url).status_code == 404
    assert "Sam Rivera" not in client.get(reverse("agencies:staff-list")).content.decode()


def test_a_bio_that_is_too_long_is_refused_with_an_error_next_to_the_field(
    staff_member, sign_in_staff
):
    client = sign_in_staff(staff_member.user)
    response = client.post(MY_PROFILE, form_data(staff_member, bio="x" * 1001))
    assert response.status_code == 200
    page = response.content.decode()
    assert "usa-form-group--error" in page
    assert "usa-alert--error" in page
    assert "Ensure this value has at most 1000 characters" in page
    staff_member.refresh_from_db()
    assert staff_member.bio == ""
    assert not Activity.objects.filter(verb="staff.profile_updated").exists()


def test_html_typed_into_the_bio_form_is_stored_as_text_and_shown_escaped(
    client, staff_member, sign_in_staff
):
    signed_in = sign_in_staff(staff_member.user)
    signed_in.post(MY_PROFILE, form_data(staff_member, bio="<b>bold</b> & <script>x()</script>"))
    page = client.get(staff_member.get_absolute_url()).content.decode()
    assert "<script>x()</script>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt;" in page


def test_another_staff_member_cannot_edit_someone_elses_profile(
    staff_member, add_person, agency, sign_in_staff
):
    colleague = add_person(agency, "Dana Whitfield")
    client = sign_in_staff(colleague.user)
    response = client.post(MY_PROFILE, form_data(staff_member, bio="Hijacked", public=False))
    assert response.status_code == 403
    staff_member.refresh_from_db()
    assert staff_member.bio == ""
    assert staff_member.is_public_profile is True


def test_citizen_cannot_edit_a_staff_profile(client, citizen, staff_member):
    client.force_login(citizen)
    response = client.post(MY_PROFILE, form_data(staff_member, bio="Hijacked"))
    assert response.status_code == 403
    staff_member.refresh_from_db()
    assert staff_member.bio == ""


def test_a_malformed_membership_id_is_refused(staff_member, sign_in_staff):
    client = sign_in_staff(staff_member.user)
    for nasty in ["", "abc", "1 OR 1=1", "-1", "9" * 40]:
        response = client.post(MY_PROFILE, {"membership": nasty})
        assert response.status_code == 403
