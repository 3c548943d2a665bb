"""Managers act on many requests at once, each through the single action."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townhall.agencies.models import StaffMembership

from ..models import (
    ServiceRequest,
)
from .holding import assign_request
from .lifecycle import close_request
from .steps import (
    MANAGER_ROLES,
    _is_authenticated,
    _is_site_admin,
    _require_manager,
)


@dataclass
class BulkResult:
    """What a bulk action did: references done, and (reference, why) for those refused."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    def __int__(self) -> int:
        return len(self.done)


def _bulk(by: Any, requests: Iterable[ServiceRequest], act: Any, doing: str) -> BulkResult:
    if not _is_authenticated(by):
        raise PermissionDenied(_("Sign in to do this."))
    if not _is_site_admin(by) and not (
        StaffMembership.objects.active().filter(user=by, role__in=MANAGER_ROLES).exists()
    ):
        raise PermissionDenied(
            _("Only managers and administrators can %(doing)s.") % {"doing": doing}
        )
    result = BulkResult()
    for request in requests:
        try:
            with transaction.atomic():
                _require_manager(by, request.agency, doing)
                act(request)
        except (PermissionDenied, ValidationError) as error:
            message = (
                "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            )
            result.refused.append((request.reference, message))
        else:
            result.done.append(request.reference)
    return result


@transaction.atomic
def bulk_assign(
    *, by: Any, requests: Iterable[ServiceRequest], assignee: StaffMembership | None
) -> BulkResult:
    """Managers assign many requests at once (`assignee=None`: to nobody); each goes
    through `assign_request`, and refused ones are listed apart with the reason."""
    return _bulk(
        by,
        requests,
        lambda request: assign_request(
            by=by, request=request, assignee=assignee, unassign=assignee is None
        ),
        _("assign requests in bulk"),
    )


@transaction.atomic
def bulk_close(*, by: Any, requests: Iterable[ServiceRequest], note: str = "") -> BulkResult:
    """Managers close many requests at once; each goes through `close_request`."""
    return _bulk(
        by,
        requests,
        lambda request: close_request(by=by, request=request, note=note),
        _("close requests in bulk"),
    )
