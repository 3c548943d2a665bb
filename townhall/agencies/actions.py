"""Use cases that change agencies, their goals, teams, staff and services.

Setting up agencies is a site administrator's job (`by` must be a superuser); staff edit
their own public profile, always acting as their work persona.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility

from .models import Agency, Goal, Service, StaffMembership, StaffRole, Team
from .rules import require_agency_admin, require_site_admin

# Addresses under /agencies/ that an agency's slug must not take.
RESERVED_AGENCY_SLUGS = frozenset({"people"})


def _check_agency_slug(slug: str) -> None:
    if slug in RESERVED_AGENCY_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved for another page."})


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
    is_published: bool = True,
) -> Agency:
    require_site_admin(by)
    agency = Agency(
        name=name,
        slug=slug or slugify(name)[:80],
        purpose=purpose,
        jurisdiction=jurisdiction,
        time_zone=time_zone,
        parent=parent,
        email=email,
        phone=phone,
        is_published=is_published,
    )
    _check_agency_slug(agency.slug)
    agency.full_clean()
    agency.save()
    record_activity(
        verb="agency.created",
        summary=f"{agency.name} joined Townhall",
        visibility=Visibility.PUBLIC if is_published else Visibility.STAFF,
        actor=by,
        agency=agency,
        target=agency,
    )
    return agency


@transaction.atomic
def add_goal(*, by: Any, agency: Agency, title: str, measure: str, description: str = "") -> Goal:
    require_agency_admin(by, agency)
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
    require_agency_admin(by, agency)
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
    started_at: date | None = None,
) -> StaffMembership:
    require_agency_admin(by, agency)
    membership = StaffMembership(
        user=user,
        agency=agency,
        public_name=public_name,
        slug=slugify(public_name)[:80],
        job_title=job_title,
        role=role,
        bio=bio,
        is_public_profile=is_public_profile,
        started_at=started_at,
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
def add_service(*, by: Any, agency: Agency, code: str, name: str, description: str = "") -> Service:
    require_agency_admin(by, agency)
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


# --- Changes to existing records ----------------------------------------------------------
# The admin (and later the API) edit through these, so every change lands in the log.


def _apply_changes(obj: Any, changes: Mapping[str, Any], allowed: frozenset[str]) -> list[str]:
    """Set the allowed fields that really change; return their names."""
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = [name for name, value in changes.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, changes[name])
    return changed


AGENCY_FIELDS = frozenset(
    {"name", "slug", "purpose", "jurisdiction", "time_zone", "parent", "email", "phone"}
    | {"is_published"}
)


@transaction.atomic
def update_agency(*, by: Any, agency: Agency, changes: Mapping[str, Any]) -> Agency:
    """Change an agency's details (site administrators only)."""
    require_site_admin(by)
    parent = changes.get("parent", agency.parent)
    while parent is not None:
        if parent.pk == agency.pk:
            raise ValueError("An agency cannot be part of itself.")
        parent = parent.parent
    changed = _apply_changes(agency, changes, AGENCY_FIELDS)
    if not changed:
        return agency
    _check_agency_slug(agency.slug)
    agency.full_clean()
    agency.save(update_fields=changed)
    record_activity(
        verb="agency.updated",
        summary=f"{agency.name} updated its details",
        visibility=Visibility.PUBLIC if agency.is_published else Visibility.STAFF,
        actor=by,
        agency=agency,
        target=agency,
    )
    return agency


@transaction.atomic
def update_goal(*, by: Any, goal: Goal, changes: Mapping[str, Any]) -> Goal:
    require_agency_admin(by, goal.agency)
    changed = _apply_changes(goal, changes, frozenset({"title", "description", "measure", "order"}))
    if not changed:
        return goal
    goal.full_clean()
    goal.save(update_fields=changed)
    record_activity(
        verb="goal.updated",
        summary=f"{goal.agency.name} updated the goal: {goal.title}",
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=goal.agency,
        target=goal,
    )
    return goal


@transaction.atomic
def update_team(*, by: Any, team: Team, changes: Mapping[str, Any]) -> Team:
    """Rename a team or change what it handles. Its address (slug) stays the same."""
    require_agency_admin(by, team.agency)
    changed = _apply_changes(team, changes, frozenset({"name", "description"}))
    if not changed:
        return team
    team.full_clean()
    team.save(update_fields=changed)
    record_activity(
        verb="team.updated",
        summary=f"{team.agency.name} updated the team “{team.name}”",
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=team.agency,
        target=team,
    )
    return team


@transaction.atomic
def update_service(*, by: Any, service: Service, changes: Mapping[str, Any]) -> Service:
    """Change a service's name, description or whether it is offered. Its code is fixed."""
    require_agency_admin(by, service.agency)
    changed = _apply_changes(service, changes, frozenset({"name", "description", "is_active"}))
    if not changed:
        return service
    service.full_clean()
    service.save(update_fields=changed)
    record_activity(
        verb="service.updated",
        summary=(
            f"{service.agency.name} updated “{service.name}”"
            if service.is_active
            else f"{service.agency.name} no longer offers “{service.name}”"
        ),
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=service.agency,
        target=service,
    )
    return service


MEMBERSHIP_FIELDS = frozenset(
    {"public_name", "job_title", "role", "bio", "is_public_profile", "is_active", "started_at"}
)


@transaction.atomic
def update_staff_membership(
    *, by: Any, membership: StaffMembership, changes: Mapping[str, Any]
) -> StaffMembership:
    """An agency administrator changes a membership: title, role, teams, or ends it.

    The profile address (slug) stays the same when the work name changes.
    """
    require_agency_admin(by, membership.agency)
    field_changes = {name: value for name, value in changes.items() if name != "teams"}
    changed = _apply_changes(membership, field_changes, MEMBERSHIP_FIELDS)
    teams_changed = False
    if "teams" in changes:
        team_list = list(changes["teams"])
        if any(team.agency_id != membership.agency_id for team in team_list):
            raise ValueError("A staff member can only join teams of their own agency.")
        teams_changed = {team.pk for team in team_list} != set(
            membership.teams.values_list("pk", flat=True)
        )
        if teams_changed:
            membership.teams.set(team_list)
    if not changed and not teams_changed:
        return membership
    if changed:
        membership.full_clean()
        membership.save(update_fields=changed)
    is_public = membership.is_public_profile and membership.is_active
    record_activity(
        verb="staff.updated" if membership.is_active else "staff.left",
        summary=(
            f"{membership.public_name}'s role at {membership.agency.name} changed"
            if membership.is_active
            else f"{membership.public_name} no longer works for {membership.agency.name}"
        ),
        visibility=Visibility.PUBLIC if is_public else Visibility.STAFF,
        actor=by,
        agency=membership.agency,
        target=membership,
    )
    return membership
