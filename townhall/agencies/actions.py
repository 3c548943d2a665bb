"""Use cases that change agencies, their goals, teams, staff and services.

Setting up agencies is a site administrator's job (`by` must be a superuser); staff edit
their own public profile, always acting as their work persona.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility

from .models import Agency, Goal, Service, StaffMembership, StaffRole, Team


def _require_site_admin(by: Any) -> None:
    if by is None or not by.is_authenticated or not by.is_superuser:
        raise PermissionDenied("Only a site administrator can do this.")


def _require_agency_admin(by: Any, agency: Agency) -> None:
    if by is not None and by.is_authenticated and by.is_superuser:
        return
    if not StaffMembership.objects.active().filter(
        user=by, agency=agency, role=StaffRole.ADMIN
    ).exists():
        raise PermissionDenied("Only an administrator of this agency can do this.")


@transaction.atomic
def create_agency(
    *,
    by: Any,
    name: str,
    purpose: str,
    jurisdiction: str,
    time_zone: str,
    slug: str = "",
    parent: Agency | None = None,
    email: str = "",
    phone: str = "",
) -> Agency:
    _require_site_admin(by)
    agency = Agency(
        name=name,
        slug=slug or slugify(name)[:80],
        purpose=purpose,
        jurisdiction=jurisdiction,
        time_zone=time_zone,
        parent=parent,
        email=email,
        phone=phone,
    )
    agency.full_clean()
    agency.save()
    record_activity(
        verb="agency.created",
        summary=f"{agency.name} joined {agency.jurisdiction} on Townhall",
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=agency,
        target=agency,
    )
    return agency


@transaction.atomic
def add_goal(*, by: Any, agency: Agency, title: str, measure: str, description: str = "") -> Goal:
    _require_agency_admin(by, agency)
    goal = Goal(
        agency=agency,
        title=title,
        measure=measure,
        description=description,
        order=agency.goals.count(),
    )
    goal.full_clean()
    goal.save()
    record_activity(
        verb="goal.added",
        summary=f"{agency.name} set a goal: {goal.title}",
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=agency,
        target=goal,
    )
    return goal


@transaction.atomic
def create_team(*, by: Any, agency: Agency, name: str, description: str = "") -> Team:
    _require_agency_admin(by, agency)
    team = Team(agency=agency, name=name, slug=slugify(name)[:80], description=description)
    team.full_clean()
    team.save()
    record_activity(
        verb="team.created",
        summary=f"{agency.name} opened the team inbox “{team.name}”",
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=agency,
        target=team,
    )
    return team


@transaction.atomic
def add_staff_member(
    *,
    by: Any,
    agency: Agency,
    user: Any,
    public_name: str,
    job_title: str,
    role: str = StaffRole.STAFF,
    teams: Iterable[Team] = (),
    bio: str = "",
    is_public_profile: bool = True,
) -> StaffMembership:
    _require_agency_admin(by, agency)
    membership = StaffMembership(
        user=user,
        agency=agency,
        public_name=public_name,
        slug=slugify(public_name)[:80],
        job_title=job_title,
        role=role,
        bio=bio,
        is_public_profile=is_public_profile,
    )
    membership.full_clean()
    membership.save()
    team_list = list(teams)
    if any(team.agency_id != agency.pk for team in team_list):
        raise ValueError("A staff member can only join teams of their own agency.")
    membership.teams.set(team_list)
    record_activity(
        verb="staff.joined",
        summary=f"{membership.public_name} joined {agency.name} as {membership.job_title}",
        visibility=Visibility.PUBLIC if is_public_profile else Visibility.STAFF,
        actor=by,
        agency=agency,
        target=membership,
    )
    return membership


@transaction.atomic
def update_staff_profile(
    *, by: Any, membership: StaffMembership, bio: str, is_public_profile: bool
) -> StaffMembership:
    """A staff member edits their own work profile; this always acts as the work persona."""
    if by is None or not by.is_authenticated or membership.user_id != by.pk:
        raise PermissionDenied("Only the staff member can edit their own profile.")
    membership.bio = bio
    membership.is_public_profile = is_public_profile
    membership.full_clean()
    membership.save(update_fields=["bio", "is_public_profile"])
    record_activity(
        verb="staff.profile_updated",
        summary=f"{membership.public_name} updated their staff profile",
        visibility=Visibility.PUBLIC if is_public_profile else Visibility.STAFF,
        actor=by,
        persona=membership,
        target=membership,
    )
    return membership


@transaction.atomic
def add_service(
    *, by: Any, agency: Agency, code: str, name: str, description: str = ""
) -> Service:
    _require_agency_admin(by, agency)
    service = Service(agency=agency, code=code, name=name, description=description)
    service.full_clean()
    service.save()
    record_activity(
        verb="service.added",
        summary=f"{agency.name} now offers “{service.name}”",
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=agency,
        target=service,
    )
    return service
