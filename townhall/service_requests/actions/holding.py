"""Who holds a request: take, assign, transfer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townhall.activity.actions import record_activity
from townhall.agencies.models import Agency, StaffMembership, Team
from townhall.commitments.actions import hand_over_commitments
from townhall.conversations.models import Thread

from ..models import (
    REASON_MAX_LENGTH,
    ServiceRequest,
)
from .steps import (
    _is_manager,
    _locked,
    _name,
    _record,
    _refuse_final,
    _require_staff,
    _sync,
    _text,
    _visibility,
)


@transaction.atomic
def take_request(*, by: Any, request: ServiceRequest) -> ServiceRequest:
    """A staff member takes the request: it is held by their work persona.

    Held by someone else already → ValidationError naming them (two staff taking it at the
    same moment: the row lock makes the second see the first's assignment). Held by `by`
    already → nothing changes.
    """
    current = _locked(request)
    persona = _require_staff(by, current.agency, _("take its requests"))
    if persona is None:
        raise PermissionDenied(
            _("Only staff of %(agency)s can take its requests; you have no work persona there.")
            % {"agency": current.agency.name}
        )
    _refuse_final(current, _("taken"))
    if current.assignee_id == persona.pk:
        return _sync(request, current)
    if current.assignee_id is not None:
        holder = current.assignee
        assert holder is not None
        raise ValidationError(
            _(
                "%(reference)s is already held by %(name)s, %(title)s. Ask them or a "
                "manager to hand it over."
            )
            % {
                "reference": current.reference,
                "name": holder.public_name,
                "title": holder.job_title,
            }
        )
    current.assignee = persona
    current.save(update_fields=["assignee"])
    hand_over_commitments(subject=current, holder=persona, team=current.team)
    _record(
        current,
        verb="request.taken",
        summary=f"{_name(by, persona)} took this request",
        by=by,
        persona=persona,
    )
    return _sync(request, current)


@transaction.atomic
def assign_request(
    *,
    by: Any,
    request: ServiceRequest,
    assignee: StaffMembership | None = None,
    team: Team | None = None,
    unassign: bool = False,
) -> ServiceRequest:
    """Give the request to a staff member and/or a team of its agency. `assignee` or
    `team` left out (None) stay as they are; `unassign=True` leaves it held by nobody.

    Any staff member may assign it to themselves, move it to one of the agency's teams, or
    let go of a request they hold; assigning someone else, or taking it away from them,
    needs a manager or administrator of the agency.
    """
    current = _locked(request)
    agency = current.agency
    persona = _require_staff(by, agency, _("assign its requests"))
    _refuse_final(current, _("assigned"))
    if assignee is not None and (assignee.agency_id != agency.pk or not assignee.is_active):
        raise ValidationError(
            {
                "assignee": _("Choose a current staff member of %(agency)s.")
                % {"agency": agency.name}
            }
        )
    if team is not None and team.agency_id != agency.pk:
        raise ValidationError({"team": _("Choose a team of %(agency)s.") % {"agency": agency.name}})
    if unassign and assignee is not None:
        raise ValidationError({"assignee": _("Choose a person, or nobody, not both.")})
    if unassign:
        new_assignee_id = None
    else:
        new_assignee_id = assignee.pk if assignee is not None else current.assignee_id
    changes_assignee = new_assignee_id != current.assignee_id
    # Taking it yourself, or letting go of what you hold.
    own = (
        persona is not None
        and persona.pk in (new_assignee_id, current.assignee_id)
        and (new_assignee_id in (None, persona.pk))
    )
    if changes_assignee and not own and not _is_manager(by, persona):
        raise PermissionDenied(
            _("Only a manager or an administrator of %(agency)s can assign requests to others.")
            % {"agency": agency.name}
        )
    fields = []
    parts = []
    if changes_assignee:
        current.assignee = None if unassign else assignee
        fields.append("assignee")
        parts.append(
            f"assigned this request to {assignee.public_name}, {assignee.job_title}"
            if assignee is not None and not unassign
            else "left this request unassigned"
        )
    if team is not None and team.pk != current.team_id:
        current.team = team
        fields.append("team")
        parts.append(
            f"moved it to the team {team.name}"
            if parts
            else f"moved this request to the team {team.name}"
        )
    if not fields:
        return _sync(request, current)
    current.save(update_fields=fields)
    hand_over_commitments(subject=current, holder=current.assignee, team=current.team)
    _record(
        current,
        verb="request.assigned",
        summary=f"{_name(by, persona)} {' and '.join(parts)}",
        by=by,
        persona=persona,
    )
    return _sync(request, current)


@transaction.atomic
def transfer_request(
    *,
    by: Any,
    request: ServiceRequest,
    note: str,
    team: Team | None = None,
    agency: Agency | None = None,
) -> ServiceRequest:
    """Hand the request to another team, or to another agency (and optionally one of its
    teams), with a public note saying why. The assignee is cleared. Moving agency moves
    the reply thread and the open commitments with it."""
    current = _locked(request)
    old_agency = current.agency
    persona = _require_staff(by, old_agency, _("transfer its requests"))
    _refuse_final(current, _("transferred"))
    note = _text(note, field_name="note", what=_("note"), limit=REASON_MAX_LENGTH)
    new_agency = agency or (team.agency if team is not None else old_agency)
    if team is not None and team.agency_id != new_agency.pk:
        raise ValidationError(
            {"team": _("Choose a team of %(agency)s.") % {"agency": new_agency.name}}
        )
    if new_agency.pk == old_agency.pk and (team is None or team.pk == current.team_id):
        raise ValidationError(
            _("Choose another team or another agency to transfer this request to.")
        )
    if new_agency.pk != old_agency.pk and not new_agency.is_published:
        raise ValidationError({"agency": _("Choose an agency that takes requests.")})
    current.team = team
    current.assignee = None
    current.status_reason = note
    fields = ["team", "assignee", "status_reason"]
    if new_agency.pk != old_agency.pk:
        current.agency = new_agency
        fields.append("agency")
        Thread.objects.filter(pk=current.thread_id).update(agency=new_agency)
        destination = new_agency.name + (f" ({team.name})" if team is not None else "")
    else:
        destination = f"the team {team.name}" if team is not None else old_agency.name
    current.save(update_fields=fields)
    hand_over_commitments(
        subject=current,
        holder=None,
        team=team,
        agency=new_agency if new_agency.pk != old_agency.pk else None,
    )
    record_activity(
        verb="request.transferred",
        summary=f"{_name(by, persona)} transferred this request to {destination}: {note}",
        visibility=_visibility(current),
        actor=by,
        persona=persona,
        agency=old_agency,
        citizen=current.requester,
        target=current,
    )
    return _sync(request, current)
