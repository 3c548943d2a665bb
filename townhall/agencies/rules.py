"""Who may do what to an agency: `rules` predicates, and the checks actions call."""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied

from .models import Agency, StaffMembership, StaffRole


@rules.predicate
def is_site_admin(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_superuser)


@rules.predicate
def is_agency_admin(user: Any, agency: Agency | None) -> bool:
    """Site administrators, and anyone with an active "admin" membership of the agency."""
    if user is None or not user.is_authenticated or agency is None:
        return False
    if user.is_superuser:
        return True
    return (
        StaffMembership.objects.active()
        .filter(user=user, agency=agency, role=StaffRole.ADMIN)
        .exists()
    )


rules.add_perm("agencies.administer_agency", is_agency_admin)


def require_site_admin(by: Any) -> None:
    if not is_site_admin(by):
        raise PermissionDenied("Only a site administrator can do this.")


def require_agency_admin(by: Any, agency: Agency) -> None:
    if not is_agency_admin(by, agency):
        raise PermissionDenied("Only an administrator of this agency can do this.")
