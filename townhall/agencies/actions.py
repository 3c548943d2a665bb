"""Use cases that change agencies, their goals, teams, staff and services.

Setting up agencies is a site administrator's job (`by` must be a superuser); staff edit
their own public profile, always acting as their work persona.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility
from townhall.identity.models import AssuranceLevel

from .models import (
    FOI_EXTENSION_WORKING_DAYS,
    Agency,
    Goal,
    Service,
    ServiceAttribute,
    ServiceKind,
    StaffMembership,
    StaffRole,
    Team,
    normalize_keywords,
)
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
def add_goal(
    *,
    by: Any,
    agency: Agency,
    title: str,
    measure: str,
    description: str = "",
    metric: str = "",
    target: Decimal | float | str | None = None,
) -> Goal:
    """Publish a goal. `metric` (a GoalMetric) and `target` (percent or hours) come
    together: the dashboard then shows whether the goal is met."""
    require_agency_admin(by, agency)
    goal = Goal(
        agency=agency,
        title=title,
        measure=measure,
        description=description,
        metric=metric,
        target=target,
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
    is_moderator: bool = False,
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
        is_moderator=is_moderator,
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


SERVICE_KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    # FOI requests and answers are public, as the law intends, and the statute allows one
    # extension of the deadline.
    ServiceKind.FOI_REQUEST: {
        "public_by_default": True,
        "allows_private": False,
        "extension_working_days": FOI_EXTENSION_WORKING_DAYS,
    },
}
SERVICE_DEFAULTS: dict[str, Any] = {
    "public_by_default": False,
    "allows_private": True,
    "extension_working_days": 0,
}


@transaction.atomic
def add_service(
    *,
    by: Any,
    agency: Agency,
    code: str,
    name: str,
    description: str = "",
    kind: str = ServiceKind.SERVICE,
    keywords: Iterable[str] | str = (),
    group: str = "",
    location_required: bool = False,
    required_assurance: str = AssuranceLevel.EMAIL_VERIFIED,
    acknowledge_working_days: int = 2,
    respond_working_days: int = 10,
    extension_working_days: int | None = None,
    public_by_default: bool | None = None,
    allows_private: bool | None = None,
) -> Service:
    """Offer a new service with its standard.

    Left out (None), `public_by_default`, `allows_private` and `extension_working_days`
    follow the kind: an FOI request is public, cannot be made private and may be extended
    by the statutory 10 working days; anything else is private by default with no extension.
    """
    require_agency_admin(by, agency)
    defaults = {**SERVICE_DEFAULTS, **SERVICE_KIND_DEFAULTS.get(kind, {})}
    service = Service(
        agency=agency,
        code=code,
        name=name,
        description=description,
        kind=kind,
        keywords=normalize_keywords(keywords),
        group=group.strip(),
        location_required=location_required,
        required_assurance=required_assurance,
        acknowledge_working_days=acknowledge_working_days,
        respond_working_days=respond_working_days,
        extension_working_days=(
            defaults["extension_working_days"]
            if extension_working_days is None
            else extension_working_days
        ),
        public_by_default=(
            defaults["public_by_default"] if public_by_default is None else public_by_default
        ),
        allows_private=defaults["allows_private"] if allows_private is None else allows_private,
    )
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


def _choices(values: Any) -> Any:
    """Copy the choices of a list question; anything malformed is left for validation."""
    if isinstance(values, list | tuple):
        return [dict(choice) if isinstance(choice, Mapping) else choice for choice in values]
    return values


def _next_attribute_order(service: Service) -> int:
    highest = service.attributes.aggregate(highest=Max("order"))["highest"]
    return 0 if highest is None else highest + 1


@transaction.atomic
def add_service_attribute(
    *,
    by: Any,
    service: Service,
    code: str,
    description: str,
    datatype: str,
    required: bool = False,
    variable: bool = True,
    datatype_description: str = "",
    values: list[Mapping[str, str]] | tuple[Mapping[str, str], ...] = (),
    order: int | None = None,
) -> ServiceAttribute:
    """Add a question the service asks when a request is filed (an Open311 attribute).

    `values` are the choices of a list question, each {"key": ..., "name": ...}. Without
    an `order` the question goes last.
    """
    require_agency_admin(by, service.agency)
    if service.attributes.filter(code=code).exists():
        raise ValidationError(
            {"code": f"“{service.name}” already asks a question with the code “{code}”."}
        )
    attribute = ServiceAttribute(
        service=service,
        code=code,
        description=description.strip(),
        datatype=datatype,
        datatype_description=datatype_description.strip(),
        required=required,
        variable=variable,
        values=_choices(values),
        order=_next_attribute_order(service) if order is None else order,
    )
    attribute.full_clean()
    attribute.save()
    record_activity(
        verb="service.question_added",
        summary=f"“{service.name}” now asks: {attribute.description}",
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=service.agency,
        target=service,
    )
    return attribute


ATTRIBUTE_FIELDS = frozenset(
    {"description", "datatype", "datatype_description", "required", "variable", "values"}
    | {"order"}
)


@transaction.atomic
def update_service_attribute(
    *, by: Any, attribute: ServiceAttribute, changes: Mapping[str, Any]
) -> ServiceAttribute:
    """Change a question. Its code is fixed: filed answers refer to it."""
    service = attribute.service
    require_agency_admin(by, service.agency)
    changes = dict(changes)
    if "values" in changes:
        changes["values"] = _choices(changes["values"])
    if not _validate_and_save(attribute, changes, ATTRIBUTE_FIELDS):
        return attribute
    record_activity(
        verb="service.question_updated",
        summary=f"“{service.name}” changed the question: {attribute.description}",
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=service.agency,
        target=service,
    )
    return attribute


@transaction.atomic
def remove_service_attribute(*, by: Any, attribute: ServiceAttribute) -> None:
    """Stop asking a question. Answers already filed keep what was answered."""
    service = attribute.service
    require_agency_admin(by, service.agency)
    description = attribute.description
    attribute.delete()
    record_activity(
        verb="service.question_removed",
        summary=f"“{service.name}” no longer asks: {description}",
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=service.agency,
        target=service,
    )


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


def _validate_and_save(obj: Any, changes: Mapping[str, Any], allowed: frozenset[str]) -> list[str]:
    """Apply the changes, validate, save them; return the names of the fields that changed.

    When validation fails the object gets its old values back, so a caller that retries
    with other changes does not save a refused value by accident.
    """
    before = {name: getattr(obj, name) for name in changes if name in allowed}
    changed = _apply_changes(obj, changes, allowed)
    if not changed:
        return changed
    try:
        obj.full_clean()
    except ValidationError:
        for name in changed:
            setattr(obj, name, before[name])
        raise
    obj.save(update_fields=changed)
    return changed


AGENCY_FIELDS = frozenset(
    {"name", "slug", "purpose", "jurisdiction", "time_zone", "parent", "email", "phone"}
    | {"is_published", "allow_totp_for_staff"}
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
    _check_agency_slug(changes.get("slug", agency.slug))
    if not _validate_and_save(agency, changes, AGENCY_FIELDS):
        return agency
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
    if not _validate_and_save(
        goal, changes, frozenset({"title", "description", "measure", "metric", "target", "order"})
    ):
        return goal
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
    if not _validate_and_save(team, changes, frozenset({"name", "description"})):
        return team
    record_activity(
        verb="team.updated",
        summary=f"{team.agency.name} updated the team “{team.name}”",
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=team.agency,
        target=team,
    )
    return team


SERVICE_FIELDS = frozenset(
    {"name", "description", "is_active", "kind", "keywords", "group", "location_required"}
    | {"required_assurance", "public_by_default", "allows_private"}
    | {"acknowledge_working_days", "respond_working_days", "extension_working_days"}
)


@transaction.atomic
def update_service(*, by: Any, service: Service, changes: Mapping[str, Any]) -> Service:
    """Change a service: its name, description, standard, who can file, or whether it is
    offered. Its code is fixed: Open311 clients and filed requests refer to it."""
    require_agency_admin(by, service.agency)
    changes = dict(changes)
    if "keywords" in changes:
        changes["keywords"] = normalize_keywords(changes["keywords"])
    if isinstance(changes.get("group"), str):
        changes["group"] = changes["group"].strip()
    if not _validate_and_save(service, changes, SERVICE_FIELDS):
        return service
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
    {
        "public_name",
        "job_title",
        "role",
        "bio",
        "is_public_profile",
        "is_active",
        "is_moderator",
        "started_at",
    }
)


@transaction.atomic
def update_staff_membership(
    *, by: Any, membership: StaffMembership, changes: Mapping[str, Any]
) -> StaffMembership:
    """An agency administrator changes a membership: title, role, teams, or ends it.

    The profile address (slug) stays the same when the work name changes.
    """
    require_agency_admin(by, membership.agency)
    team_list = list(changes["teams"]) if "teams" in changes else None
    if team_list is not None and any(t.agency_id != membership.agency_id for t in team_list):
        raise ValueError("A staff member can only join teams of their own agency.")
    field_changes = {name: value for name, value in changes.items() if name != "teams"}
    changed = _validate_and_save(membership, field_changes, MEMBERSHIP_FIELDS)
    teams_changed = team_list is not None and {t.pk for t in team_list} != set(
        membership.teams.values_list("pk", flat=True)
    )
    if teams_changed:
        membership.teams.set(team_list or [])
    if not changed and not teams_changed:
        return membership
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
