from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DatasetBuildQuerySet(models.QuerySet["DatasetBuild"]):
    def latest_per_dataset(self) -> DatasetBuildQuerySet:
        """The newest build of each dataset, in one query."""
        newest = (
            DatasetBuild.objects.filter(dataset=models.OuterRef("dataset"))
            .order_by("-built_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(pk=models.Subquery(newest))


class DatasetBuild(models.Model):
    """One refresh of an open dataset's catalogue entry: how many rows it had and when.

    The downloads stream live from the database, so a build does not write files; it
    records the row count and the `modified` time the catalogue (`/data.json`) shows."""

    dataset = models.CharField(_("dataset"), max_length=64)
    built_at = models.DateTimeField(_("built"), default=timezone.now)
    row_count = models.PositiveBigIntegerField(_("rows"))
    duration = models.DurationField(_("duration"))

    objects = DatasetBuildQuerySet.as_manager()

    class Meta:
        verbose_name = _("dataset build")
        verbose_name_plural = _("dataset builds")
        ordering = ["-built_at", "-pk"]
        indexes = [models.Index(fields=["dataset", "-built_at"], name="dataset_build_latest_idx")]

    def __str__(self) -> str:
        return f"{self.dataset} @ {self.built_at:%Y-%m-%d %H:%M}"


class RollupPeriod(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class Rollup(models.Model):
    """The dashboard's figures for one period (a day, a week from Monday, a month) of one
    agency, service and team: what the public dashboard, its API and its open data read,
    so their cost does not grow with the number of requests.

    Requests are counted in the period they were received (on the agency's calendar),
    with their state now: acknowledged, answered, closed or still open (so the open
    counts of every period add up to today's backlog). Commitments are counted in the
    period they were made, with their outcome now. Times to acknowledge and to answer
    are kept as sums and as histograms over `rollups.BUCKET_EDGES` (hours), from which
    medians and 90th percentiles are estimated.

    Derived data: day rows are recomputed from the requests and commitments
    (`rollups.refresh_day`, after each relevant activity; `townhall build_dashboard` for
    all days), week and month rows from the day rows. Nothing here names a person."""

    period = models.CharField(_("period"), max_length=8, choices=RollupPeriod.choices)
    start = models.DateField(_("first day"))
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    service = models.ForeignKey(
        "agencies.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    received = models.PositiveIntegerField(_("received"), default=0)
    acknowledged = models.PositiveIntegerField(_("acknowledged"), default=0)
    acknowledged_on_time = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(_("answered"), default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    open = models.PositiveIntegerField(_("still open"), default=0)
    acknowledge_hours = models.FloatField(default=0)
    respond_hours = models.FloatField(default=0)
    acknowledge_histogram = models.JSONField(default=list)
    respond_histogram = models.JSONField(default=list)
    commitments_made = models.PositiveIntegerField(default=0)
    commitments_kept = models.PositiveIntegerField(default=0)
    commitments_broken = models.PositiveIntegerField(default=0)
    commitments_renegotiated = models.PositiveIntegerField(default=0)
    commitments_cancelled = models.PositiveIntegerField(default=0)
    commitments_open = models.PositiveIntegerField(default=0)
    foi_received = models.PositiveIntegerField(default=0)
    foi_on_time = models.PositiveIntegerField(default=0)
    foi_late = models.PositiveIntegerField(default=0)
    foi_extended = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        ordering = ["agency", "period", "start", "pk"]
        indexes = [
            models.Index(fields=["agency", "period", "start"], name="rollup_agency_period_idx"),
            models.Index(fields=["period", "start"], name="rollup_period_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.start.isoformat()} agency {self.agency_id}"  # type: ignore[attr-defined]
