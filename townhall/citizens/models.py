"""What the joined-up view owns: the access log, the citizen's consent to joining up, and
notes staff share across agencies.

Everything else the view shows is read from the domain apps (`queries.py`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Agency, StaffMembership

SUBJECT_MAX_LENGTH = 64
NOTE_MAX_LENGTH = 2_000


class Screen(models.TextChoices):
    """Where a staff member read a citizen's data."""

    JOINED_UP_VIEW = "joined_up_view", _("the joined-up view of your record")
    REQUEST_DETAIL = "request_detail", _("a private request of yours")
    API_TIMELINE = "api_timeline", _("your record through the API")


class AccessReason(models.TextChoices):
    """Why a staff member opened a citizen's record: picked from this list, never typed."""

    ANSWERING_REQUEST = "answering_request", _("answering your request")
    ANSWERING_CONVERSATION = "answering_conversation", _("answering your conversation")
    VERIFYING_IDENTITY = "verifying_identity", _("verifying your identity")
    HANDLING_COMPLAINT = "handling_complaint", _("handling a complaint")
    MODERATION = "moderation", _("moderating what was posted")
    LEGAL_OBLIGATION = "legal_obligation", _("a legal obligation")
    OTHER = "other", _("another reason")


def day_bounds(at: Any = None) -> tuple[datetime, datetime]:
    """The start and end of the local day (TIME_ZONE) of `at` (default: now)."""
    day = timezone.localdate(at or timezone.now())
    start = timezone.make_aware(datetime(day.year, day.month, day.day))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))


class AccessLogEntryQuerySet(models.QuerySet["AccessLogEntry"]):
    def visible_to(self, user: Any) -> AccessLogEntryQuerySet:
        """A citizen sees who looked at their own record; site administrators see all.
        Staff do not read each other's looks here."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(citizen=user)

    def of_day(self, *, viewer: Any, citizen: Any, at: Any = None) -> AccessLogEntryQuerySet:
        """This staff member's looks at this citizen's record on the (local) day of `at`."""
        start, end = day_bounds(at)
        return self.filter(viewer=viewer, citizen=citizen, at__gte=start, at__lt=end)


class AccessLogEntry(models.Model):
    """One look by a staff member at a citizen's record: who (their work persona and its
    agency), when, from which screen, why (a reason from a list) and about what."""

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    persona = models.ForeignKey(
        StaffMembership,
        verbose_name=_("as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The work persona: the citizen sees its work name, never the account."),
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    screen = models.CharField(_("screen"), max_length=32, choices=Screen.choices)
    reason = models.CharField(_("reason"), max_length=32, choices=AccessReason.choices)
    subject = models.CharField(
        _("about"),
        max_length=SUBJECT_MAX_LENGTH,
        blank=True,
        help_text=_("What it was about, such as a request's reference."),
    )

    objects = AccessLogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["citizen", "-at", "-id"], name="access_log_citizen_idx"),
            models.Index(fields=["viewer", "citizen", "-at"], name="access_log_viewer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.citizen_id} at {self.at:%Y-%m-%d %H:%M} ({self.reason})"

    @property
    def staff_name(self) -> str:
        """The work name (never the account's personal display name)."""
        if self.persona_id is not None:
            return str(self.persona.public_name)  # type: ignore[union-attr]
        return str(_("A site administrator"))

    @property
    def agency_name(self) -> str:
        return str(self.agency.name) if self.agency_id is not None else ""  # type: ignore[union-attr]


class JoinUpConsent(models.Model):
    """A citizen's choice to let staff of every agency see their private records in the
    joined-up view. No row, or `is_on` false, means no: each agency sees its own."""

    citizen = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="join_up_consent",
    )
    is_on = models.BooleanField(_("join up my records"), default=False)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("consent to join up records")
        verbose_name_plural = _("consents to join up records")

    def __str__(self) -> str:
        return f"{self.citizen_id}: {'on' if self.is_on else 'off'}"

    @classmethod
    def is_given_by(cls, citizen: Any) -> bool:
        return cls.objects.filter(citizen_id=citizen.pk, is_on=True).exists()


class SharedNoteQuerySet(models.QuerySet["SharedNote"]):
    def visible_to(self, user: Any) -> SharedNoteQuerySet:
        """Any active staff member (of any agency) and site administrators see every shared
        note; a citizen sees the notes about themselves; nobody else sees any."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        is_staff = models.Exists(StaffMembership.objects.filter(user=user, is_active=True))
        return self.filter(models.Q(citizen=user) | models.Q(is_staff))


class SharedNote(models.Model):
    """A note a staff member leaves on a citizen's record for staff of every agency. The
    citizen reads it too, in My government."""

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    persona = models.ForeignKey(
        StaffMembership, verbose_name=_("written as"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    objects = SharedNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared note")
        verbose_name_plural = _("shared notes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["citizen", "-created_at", "-id"], name="shared_note_citizen_idx")
        ]

    def __str__(self) -> str:
        return self.body[:80]
