"""A person's work persona and their personal account stay apart in the activity log."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from townhall.activity.models import Activity
from townhall.agencies import actions
from townhall.identity import actions as identity_actions


def test_updating_a_staff_profile_is_recorded_as_the_work_persona(client, staff_member):
    actions.update_staff_profile(
        by=staff_member.user, membership=staff_member, bio="Roads.", is_public_profile=True
    )
    entry = Activity.objects.get(verb="staff.profile_updated")
    assert entry.persona == staff_member
    assert entry.actor == staff_member.user
    assert entry.agency == staff_member.agency
    assert entry.summary == "Sam Rivera updated their staff profile"
    page = client.get(staff_member.agency.get_absolute_url()).content.decode()
    assert "Sam Rivera updated their staff profile" in page


def test_the_same_persons_citizen_activity_never_shows_the_work_name(client, staff_member):
    user = staff_member.user
    identity_actions.update_profile(
        by=user, user=user, display_name="sammy", legal_name="", preferred_language="en"
    )
    entry = Activity.objects.get(verb="account.profile_updated")
    assert entry.persona is None
    assert entry.agency is None
    assert "Sam Rivera" not in entry.summary
    assert "Public Works" not in entry.summary
    page = client.get(staff_member.agency.get_absolute_url()).content.decode()
    assert "sammy" not in page
    assert "updated their profile" not in page


def test_a_hidden_profile_update_is_not_public(client, staff_member):
    actions.update_staff_profile(
        by=staff_member.user, membership=staff_member, bio="", is_public_profile=False
    )
    entry = Activity.objects.get(verb="staff.profile_updated")
    assert entry.persona == staff_member
    page = client.get(staff_member.agency.get_absolute_url()).content.decode()
    assert "updated their staff profile" not in page


def test_only_the_member_can_update_their_own_staff_profile(
    staff_member, citizen, site_admin, add_person, agency
):
    colleague = add_person(agency, "Dana Whitfield")
    for intruder in [colleague.user, citizen, site_admin, AnonymousUser(), None]:
        with pytest.raises(PermissionDenied):
            actions.update_staff_profile(
                by=intruder, membership=staff_member, bio="Hijacked", is_public_profile=False
            )
    staff_member.refresh_from_db()
    assert staff_member.bio == ""
    assert not Activity.objects.filter(verb="staff.profile_updated").exists()
