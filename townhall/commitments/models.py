"""Commitments and the working-day calendar's local part: the days an agency is closed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Agency, StaffMembership, Team


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


class CommitmentKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    RESPOND = "respond", _("Respond")
    EXTENSION = "extension", _("Respond within the extension")
    CUSTOM = "custom", _("Custom promise")


class CommitmentState(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")
    RENEGOTIATED = "renegotiated", _("Renegotiated")
    CANCELLED = "cancelled", _("Cancelled")


# How long the public reason of a renegotiation or cancellation and a custom promise may be.
REASON_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 300


class CommitmentQuerySet(models.QuerySet["Commitment"]):
    def open(self) -> CommitmentQuerySet:
        return self.filter(state=CommitmentState.OPEN)

    def overdue(self, now: datetime) -> CommitmentQuerySet:
        """Open, not paused and past due: the scheduled task will mark them broken."""
        return self.filter(state=CommitmentState.OPEN, due_at__lt=now, paused_at__isnull=True)

    def ever_broken(self) -> CommitmentQuerySet:
        """Commitments that broke, whatever happened next (kept late, renegotiated,
        cancelled): a broken promise is counted as broken for good."""
        return self.filter(broken_at__isnull=False)

    def at_risk(self, now: datetime) -> CommitmentQuerySet:
        """Open, not yet overdue, and due within one working day of `now`.

        "Within one working day" means: due no later than the end (23:59:59 local) of the
        first working day after `now`'s local date, on the calendar of the commitment's
        agency (its jurisdiction's holidays, weekends and closure days). On a Friday a
        commitment due on Friday or on Monday is at risk, one due on Tuesday is not.

        The cut-off is computed per agency in Python, so this runs two queries (the agencies
        with open commitments still to come, and their closure days) before returning the
        lazy QuerySet, whatever the number of agencies; agencies sharing a cut-off are
        grouped. An agency whose calendar cannot be built (an unknown jurisdiction) falls
        back to 24 hours.
        """
        from .queries import at_risk_cutoffs  # queries build on the models

        upcoming = self.filter(state=CommitmentState.OPEN, due_at__gte=now, paused_at__isnull=True)
        agency_ids = upcoming.order_by().values_list("agency_id", flat=True).distinct()
        by_cutoff: dict[datetime, list[int]] = {}
        for agency_id, cutoff in at_risk_cutoffs(agency_ids, now).items():
            by_cutoff.setdefault(cutoff, []).append(agency_id)
        if not by_cutoff:
            return upcoming.none()
        rule = models.Q()
        for cutoff, ids in by_cutoff.items():
            rule |= models.Q(agency_id__in=ids, due_at__lte=cutoff)
        return upcoming.filter(rule)

    def visible_to(self, user: Any) -> CommitmentQuerySet:
        """Public commitments: everyone. Others: the citizen they are made to, active staff
        of the agency that made them, and site administrators."""
        rule = models.Q(is_public=True)
        if user is None or not user.is_authenticated:
            return self.filter(rule)
        if user.is_superuser:
            return self.all()
        rule |= models.Q(made_to=user)
        rule |= models.Q(
            agency__in=models.Subquery(
                user.staff_memberships.filter(is_active=True).order_by().values("agency_id")
            )
        )
        return self.filter(rule)


class Commitment(models.Model):
    """A promise with a due time, made by an agency (a person, or a team with the person
    who accepted it) to a citizen, about something (a service request, later).

    `open` → `kept` | `broken` | `renegotiated` | `cancelled`. The transitions live in
    `actions`; a broken commitment keeps `broken_at` whatever happens after.
    """

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="commitments"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system made it from the service's standard."),
    )
    made_by_persona = models.ForeignKey(
        StaffMembership,
        verbose_name=_("made as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    holder = models.ForeignKey(
        StaffMembership,
        verbose_name=_("held by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_commitments",
        help_text=_(
            "The staff member now responsible for keeping it (a request's assignee); "
            "told when it is at risk and when it breaks."
        ),
    )
    made_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments_received",
    )
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True, default="")
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField(_("kind"), max_length=16, choices=CommitmentKind.choices)
    description = models.CharField(
        _("promise"),
        max_length=DESCRIPTION_MAX_LENGTH,
        blank=True,
        help_text=_("The words promised, such as “I will call you by Friday”."),
    )
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(
        _("state"), max_length=16, choices=CommitmentState.choices, default=CommitmentState.OPEN
    )
    is_public = models.BooleanField(_("public"), default=False)
    made_at = models.DateTimeField(_("made"), default=timezone.now)
    kept_at = models.DateTimeField(_("kept"), null=True, blank=True)
    broken_at = models.DateTimeField(_("broken"), null=True, blank=True)
    done_at = models.DateTimeField(
        _("done"),
        null=True,
        blank=True,
        help_text=_("When the promised work was done, on time or late."),
    )
    closed_reason = models.CharField(
        _("reason"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text=_("Shown to the public: why it was renegotiated or cancelled."),
    )
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    at_risk_notified = models.BooleanField(_("at-risk flagged"), default=False)
    paused_at = models.DateTimeField(
        _("paused since"),
        null=True,
        blank=True,
        help_text=_(
            "While the agency waits for the citizen the clock stands still: a paused "
            "commitment is neither at risk nor broken, and moves later when the pause ends."
        ),
    )

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="commitment_state_due_idx"),
            models.Index(fields=["agency", "state", "due_at"], name="commitment_agency_state_idx"),
            models.Index(fields=["made_to", "state"], name="commitment_made_to_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="commitment_subject_idx"),
            # What a request still owes: open or broken and not yet done (the inbox's
            # overdue and at-risk queues).
            models.Index(
                fields=["subject_type", "subject_id", "due_at"],
                condition=models.Q(done_at__isnull=True, state__in=["open", "broken"]),
                name="commitment_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.what} by {self.due_at.isoformat()} ({self.state})"

    def is_visible_to(self, user: Any, *, is_agency_staff: bool) -> bool:
        """`CommitmentQuerySet.visible_to` for a commitment already in memory (keep the
        rules in step); `is_agency_staff`: whether `user` is active staff of its agency."""
        if self.is_public:
            return True
        if user is None or not user.is_authenticated:
            return False
        return bool(user.is_superuser or is_agency_staff or self.made_to_id == user.pk)  # type: ignore[attr-defined]

    @property
    def what(self) -> str:
        """The promise in words: "to respond", or the words of a custom promise."""
        if self.kind == CommitmentKind.CUSTOM and self.description:
            return f"“{self.description}”"
        return {
            CommitmentKind.ACKNOWLEDGE: "to acknowledge",
            CommitmentKind.RESPOND: "to respond",
            CommitmentKind.EXTENSION: "to respond within the extension",
        }.get(self.kind, f"“{self.description}”")  # type: ignore[call-overload]


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def live(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user: Any) -> CalendarFeedQuerySet:
        """A person's own calendar feeds; nobody else's (not even a site administrator's:
        the secret address is the owner's to share)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class CalendarFeed(models.Model):
    """A secret address at which a calendar application reads a citizen's open
    commitments (the promises made to them) as iCalendar. Anyone holding the address
    reads the feed without signing in, so the owner can revoke it at any time; a person
    has at most one live feed."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    token = models.CharField(_("secret"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(revoked_at__isnull=True),
                name="commitments_one_live_calendar_feed",
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "live"
        return f"Calendar feed of {self.owner_id} ({state})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
