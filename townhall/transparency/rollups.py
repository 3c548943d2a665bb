"""The dashboard's rollup tables: how they are computed from the requests and commitments,
kept up to date after each relevant activity, and rebuilt.

A day row (`Rollup`, period `day`) holds, for one agency, service and team, the requests
received that day (on the agency's calendar) with their state now, and the commitments
made that day with their outcome now. `refresh_day` recomputes one agency's day from the
source tables (idempotent: the same answer however often it runs), then that day's week
and month rows from the day rows. `refresh_for_activities` finds the days an activity
touched; `rebuild` recomputes everything (`townhall build_dashboard`).

Durations are wall-clock hours from filing; the histograms count them in the fixed
buckets of `BUCKET_EDGES`, so medians and 90th percentiles of any period, service or
agency are estimated from a handful of rows (`percentile`), never from the requests.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from townhall.activity.models import Activity
from townhall.agencies.models import Agency, ServiceKind
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.service_requests.models import FINAL_STATUSES, OPEN_STATUSES, ServiceRequest

from .models import Rollup, RollupPeriod

# Upper edges (hours) of the duration buckets; the last bucket holds everything longer.
# Hour by hour over the first working day, then coarser: a median read from them is
# within the width of its bucket.
BUCKET_EDGES: tuple[float, ...] = (
    *range(1, 13),  # 1..12 hours
    14, 16, 18, 20, 22, 24,
    30, 36, 42, 48, 60, 72, 84, 96, 108, 120,
    144, 168, 192, 216, 240, 288, 336, 408, 480, 576, 672,
    840, 1008, 1344, 1680, 2160, 2880, 4320, 8760,
)  # fmt: skip
BUCKETS = len(BUCKET_EDGES) + 1

COUNTERS = (
    "received",
    "acknowledged",
    "acknowledged_on_time",
    "responded",
    "responded_on_time",
    "closed",
    "open",
    "commitments_made",
    "commitments_kept",
    "commitments_broken",
    "commitments_renegotiated",
    "commitments_cancelled",
    "commitments_open",
    "foi_received",
    "foi_on_time",
    "foi_late",
    "foi_extended",
)
SUMS = ("acknowledge_hours", "respond_hours")
HISTOGRAMS = ("acknowledge_histogram", "respond_histogram")
_ADDED = COUNTERS + SUMS

# The activities that can change a figure: a request filed, moved, handed over or ended;
# a commitment made or ended.
RELEVANT_VERBS = frozenset(
    {
        "request.filed",
        "request.answered",
        "request.closed",
        "request.reopened",
        "request.declined",
        "request.duplicate",
        "request.transferred",
        "request.assigned",
        "request.taken",
        "request.extended",
        "commitment.made",
        "commitment.kept",
        "commitment.done_late",
        "commitment.broken",
        "commitment.renegotiated",
        "commitment.cancelled",
    }
)

ANSWER_KINDS = (CommitmentKind.RESPOND, CommitmentKind.EXTENSION)
# A refresh is skipped as already done only when the rows were computed this much after
# the activities committed: the web server's and the worker's clocks may disagree a little.
CLOCK_MARGIN = dt.timedelta(seconds=5)

Key = tuple[dt.date, int | None, int | None]  # day, service, team


# --- histograms (pure) -----------------------------------------------------------------------


def empty_histogram() -> list[int]:
    return [0] * BUCKETS


def bucket_of(hours: float) -> int:
    return bisect_right(BUCKET_EDGES, max(hours, 0.0))


def add_histograms(total: list[int], more: Sequence[int]) -> list[int]:
    """`total` plus `more`, bucket by bucket (a short or empty list counts as zeros)."""
    if len(more) != BUCKETS:  # written with other buckets: pad or cut to today's
        more = [*more[:BUCKETS], *([0] * (BUCKETS - len(more)))]
    return [a + b for a, b in zip(total, more, strict=True)]


def percentile(histogram: Sequence[int], share: float) -> float | None:
    """The duration (hours) below which `share` (0.5 for the median) of the counted
    durations fall, interpolated linearly inside its bucket; None when nothing was counted.
    The open-ended last bucket answers its lower edge."""
    total = sum(histogram)
    if total <= 0:
        return None
    rank = share * total
    seen = 0
    for index, count in enumerate(histogram):
        if count <= 0:
            continue
        if seen + count >= rank:
            low = BUCKET_EDGES[index - 1] if index > 0 else 0.0
            if index >= len(BUCKET_EDGES):
                return float(low)
            high = BUCKET_EDGES[index]
            return float(low + (high - low) * max(rank - seen, 0.0) / count)
        seen += count
    return float(BUCKET_EDGES[-1])


# --- calendar (pure) ---------------------------------------------------------------------------


def local_day(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return moment.astimezone(zone).date()


def day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of `day` and of the next day, in the agency's time zone."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_period(period: str, start: dt.date) -> dt.date:
    if period == RollupPeriod.DAY:
        return start + dt.timedelta(days=1)
    if period == RollupPeriod.WEEK:
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def period_start(period: str, day: dt.date) -> dt.date:
    if period == RollupPeriod.WEEK:
        return week_start(day)
    if period == RollupPeriod.MONTH:
        return month_start(day)
    return day


def _zone(agency: Agency) -> ZoneInfo:
    try:
        return ZoneInfo(agency.time_zone)
    except (KeyError, ValueError):  # validated on save; never let a figure fail on it
        return ZoneInfo("UTC")


# --- rows ---------------------------------------------------------------------------------------


def new_row(period: str, start: dt.date, agency_id: int, key: tuple[Any, Any]) -> Rollup:
    return Rollup(
        period=period,
        start=start,
        agency_id=agency_id,
        service_id=key[0],
        team_id=key[1],
        acknowledge_histogram=empty_histogram(),
        respond_histogram=empty_histogram(),
    )


def add_row(total: Any, row: Any) -> None:
    """Add `row`'s figures to `total` (Rollups, or any objects keeping the same fields as
    plain attributes; read through `vars`, as this runs for every row a page reads)."""
    into, adding = vars(total), vars(row)
    for name in _ADDED:
        into[name] += adding[name]
    for name in HISTOGRAMS:
        into[name] = add_histograms(into[name], adding[name] or [])


def _hours(start: dt.datetime, end: dt.datetime) -> float:
    return max((end - start).total_seconds(), 0.0) / 3600.0


def _request_facts(
    agency: Agency, since: dt.datetime | None, until: dt.datetime | None
) -> Iterator[tuple[Any, ...]]:
    """One tuple per request the agency holds, received in [since, until): what the
    figures need, read through correlated subqueries on the commitments about it."""
    request_type = ContentType.objects.get_for_model(ServiceRequest)
    about = Commitment.objects.filter(
        subject_type=request_type,
        subject_id=Cast(models.OuterRef("pk"), models.CharField()),
    ).order_by()
    acknowledged = (
        about.filter(kind=CommitmentKind.ACKNOWLEDGE, done_at__isnull=False)
        .order_by("done_at")
        .values("done_at")[:1]
    )
    answer = about.filter(kind__in=ANSWER_KINDS, replaced_by__isnull=True).order_by(
        "-made_at", "-pk"
    )
    requests = ServiceRequest.objects.filter(agency=agency)
    if since is not None:
        requests = requests.filter(submitted_at__gte=since)
    if until is not None:
        requests = requests.filter(submitted_at__lt=until)
    rows = (
        requests.order_by()
        .annotate(
            acknowledged_at=models.Subquery(acknowledged),
            acknowledged_in_time=models.Exists(
                about.filter(kind=CommitmentKind.ACKNOWLEDGE, state=CommitmentState.KEPT)
            ),
            answer_state=models.Subquery(answer.values("state")[:1]),
            answer_done_at=models.Subquery(answer.values("done_at")[:1]),
            answer_ever_broken=models.Exists(
                about.filter(kind__in=ANSWER_KINDS, broken_at__isnull=False)
            ),
        )
        .values_list(
            "service_id",
            "team_id",
            "submitted_at",
            "status",
            "answered_at",
            "is_extended",
            "service__kind",
            "acknowledged_at",
            "acknowledged_in_time",
            "answer_state",
            "answer_done_at",
            "answer_ever_broken",
        )
    )
    return rows.iterator(chunk_size=5000)


def _commitment_facts(
    agency: Agency, since: dt.datetime | None, until: dt.datetime | None
) -> Iterator[tuple[Any, ...]]:
    """One tuple per commitment the agency made in [since, until): its service (through
    the request it is about, if any), team, when it was made and how it ended."""
    request_type = ContentType.objects.get_for_model(ServiceRequest)
    commitments = Commitment.objects.filter(agency=agency).order_by()
    if since is not None:
        commitments = commitments.filter(made_at__gte=since)
    if until is not None:
        commitments = commitments.filter(made_at__lt=until)
    fields = ("team_id", "made_at", "state", "broken_at")
    service = ServiceRequest.objects.filter(
        pk=Cast(models.OuterRef("subject_id"), models.BigIntegerField())
    ).values("service_id")[:1]
    about_requests = (
        commitments.filter(subject_type=request_type)
        .annotate(service_of_request=models.Subquery(service))
        .values_list("service_of_request", *fields)
    )
    yield from about_requests.iterator(chunk_size=5000)
    others = commitments.exclude(subject_type=request_type).annotate(
        no_service=models.Value(None, output_field=models.BigIntegerField())
    )
    yield from others.values_list("no_service", *fields).iterator(chunk_size=5000)


def compute_day_rows(
    agency: Agency, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> dict[Key, Rollup]:
    """The day rows of `agency` for the requests received and commitments made in
    [since, until) (everything when both are None), by (day, service, team)."""
    zone = _zone(agency)
    rows: dict[Key, Rollup] = {}

    def row(day: dt.date, service_id: int | None, team_id: int | None) -> Rollup:
        key = (day, service_id, team_id)
        found = rows.get(key)
        if found is None:
            found = rows[key] = new_row(RollupPeriod.DAY, day, agency.pk, (service_id, team_id))
        return found

    for (
        service_id,
        team_id,
        submitted_at,
        status,
        answered_at,
        is_extended,
        service_kind,
        acknowledged_at,
        acknowledged_in_time,
        answer_state,
        answer_done_at,
        answer_ever_broken,
    ) in _request_facts(agency, since, until):
        target = row(local_day(submitted_at, zone), service_id, team_id)
        target.received += 1
        if acknowledged_at is not None:
            hours = _hours(submitted_at, acknowledged_at)
            target.acknowledged += 1
            target.acknowledge_hours += hours
            target.acknowledge_histogram[bucket_of(hours)] += 1
        target.acknowledged_on_time += int(bool(acknowledged_in_time))
        answered = answer_done_at or answered_at
        if answered is not None:
            hours = _hours(submitted_at, answered)
            target.responded += 1
            target.respond_hours += hours
            target.respond_histogram[bucket_of(hours)] += 1
        on_time = answer_state == CommitmentState.KEPT and not answer_ever_broken
        target.responded_on_time += int(on_time)
        target.closed += int(status in FINAL_STATUSES)
        target.open += int(status in OPEN_STATUSES)
        if service_kind == ServiceKind.FOI_REQUEST:
            target.foi_received += 1
            target.foi_extended += int(bool(is_extended))
            target.foi_on_time += int(on_time)
            target.foi_late += int(bool(answer_ever_broken))

    for service_id, team_id, made_at, state, broken_at in _commitment_facts(agency, since, until):
        target = row(local_day(made_at, zone), service_id, team_id)
        target.commitments_made += 1
        if broken_at is not None:  # a broken promise stays counted as broken
            target.commitments_broken += 1
        elif state == CommitmentState.KEPT:
            target.commitments_kept += 1
        elif state == CommitmentState.RENEGOTIATED:
            target.commitments_renegotiated += 1
        elif state == CommitmentState.CANCELLED:
            target.commitments_cancelled += 1
        elif state == CommitmentState.OPEN:
            target.commitments_open += 1
    return rows


def _sum_by_scope(
    rows: Iterable[Rollup], period: str, agency_id: int
) -> dict[tuple[dt.date, Any, Any], Rollup]:
    """Day rows added up into `period` rows, by (period start, service, team)."""
    totals: dict[tuple[dt.date, Any, Any], Rollup] = {}
    for day_row in rows:
        start = period_start(period, day_row.start)
        key = (start, day_row.service_id, day_row.team_id)  # type: ignore[attr-defined]
        total = totals.get(key)
        if total is None:
            total = totals[key] = new_row(period, start, agency_id, key[1:])
        add_row(total, day_row)
    return totals


def _derive(agency_id: int, period: str, start: dt.date) -> None:
    """Recompute one week or month row set of an agency from its day rows."""
    days = Rollup.objects.filter(
        agency_id=agency_id,
        period=RollupPeriod.DAY,
        start__gte=start,
        start__lt=next_period(period, start),
    )
    totals = _sum_by_scope(days, period, agency_id)
    Rollup.objects.filter(agency_id=agency_id, period=period, start=start).delete()
    Rollup.objects.bulk_create(totals.values())


def _locked_agency(agency_id: int) -> Agency | None:
    """The agency, its row locked (FOR NO KEY UPDATE: filings, which only reference it,
    go on) so two workers never recompute its rows at once."""
    return Agency.objects.select_for_update(no_key=True).filter(pk=agency_id).first()


@transaction.atomic
def refresh_day(agency_id: int, day: dt.date) -> int:
    """Recompute one agency's day rows from the source tables, then that day's week and
    month rows. Idempotent. Returns the number of day rows written."""
    agency = _locked_agency(agency_id)
    if agency is None:
        return 0
    # Before reading: whatever committed before this moment is in the figures.
    started = timezone.now()
    since, until = day_bounds(day, _zone(agency))
    rows = compute_day_rows(agency, since, until)
    for built in rows.values():
        built.computed_at = started
    Rollup.objects.filter(agency_id=agency_id, period=RollupPeriod.DAY, start=day).delete()
    Rollup.objects.bulk_create(rows.values())
    _derive(agency_id, RollupPeriod.WEEK, week_start(day))
    _derive(agency_id, RollupPeriod.MONTH, month_start(day))
    return len(rows)


@transaction.atomic
def rebuild_agency(agency_id: int) -> int:
    """Recompute every rollup row of one agency from the source tables. Returns the number
    of day rows."""
    agency = _locked_agency(agency_id)
    if agency is None:
        return 0
    days = list(compute_day_rows(agency).values())
    Rollup.objects.filter(agency_id=agency_id).delete()
    Rollup.objects.bulk_create(days, batch_size=2000)
    for period in (RollupPeriod.WEEK, RollupPeriod.MONTH):
        totals = _sum_by_scope(days, period, agency_id)
        Rollup.objects.bulk_create(totals.values(), batch_size=2000)
    return len(days)


def rebuild(agency_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Rebuild the rollups of these agencies (default: all), one transaction each.
    Returns the number of day rows by agency."""
    if agency_ids is None:
        agency_ids = list(Agency.objects.order_by("pk").values_list("pk", flat=True))
    return {agency_id: rebuild_agency(agency_id) for agency_id in agency_ids}


