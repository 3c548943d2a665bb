"""The public dashboard's figures, read from the rollup rows only (`rollups.py`): a page
costs the same few queries whether the city has a hundred requests or a million.

`agency_dashboard` gives one agency's figures over the last `WINDOW` weeks or months, by
period, by service and by team, with its backlog and its goals; `overview` gives every
agency's headline. Shares are fractions (0..1) or None when nothing was counted; a
goal's target and figure (`GoalProgress`) are in percent or hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet, Sum
from django.utils import formats, timezone

from townhall.agencies.models import Agency, Goal, Service, Team
from townhall.consultations.models import Consultation

from . import rollups
from .models import Rollup, RollupPeriod

# How many weeks or months a dashboard page shows.
WINDOW = 12
PERIODS = (RollupPeriod.WEEK, RollupPeriod.MONTH)
DEFAULT_PERIOD = RollupPeriod.MONTH
# Backlog age bands: (upper bound in days, label key).
BACKLOG_BANDS: tuple[tuple[int | None, str], ...] = (
    (7, "under_1_week"),
    (28, "1_to_4_weeks"),
    (91, "1_to_3_months"),
    (365, "3_to_12_months"),
    (None, "over_1_year"),
)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100)


class Figures:
    """Counts, sums and histograms added up over any set of rollup rows, and what people
    read from them."""

    def __init__(self) -> None:
        for name in rollups.COUNTERS:
            setattr(self, name, 0)
        for name in rollups.SUMS:
            setattr(self, name, 0.0)
        for name in rollups.HISTOGRAMS:
            setattr(self, name, rollups.empty_histogram())

    def add(self, row: Any) -> Figures:
        rollups.add_row(self, row)
        return self

    def __getattr__(self, name: str) -> Any:  # for mypy: the counters are set in __init__
        raise AttributeError(name)

    @property
    def median_hours_to_acknowledge(self) -> float | None:
        return rollups.percentile(self.acknowledge_histogram, 0.5)

    @property
    def p90_hours_to_acknowledge(self) -> float | None:
        return rollups.percentile(self.acknowledge_histogram, 0.9)

    @property
    def median_hours_to_respond(self) -> float | None:
        return rollups.percentile(self.respond_histogram, 0.5)

    @property
    def p90_hours_to_respond(self) -> float | None:
        return rollups.percentile(self.respond_histogram, 0.9)

    @property
    def commitments_ended(self) -> int:
        """Commitments that came to an end (kept, broken or renegotiated): the whole the
        shares are taken of. Cancelled ones (a withdrawn request) and open ones are not."""
        return self.commitments_kept + self.commitments_broken + self.commitments_renegotiated

    @property
    def promises_kept_share(self) -> float | None:
        return _share(self.commitments_kept, self.commitments_ended)

    @property
    def promises_broken_share(self) -> float | None:
        return _share(self.commitments_broken, self.commitments_ended)

    @property
    def promises_renegotiated_share(self) -> float | None:
        return _share(self.commitments_renegotiated, self.commitments_ended)

    @property
    def acknowledged_on_time_share(self) -> float | None:
        return _share(self.acknowledged_on_time, self.received)

    @property
    def responded_on_time_share(self) -> float | None:
        return _share(self.responded_on_time, self.responded)

    @property
    def foi_on_time_share(self) -> float | None:
        return _share(self.foi_on_time, self.foi_on_time + self.foi_late)

    # Percentages for pages (rounded, None when nothing was counted).
    @property
    def promises_kept_percent(self) -> float | None:
        return _percent(self.promises_kept_share)

    @property
    def promises_broken_percent(self) -> float | None:
        return _percent(self.promises_broken_share)

    @property
    def promises_renegotiated_percent(self) -> float | None:
        return _percent(self.promises_renegotiated_share)

    @property
    def acknowledged_on_time_percent(self) -> float | None:
        return _percent(self.acknowledged_on_time_share)

    @property
    def responded_on_time_percent(self) -> float | None:
        return _percent(self.responded_on_time_share)

    @property
    def foi_on_time_percent(self) -> float | None:
        return _percent(self.foi_on_time_share)

    def as_dict(self) -> dict[str, Any]:
        """The figures as the API and the open data give them."""

        def hours(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        def share(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "received": self.received,
            "acknowledged": self.acknowledged,
            "answered": self.responded,
            "closed": self.closed,
            "open": self.open,
            "median_hours_to_acknowledge": hours(self.median_hours_to_acknowledge),
            "p90_hours_to_acknowledge": hours(self.p90_hours_to_acknowledge),
            "median_hours_to_respond": hours(self.median_hours_to_respond),
            "p90_hours_to_respond": hours(self.p90_hours_to_respond),
            "acknowledged_on_time_share": share(self.acknowledged_on_time_share),
            "answered_on_time_share": share(self.responded_on_time_share),
            "commitments_made": self.commitments_made,
            "commitments_kept": self.commitments_kept,
            "commitments_broken": self.commitments_broken,
            "commitments_renegotiated": self.commitments_renegotiated,
            "commitments_cancelled": self.commitments_cancelled,
            "commitments_open": self.commitments_open,
            "promises_kept_share": share(self.promises_kept_share),
            "promises_broken_share": share(self.promises_broken_share),
            "promises_renegotiated_share": share(self.promises_renegotiated_share),
            "foi_received": self.foi_received,
            "foi_on_time": self.foi_on_time,
            "foi_late": self.foi_late,
            "foi_extended": self.foi_extended,
            "foi_on_time_share": share(self.foi_on_time_share),
        }


@dataclass
class ConsultationFigures:
    """Consultations that closed for comments in a time, how many of them have their
    response published, and (for the whole window) how many are open now. Read live: an
    agency runs a handful a year, so one query counts them whatever the city's size."""

    closed: int = 0
    responded: int = 0
    open: int = 0

    @property
    def responded_share(self) -> float | None:
        return _share(self.responded, self.closed)

    @property
    def responded_percent(self) -> float | None:
        return _percent(self.responded_share)

    def as_dict(self) -> dict[str, Any]:
        share = self.responded_share
        return {
            "closed": self.closed,
            "responded": self.responded,
            "open": self.open,
            "responded_share": None if share is None else round(share, 4),
        }


