"""Own your data: export jobs (a person's archive, built in the background) and the
retention rule of each service (which private records the law requires keeping when an
account is erased)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Service

# How long a finished archive can be downloaded.
EXPORT_LIFETIME = timedelta(days=7)


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being built")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


ACTIVE_EXPORT_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def new_export_token() -> str:
    return secrets.token_urlsafe(32)


def export_path(instance: ExportJob, filename: str) -> str:
    """Archives are stored under a random, unguessable name (never the person's)."""
    return f"privacy/exports/{secrets.token_urlsafe(24)}.zip"


class ExportJobQuerySet(models.QuerySet["ExportJob"]):
    def visible_to(self, user: Any) -> ExportJobQuerySet:
        """A person's export jobs are theirs alone (site administrators included)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def active(self) -> ExportJobQuerySet:
        return self.filter(status__in=ACTIVE_EXPORT_STATUSES)

    def downloadable(self, at: Any = None) -> ExportJobQuerySet:
        return self.filter(status=ExportStatus.READY, expires_at__gt=at or timezone.now())


class ExportJob(models.Model):
    """One archive of everything held about a person: JSON plus their attachments, in a
    zip built by the `build_export` task. Downloadable by its owner until `expires_at`."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    token = models.CharField(max_length=64, unique=True, default=new_export_token, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (per cent)"), default=0)
    counts = models.JSONField(
        _("records"), default=dict, blank=True, help_text=_("How many of each kind of record.")
    )
    file = models.FileField(_("archive"), upload_to=export_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="privacy_export_owner_idx")]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.status} {self.progress}%"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_EXPORT_STATUSES

    def is_downloadable(self, at: Any = None) -> bool:
        at = at or timezone.now()
        return bool(
            self.status == ExportStatus.READY
            and self.file
            and self.expires_at is not None
            and self.expires_at > at
        )

    @property
    def display_status(self) -> str:
        """The status as people read it (a ready archive past its date reads "expired")."""
        if self.status == ExportStatus.READY and not self.is_downloadable():
            return str(ExportStatus.EXPIRED.label)
        return str(self.get_status_display())  # type: ignore[attr-defined]


class RetentionRule(models.Model):
    """The law requires keeping a service's private requests for some time, even when the
    person who filed them erases their account. Without a rule (or with 0 days), private
    requests are deleted with the account. Kept requests lose their personal details."""

    service = models.OneToOneField(
        Service,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="retention_rule",
    )
    keep_days = models.PositiveIntegerField(
        _("keep for (days)"),
        default=0,
        help_text=_(
            "How long after filing a private request must be kept. 0: no legal duty to keep it."
        ),
    )
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=300,
        blank=True,
        help_text=_("The law or rule that requires it, shown to people before they erase."),
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["service"]

    def __str__(self) -> str:
        return f"{self.service}: {self.keep_days} days"

    @property
    def requires_keeping(self) -> bool:
        return self.keep_days > 0