# --- what an activity touched ----------------------------------------------------------------


def _days_touched(activity: Activity) -> set[tuple[int, dt.datetime]]:
    """(agency id, moment) pairs whose day rows an activity may have changed: the day the
    request was received and the days its commitments were made, for the agency holding
    them now and the one named by the activity (the old one, after a transfer)."""
    model = activity.target_type.model_class() if activity.target_type else None
    agencies: set[int] = set()
    if activity.agency_id is not None:  # type: ignore[attr-defined]
        agencies.add(activity.agency_id)  # type: ignore[attr-defined]
    moments: set[dt.datetime] = set()
    request_id: Any = None
    if model is Commitment:
        commitment = (
            Commitment.objects.filter(pk=activity.target_id)
            .values("agency_id", "made_at", "subject_type_id", "subject_id")
            .first()
        )
        if commitment is None:
            return set()
        agencies.add(commitment["agency_id"])
        moments.add(commitment["made_at"])
        request_type = ContentType.objects.get_for_model(ServiceRequest)
        if commitment["subject_type_id"] == request_type.pk and commitment["subject_id"]:
            request_id = commitment["subject_id"]
    elif model is ServiceRequest:
        request_id = activity.target_id
        request_type = ContentType.objects.get_for_model(ServiceRequest)
        for agency_id, made_at in Commitment.objects.filter(
            subject_type=request_type, subject_id=str(request_id)
        ).values_list("agency_id", "made_at"):
            agencies.add(agency_id)
            moments.add(made_at)
    if request_id is not None and str(request_id).isdigit():
        request = (
            ServiceRequest.objects.filter(pk=int(request_id))
            .values("agency_id", "submitted_at")
            .first()
        )
        if request is not None:
            agencies.add(request["agency_id"])
            moments.add(request["submitted_at"])
    return {(agency_id, moment) for agency_id in agencies for moment in moments}


