"""Who can see a commitment, how cheaply a list of them is read, and the read-only admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from townhall.commitments.models import Commitment
from townhall.commitments.tests.commitment_examples import FRIDAY, make

pytestmark = pytest.mark.django_db


def test_a_private_commitment_is_seen_by_its_citizen_its_agency_and_site_admins_only(
    promise: Commitment,
    citizen: Any,
    citizen2: Any,
    staff_member: Any,
    other_staff: Any,
    site_admin: Any,
) -> None:
    def sees(user: Any) -> bool:
        return Commitment.objects.visible_to(user).filter(pk=promise.pk).exists()

    assert sees(citizen)
    assert sees(staff_member.user)
    assert sees(site_admin)
    assert not sees(citizen2)
    assert not sees(other_staff.user)
    assert not sees(AnonymousUser())
    assert not sees(None)


def test_a_former_staff_member_no_longer_sees_private_commitments(
    promise: Commitment, staff_member: Any
) -> None:
    staff_member.is_active = False
    staff_member.save(update_fields=["is_active"])
    assert not Commitment.objects.visible_to(staff_member.user).exists()


def test_a_public_commitment_is_seen_by_everyone(
    staff_member: Any, agency: Any, citizen: Any, citizen2: Any, other_staff: Any
) -> None:
    public = make(staff_member.user, agency, citizen, is_public=True)
    for user in (citizen2, other_staff.user, AnonymousUser()):
        assert list(Commitment.objects.visible_to(user)) == [public]


def test_a_list_of_commitments_takes_a_fixed_number_of_queries(
    staff_member: Any,
    agency: Any,
    citizen: Any,
    site_admin: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from townhall.agencies import actions as agency_actions
    from townhall.commitments import actions

    team = agency_actions.create_team(by=site_admin, agency=agency, name="Roads")
    for hours in range(8):
        actions.make_commitment(
            by=staff_member.user,
            agency=agency,
            kind="custom",
            description=f"Promise {hours}",
            due_at=FRIDAY + timedelta(hours=hours),
            made_to=citizen,
            team=team,
        )
    with django_assert_max_num_queries(1):
        rows = [
            (c.agency.name, c.made_to.display_name, c.made_by_persona.public_name, c.team.name)
            for c in Commitment.objects.visible_to(citizen).select_related(
                "agency", "made_to", "made_by_persona", "team"
            )
        ]
    assert len(rows) == 8


def test_the_admin_lists_commitments_but_cannot_add_change_or_delete(
    client: Any, site_admin: Any, promise: Commitment
) -> None:
    client.force_login(site_admin)
    listing = client.get("/admin/commitments/commitment/?state__exact=open")
    assert listing.status_code == 200
    assert "I will call you by Friday" in listing.content.decode()
    assert client.get("/admin/commitments/commitment/add/").status_code == 403
    change = client.post(f"/admin/commitments/commitment/{promise.pk}/change/", {"state": "kept"})
    assert change.status_code == 403
    client.post(f"/admin/commitments/commitment/{promise.pk}/delete/", {"post": "yes"})
    promise.refresh_from_db()
    assert promise.state == "open"


@pytest.mark.parametrize("public", [False, True])
def test_a_commitment_in_memory_is_visible_to_exactly_whom_the_query_shows_it(
    promise: Commitment,
    public: bool,
    citizen: Any,
    citizen2: Any,
    staff_member: Any,
    other_staff: Any,
    site_admin: Any,
) -> None:
    """`Commitment.is_visible_to` (for commitments already read, such as a filing's own)
    keeps to the rule of `visible_to`."""
    Commitment.objects.filter(pk=promise.pk).update(is_public=public)
    promise.refresh_from_db()
    readers = {
        "anonymous": (AnonymousUser(), False),
        "nobody": (None, False),
        "its citizen": (citizen, False),
        "another citizen": (citizen2, False),
        "its agency's staff": (staff_member.user, True),
        "staff of another agency": (other_staff.user, False),
        "site administrator": (site_admin, False),
    }
    for name, (reader, staff) in readers.items():
        shown = Commitment.objects.visible_to(reader).filter(pk=promise.pk).exists()
        assert promise.is_visible_to(reader, is_agency_staff=staff) == shown, name