@dataclass
class PeriodFigures:
    start: dt.date
    label: str
    short_label: str  # for a chart's axis: two short lines
    figures: Figures
    consultations: ConsultationFigures = field(default_factory=ConsultationFigures)


@dataclass
class Backlog:
    """Requests still open now (all periods), by how long ago they were received."""

    open: int = 0
    bands: dict[str, int] = field(default_factory=dict)
    median_age_days: int | None = None


@dataclass
class GoalProgress:
    """One goal against the window's figures. `actual` is in the target's unit (percent,
    or hours, with one decimal, as shown); `met` is None when the goal has no target or
    nothing was counted yet."""

    goal: Goal
    actual: float | None = None
    met: bool | None = None


def goal_progress(goals: list[Goal], figures: Figures) -> list[GoalProgress]:
    """Each goal (in order) with its metric's figure and whether it meets the target; no
    queries."""
    found = figures.as_dict()
    progress = []
    for goal in goals:
        actual = None
        value = found.get(goal.metric) if goal.is_measurable else None
        if value is not None:
            actual = round(value * 100 if goal.is_share else value, 1)
        progress.append(GoalProgress(goal=goal, actual=actual, met=goal.is_met_by(actual)))
    return progress


@dataclass
class AgencyDashboard:
    agency: Agency
    period: str
    since: dt.date
    until: dt.date  # the first day after the window
    total: Figures
    periods: list[PeriodFigures]
    by_service: list[tuple[Service | None, Figures]]
    by_team: list[tuple[Team | None, Figures]]
    backlog: Backlog
    goals: list[Goal]
    consultations: ConsultationFigures = field(default_factory=ConsultationFigures)
    service: Service | None = None
    team: Team | None = None
    # Every goal, in order, with its target checked against `total` (see GoalProgress).
    goal_progress: list[GoalProgress] = field(default_factory=list)

    @property
    def goal_targets(self) -> list[GoalProgress]:
        """The goals that have a target, with their progress."""
        return [entry for entry in self.goal_progress if entry.goal.is_measurable]


def clean_period(value: Any) -> str:
    """The period asked for (`?period=`), or the default for anything else."""
    return value if value in PERIODS else DEFAULT_PERIOD


def _today() -> dt.date:
    return timezone.localdate()


def window(period: str, today: dt.date | None = None) -> list[dt.date]:
    """The starts of the last WINDOW periods, oldest first, ending with the current one."""
    current = rollups.period_start(period, today or _today())
    starts = [current]
    for _ in range(WINDOW - 1):
        previous = rollups.period_start(period, starts[-1] - dt.timedelta(days=1))
        starts.append(previous)
    return starts[::-1]


