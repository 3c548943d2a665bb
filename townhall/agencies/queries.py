"""Read models for the public agency pages: each list is a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from townhall.activity.models import Activity

from .models import Agency, Service, StaffMembership

RECENT_ACTIVITY_LIMIT = 20


def _count_per_agency(queryset: QuerySet[Any]) -> Coalesce:
    """A correlated count of `queryset` rows belonging to the outer agency."""
    counted = (
        queryset.filter(agency=OuterRef("pk"))
        .order_by()
        .values("agency")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def published_agencies() -> QuerySet[Agency]:
    """Published agencies, each with `public_people_count` and `service_count`."""
    return Agency.objects.published().annotate(
        public_people_count=_count_per_agency(StaffMembership.objects.public()),
        service_count=_count_per_agency(Service.objects.active()),
    )


def public_people() -> QuerySet[StaffMembership]:
    """Public staff profiles with what a directory row shows, teams prefetched."""
    return (
        StaffMembership.objects.public()
        .select_related("agency")
        .prefetch_related("teams")
        .order_by("public_name", "agency__name", "pk")
    )


def recent_public_activity(agency: Agency, user: Any) -> QuerySet[Activity]:
    """The newest public entries about an agency (through the log's visibility rule)."""
    return (
        Activity.objects.filter(agency=agency)
        .visible_to(user)
        .public()
        .only("pk", "occurred_at", "summary")[:RECENT_ACTIVITY_LIMIT]
    )
