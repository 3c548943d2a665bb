"""A team's tools: saved replies and routing rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townhall.activity.actions import record_activity
from townhall.activity.models import Visibility
from townhall.agencies.models import Agency, Service, Team

from ..models import (
    RoutingRule,
    SavedReply,
)
from .filing import _coordinate
from .steps import (
    _require_manager,
    _staff_name,
    _text,
)

SAVED_REPLY_TITLE_MAX_LENGTH = SavedReply._meta.get_field("title").max_length or 120
SAVED_REPLY_BODY_MAX_LENGTH = SavedReply._meta.get_field("body").max_length or 5_000
MAX_ROUTING_KEYWORDS = 30


@transaction.atomic
def create_saved_reply(*, by: Any, team: Team, title: str, body: str) -> SavedReply:
    """A manager or administrator of the team's agency saves a reply the team uses often."""
    persona = _require_manager(by, team.agency, _("manage saved replies"))
    title = _text(title, field_name="title", what=_("title"), limit=SAVED_REPLY_TITLE_MAX_LENGTH)
    body = _text(body, field_name="body", what=_("reply"), limit=SAVED_REPLY_BODY_MAX_LENGTH)
    saved = SavedReply.objects.create(team=team, title=title, body=body)
    record_activity(
        verb="saved_reply.created",
        summary=f"{_staff_name(persona, by)} saved the reply “{title}” for {team.name}",
        visibility=Visibility.STAFF,
        actor=by,
        persona=persona,
        agency=team.agency,
        target=saved,
    )
    return saved


@transaction.atomic
def delete_saved_reply(*, by: Any, saved_reply: SavedReply) -> None:
    team = saved_reply.team
    persona = _require_manager(by, team.agency, _("manage saved replies"))
    title = saved_reply.title
    deleted, _unused = SavedReply.objects.filter(pk=saved_reply.pk).delete()
    if not deleted:
        return
    record_activity(
        verb="saved_reply.deleted",
        summary=f"{_staff_name(persona, by)} removed the saved reply “{title}” of {team.name}",
        visibility=Visibility.STAFF,
        actor=by,
        persona=persona,
        agency=team.agency,
        target=team,
    )


def _bound(value: Any) -> Decimal:
    number = _coordinate(value)
    if number is None or abs(number) > 180:
        raise ValidationError({"area": _("Give the area's edges as latitudes and longitudes.")})
    return number


@transaction.atomic
def add_routing_rule(
    *,
    by: Any,
    agency: Agency,
    team: Team,
    service: Service | None = None,
    keywords: Iterable[str] | str = (),
    area: Sequence[Any] | None = None,
    order: int = 0,
) -> RoutingRule:
    """A manager or administrator routes new requests of the agency to a team: by service,
    by any of some keywords in the description, and by area (south, west, north, east)."""
    persona = _require_manager(by, agency, _("set routing rules"))
    if team.agency_id != agency.pk:
        raise ValidationError({"team": _("Choose a team of %(agency)s.") % {"agency": agency.name}})
    if service is not None and service.agency_id != agency.pk:
        raise ValidationError(
            {"service": _("Choose a service of %(agency)s.") % {"agency": agency.name}}
        )
    words = keywords.split(",") if isinstance(keywords, str) else list(keywords)
    cleaned: list[str] = []
    for word in words:
        word = " ".join(str(word).split())
        if "\x00" in word or len(word) > 50:
            raise ValidationError({"keywords": _("Keep each keyword short and plain.")})
        if word and word.casefold() not in {w.casefold() for w in cleaned}:
            cleaned.append(word)
    if len(cleaned) > MAX_ROUTING_KEYWORDS:
        raise ValidationError(
            {"keywords": _("Give at most %(limit)s keywords.") % {"limit": MAX_ROUTING_KEYWORDS}}
        )
    bounds: list[Decimal | None] = [None, None, None, None]
    if area is not None:
        if len(area) != 4:
            raise ValidationError({"area": _("Give the area as south, west, north and east.")})
        bounds = [_bound(value) for value in area]
        south, west, north, east = bounds
        assert south is not None and west is not None and north is not None and east is not None
        if south > north or west > east:
            raise ValidationError(
                {"area": _("The south edge must be below the north, the west left of the east.")}
            )
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 32767:
        raise ValidationError({"order": _("Give the order as a whole number from 0.")})
    rule = RoutingRule.objects.create(
        agency=agency,
        team=team,
        service=service,
        keywords=cleaned,
        min_latitude=bounds[0],
        min_longitude=bounds[1],
        max_latitude=bounds[2],
        max_longitude=bounds[3],
        order=order,
    )
    record_activity(
        verb="routing_rule.added",
        summary=f"{_staff_name(persona, by)} routed new requests to {team.name}",
        visibility=Visibility.STAFF,
        actor=by,
        persona=persona,
        agency=agency,
        target=rule,
    )
    return rule


@transaction.atomic
def remove_routing_rule(*, by: Any, rule: RoutingRule) -> None:
    """A manager or administrator of the rule's agency stops routing by it. Requests
    routed by it before stay with their team."""
    agency = rule.agency
    persona = _require_manager(by, agency, _("set routing rules"))
    team_name = rule.team.name
    deleted, _unused = RoutingRule.objects.filter(pk=rule.pk).delete()
    if not deleted:
        return
    record_activity(
        verb="routing_rule.removed",
        summary=f"{_staff_name(persona, by)} stopped a routing rule to {team_name}",
        visibility=Visibility.STAFF,
        actor=by,
        persona=persona,
        agency=agency,
        target=rule.team,
    )