def period_label(period: str, start: dt.date) -> str:
    if period == RollupPeriod.WEEK:
        return formats.date_format(start, "MONTH_DAY_FORMAT")
    return formats.date_format(start, "YEAR_MONTH_FORMAT")


def short_label(period: str, start: dt.date, first: bool) -> str:
    """“Mar” (and the year below it in January and on the first label), or the day and
    month of a week's Monday."""
    if period == RollupPeriod.WEEK:
        return formats.date_format(start, "j M")
    if first or start.month == 1:
        return formats.date_format(start, "M") + "\n" + str(start.year)
    return formats.date_format(start, "M")


def published_agencies() -> QuerySet[Agency]:
    return Agency.objects.published()


def backlog_of(
    agency_ids: list[int],
    today: dt.date | None = None,
    *,
    service_ids: list[int] | None = None,
    team_ids: list[int] | None = None,
) -> dict[int, Backlog]:
    """Each agency's open requests now and their age, from the week rows: one query.
    `service_ids` / `team_ids`: only those services' or teams' requests."""
    today = today or _today()
    found = Rollup.objects.filter(agency_id__in=agency_ids, period=RollupPeriod.WEEK, open__gt=0)
    if service_ids is not None:
        found = found.filter(service_id__in=service_ids)
    if team_ids is not None:
        found = found.filter(team_id__in=team_ids)
    rows = (
        found.values("agency_id", "start")
        .annotate(count=Sum("open"))
        .order_by("agency_id", "start")
    )
    backlogs: dict[int, Backlog] = {}
    ages: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        backlog = backlogs.setdefault(
            row["agency_id"], Backlog(bands={key: 0 for _, key in BACKLOG_BANDS})
        )
        # The middle of the week received, in days before today.
        age = max((today - row["start"]).days - 3, 0)
        backlog.open += row["count"]
        for limit, key in BACKLOG_BANDS:
            if limit is None or age < limit:
                backlog.bands[key] += row["count"]
                break
        ages.setdefault(row["agency_id"], []).append((age, row["count"]))
    for agency_id, backlog in backlogs.items():
        half, seen = backlog.open / 2, 0.0
        for days, count in sorted(ages[agency_id], reverse=True):  # oldest first
            seen += count
            if seen >= half:
                backlog.median_age_days = int(days)
                break
    return backlogs


def agency_dashboard(
    agency: Agency,
    period: str | None = DEFAULT_PERIOD,
    today: dt.date | None = None,
    *,
    service: Service | None = None,
    team: Team | None = None,
) -> AgencyDashboard:
    """One agency's figures (only one service's or team's, if given): three queries
    (rows of the window, backlog, goals)."""
    chosen = clean_period(period)
    starts = window(chosen, today)
    until = rollups.next_period(chosen, starts[-1])
    rows = Rollup.objects.filter(
        agency=agency, period=chosen, start__gte=starts[0], start__lt=until
    )
    if service is not None:
        rows = rows.filter(service=service)
    if team is not None:
        rows = rows.filter(team=team)
    rows = rows.select_related("service", "team").order_by("start", "pk")
    by_period = {start: Figures() for start in starts}
    services: dict[Any, tuple[Service | None, Figures]] = {}
    teams: dict[Any, tuple[Team | None, Figures]] = {}
    for row in rows:
        by_period[row.start].add(row)
        services.setdefault(row.service_id, (row.service, Figures()))[1].add(row)  # type: ignore[attr-defined]
        teams.setdefault(row.team_id, (row.team, Figures()))[1].add(row)  # type: ignore[attr-defined]
    total = Figures()
    for figures in by_period.values():
        total.add(figures)
    backlog = backlog_of(
        [agency.pk],
        today,
        service_ids=None if service is None else [service.pk],
        team_ids=None if team is None else [team.pk],
    ).get(agency.pk) or Backlog(bands={key: 0 for _, key in BACKLOG_BANDS})
    periods = [
        PeriodFigures(
            start,
            period_label(chosen, start),
            short_label(chosen, start, first=index == 0),
            figures,
        )
        for index, (start, figures) in enumerate(by_period.items())
    ]
    goals = list(agency.goals.all())
    return AgencyDashboard(
        agency=agency,
        period=chosen,
        since=starts[0],
        until=until,
        total=total,
        periods=periods,
        by_service=sorted(
            services.values(), key=lambda pair: (pair[0] is None, pair[0] and pair[0].name)
        ),
        by_team=sorted(
            teams.values(), key=lambda pair: (pair[0] is None, pair[0] and pair[0].name)
        ),
        backlog=backlog,
        goals=goals,
        service=service,
        team=team,
        consultations=consultations_of(agency, chosen, periods),
        goal_progress=goal_progress(goals, total),
    )


