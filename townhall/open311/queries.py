"""What the Open311 adapter reads: keys, services, and public requests with the rows
their representation needs (a fixed number of queries for any number of requests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Prefetch, Q, QuerySet

from townhall.agencies.models import Service, ServiceAttribute
from townhall.identity.models import hash_token_key
from townhall.service_requests.models import FINAL_STATUSES, OPEN_STATUSES, ServiceRequest, Status

from .models import Open311Application, Open311Filing

# Townhall's statuses as Open311's two: open while the agency still owes an answer.
OPEN311_STATUS: dict[str, str] = {
    **{status: "open" for status in OPEN_STATUSES},
    Status.ANSWERED: "closed",
    **{status: "closed" for status in FINAL_STATUSES},
}


def application_for_key(key: str) -> Open311Application | None:
    """The application this API key belongs to, revoked or not; None for no such key."""
    if not key or len(key) > 200:
        return None
    return Open311Application.objects.filter(key_hash=hash_token_key(key)).first()


def offered_services() -> QuerySet[Service]:
    """Services an agency offers now, in a stable order: group, name, code."""
    return (
        Service.objects.active()
        .select_related("agency")
        .order_by("group", "name", "code")
        .prefetch_related(
            Prefetch("attributes", queryset=ServiceAttribute.objects.order_by("order", "pk"))
        )
    )


def offered_service(code: str) -> Service | None:
    if not code or len(code) > 64:
        return None
    return (
        Service.objects.active()
        .select_related("agency")
        .prefetch_related(
            Prefetch("attributes", queryset=ServiceAttribute.objects.order_by("order", "pk"))
        )
        .filter(code=code)
        .first()
    )


def public_requests() -> QuerySet[ServiceRequest]:
    """Every public request, with what its Open311 representation reads. Only requests
    that already have a reference (they all do once filing commits)."""
    return (
        ServiceRequest.objects.visible_to(None)
        .exclude(reference__startswith="pending-")
        .select_related("service", "agency", "assignee", "open311_filing")
        .order_by("-submitted_at", "-id")
    )


def request_by_id(service_request_id: str) -> ServiceRequest | None:
    if not service_request_id or len(service_request_id) > 24:
        return None
    return public_requests().filter(reference=service_request_id).first()


def find_requests(
    *,
    ids: Sequence[str] = (),
    service_codes: Sequence[str] = (),
    statuses: Sequence[str] = (),
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    updated_after: dt.datetime | None = None,
    updated_before: dt.datetime | None = None,
) -> QuerySet[ServiceRequest]:
    """Public requests by id (which overrides every other filter), or by service, status
    (`open`/`closed`), when requested and when last updated."""
    requests = public_requests()
    if ids:
        return requests.filter(reference__in=list(ids))
    if service_codes:
        requests = requests.filter(service__code__in=list(service_codes))
    if statuses:
        wanted = [status for status, kind in OPEN311_STATUS.items() if kind in statuses]
        requests = requests.filter(status__in=wanted)
    if start is not None:
        requests = requests.filter(submitted_at__gte=start)
    if end is not None:
        requests = requests.filter(submitted_at__lte=end)
    if updated_after is not None:
        requests = requests.filter(status_changed_at__gt=updated_after)
    if updated_before is not None:
        requests = requests.filter(status_changed_at__lt=updated_before)
    return requests


def filing_by_token(token: str) -> Open311Filing | None:
    if not token or len(token) > 64:
        return None
    return (
        Open311Filing.objects.select_related("request")
        .filter(token=token)
        .filter(Q(request__is_public=True))
        .first()
    )
