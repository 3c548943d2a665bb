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