def consultations_of(
    agency: Agency, period: str, periods: list[PeriodFigures]
) -> ConsultationFigures:
    """The agency's published consultations closed in the window (counted in each
    period too) and open now: one query."""
    zone = timezone.get_current_timezone()
    now = timezone.now()
    since = dt.datetime.combine(periods[0].start, dt.time.min, tzinfo=zone)
    rows = (
        Consultation.objects.published()
        .filter(agency=agency)
        .filter(
            models.Q(closes_at__gte=since, closes_at__lte=now)
            | models.Q(opens_at__lte=now, closes_at__gt=now)
        )
        .order_by()
        .values_list("closes_at", "response_published_at")
    )
    by_start = {entry.start: entry.consultations for entry in periods}
    total = ConsultationFigures()
    for closes_at, response_published_at in rows:
        if closes_at > now:
            total.open += 1
            continue
        responded = int(response_published_at is not None)
        total.closed += 1
        total.responded += responded
        start = rollups.period_start(period, timezone.localtime(closes_at, zone).date())
        if start in by_start:
            by_start[start].closed += 1
            by_start[start].responded += responded
    return total


@dataclass
class AgencyHeadline:
    agency: Agency
    figures: Figures
    backlog: Backlog


def headlines(
    agencies: list[Agency],
    today: dt.date | None = None,
    *,
    service_ids: list[int] | None = None,
    team_ids: list[int] | None = None,
) -> list[AgencyHeadline]:
    """Each agency's figures over the last WINDOW months (only those services' or teams',
    if given): two queries for any number."""
    starts = window(RollupPeriod.MONTH, today)
    ids = [agency.pk for agency in agencies]
    rows = Rollup.objects.filter(agency_id__in=ids, period=RollupPeriod.MONTH, start__gte=starts[0])
    if service_ids is not None:
        rows = rows.filter(service_id__in=service_ids)
    if team_ids is not None:
        rows = rows.filter(team_id__in=team_ids)
    sums = (
        rows.values("agency_id")
        .annotate(**{name: Sum(name) for name in rollups.COUNTERS})
        .order_by("agency_id")
    )
    figures: dict[int, Figures] = {}
    for row in sums:
        totals = Figures()
        found: dict[str, Any] = dict(row)
        for name in rollups.COUNTERS:
            setattr(totals, name, found[name] or 0)
        figures[found["agency_id"]] = totals
    backlogs = backlog_of(ids, today, service_ids=service_ids, team_ids=team_ids)
    return [
        AgencyHeadline(
            agency=agency,
            figures=figures.get(agency.pk) or Figures(),
            backlog=backlogs.get(agency.pk) or Backlog(),
        )
        for agency in agencies
    ]


# --- open data ---------------------------------------------------------------------------------

# The open dataset's figures per row, after period, start, agency, service and team.
OPEN_DATA_FIGURES = (
    "received",
    "acknowledged",
    "answered",
    "closed",
    "open",
    "median_hours_to_acknowledge",
    "p90_hours_to_acknowledge",
    "median_hours_to_respond",
    "p90_hours_to_respond",
    "acknowledged_on_time_share",
    "answered_on_time_share",
    "commitments_made",
    "commitments_kept",
    "commitments_broken",
    "commitments_renegotiated",
    "commitments_cancelled",
    "commitments_open",
    "promises_kept_share",
    "foi_received",
    "foi_on_time",
    "foi_late",
    "foi_extended",
    "foi_on_time_share",
)


def _open_data_rollups() -> QuerySet[Rollup]:
    return Rollup.objects.filter(period=RollupPeriod.MONTH, agency__is_published=True)


def open_data_rows() -> Any:
    """The month rows of every published agency, service and team, as tuples."""
    rows = (
        _open_data_rollups()
        .select_related("agency", "service", "team")
        .order_by("agency__slug", "start", "service__code", "team__slug", "pk")
    )
    for row in rows.iterator(chunk_size=2000):
        figures = Figures().add(row).as_dict()
        yield (
            row.start.strftime("%Y-%m"),
            row.agency.slug,
            row.service.code if row.service else None,
            row.service.name if row.service else None,
            row.team.slug if row.team else None,
            *(figures[name] for name in OPEN_DATA_FIGURES),
        )


def open_data_count() -> int:
    return _open_data_rollups().count()
