"""Commitments and the working-day calendar's local part: the days an agency is closed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Agency


class AgencyClosure(models.Model):
    """A day an agency's offices are closed beyond the official holidays (a snow day).

    Closure days do not count as working days for that agency's deadlines.
    """

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField(_("date"))
    reason = models.CharField(
        _("reason"), max_length=200, help_text=_("Shown to the public, such as “Snow day”.")
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")
        ordering = ["agency", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "date"], name="commitments_one_closure_per_agency_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.date.isoformat()} ({self.reason})"