def _fresh_since(agency_id: int, day: dt.date) -> dt.datetime | None:
    """When the day rows were last computed (their reading started), if there are any."""
    return (
        Rollup.objects.filter(agency_id=agency_id, period=RollupPeriod.DAY, start=day)
        .order_by("computed_at")
        .values_list("computed_at", flat=True)
        .first()
    )


def refresh_for_activities(
    activity_ids: Iterable[int], committed_at: dt.datetime | None = None
) -> int:
    """Recompute the days these activities touched (each once). Returns how many days.

    `committed_at` (when the activities' transaction had committed): a day whose rows
    were computed from a reading that started after it already holds these changes and
    is skipped, so a burst of activity on one busy day costs a few recomputations, not
    one per activity."""
    activities = Activity.objects.select_related("target_type").filter(
        pk__in=list(activity_ids), verb__in=RELEVANT_VERBS
    )
    touched: set[tuple[int, dt.datetime]] = set()
    for activity in activities:
        touched |= _days_touched(activity)
    if not touched:
        return 0
    zones = {
        pk: _zone(agency)
        for pk, agency in Agency.objects.in_bulk({agency_id for agency_id, _ in touched}).items()
    }
    days = {
        (agency_id, local_day(moment, zones[agency_id]))
        for agency_id, moment in touched
        if agency_id in zones
    }
    refreshed = 0
    for agency_id, day in sorted(days):
        fresh = _fresh_since(agency_id, day) if committed_at is not None else None
        if fresh is not None and committed_at is not None and fresh >= committed_at + CLOCK_MARGIN:
            continue
        refresh_day(agency_id, day)
        refreshed += 1
    return refreshed


# --- listening to the activity log -----------------------------------------------------------

_pending = threading.local()


def _activity_saved(sender: Any, instance: Activity, created: bool, **kwargs: Any) -> None:
    """A relevant activity was logged: once its transaction commits, queue one refresh
    for every relevant activity of that transaction (a filing logs three)."""
    if not created or kwargs.get("raw") or instance.verb not in RELEVANT_VERBS:
        return
    waiting = any(entry[1] is _queue for entry in transaction.get_connection().run_on_commit)
    if not waiting:  # none queued yet, or they were rolled back with their activities
        _pending.ids = set()
    _pending.ids.add(instance.pk)
    transaction.on_commit(_queue)


def _queue() -> None:
    ids = getattr(_pending, "ids", None)
    if not ids:
        return  # an earlier callback of the same transaction took them
    _pending.ids = set()
    from .tasks import refresh_dashboard  # the task calls back into this module

    refresh_dashboard.enqueue(activity_ids=sorted(ids), committed_at=timezone.now().isoformat())


def connect() -> None:
    """Listen for new activity (from `TransparencyConfig.ready`)."""
    from django.db.models.signals import post_save

    post_save.connect(_activity_saved, sender=Activity, dispatch_uid="transparency-rollups")
