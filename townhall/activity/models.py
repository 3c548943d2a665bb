"""The append-only activity log: one row per thing that happened, never changed.

Every action in every app appends here. Read models (an agency's recent activity, a
citizen's timeline, notifications, transparency rollups) are queries over this table.
Nothing updates or deletes a row: the QuerySet and the model refuse, and the database
refuses too (triggers added in migration 0002).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActivityIsAppendOnly(Exception):
    """Raised when code tries to change or remove a logged activity."""


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTICIPANTS = "participants", _("Participants")
    STAFF = "staff", _("Agency staff")
    INTERNAL = "internal", _("Internal audit")


class ActivityQuerySet(models.QuerySet["Activity"]):
    def update(self, **kwargs: Any) -> int:
        raise ActivityIsAppendOnly("The activity log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ActivityIsAppendOnly("The activity log is append-only.")

    def public(self) -> ActivityQuerySet:
        return self.filter(visibility=Visibility.PUBLIC)

    def visible_to(self, user: Any) -> ActivityQuerySet:
        """Entries this user may read.

        public: everyone. participants: the actor, the citizen concerned and the
        agency's staff. staff: the agency's staff. internal: the actor and site
        administrators.
        """
        rule = Q(visibility=Visibility.PUBLIC)
        if user is None or not user.is_authenticated:
            return self.filter(rule)
        if user.is_superuser:
            return self.all()
        own = Q(actor=user) | Q(citizen=user)
        agency_staff = Q(
            agency__in=models.Subquery(
                user.staff_memberships.filter(is_active=True).order_by().values("agency_id")
            )
        )
        rule |= Q(visibility=Visibility.PARTICIPANTS) & (own | agency_staff)
        rule |= Q(visibility=Visibility.STAFF) & agency_staff
        rule |= Q(visibility=Visibility.INTERNAL) & Q(actor=user)
        return self.filter(rule)


class Activity(models.Model):
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The account that acted; empty for the system."),
    )
    persona = models.ForeignKey(
        "agencies.StaffMembership",
        verbose_name=_("acting as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The work persona used; empty when the person acted as a citizen."),
    )
    verb = models.CharField(_("verb"), max_length=64)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True, default="")
    target = GenericForeignKey("target_type", "target_id")
    visibility = models.CharField(
        _("visible to"), max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    summary = models.CharField(_("summary"), max_length=500)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["agency", "visibility", "-occurred_at"], name="activity_agency_idx"
            ),
            models.Index(fields=["citizen", "-occurred_at"], name="activity_citizen_idx"),
            models.Index(fields=["actor", "-occurred_at"], name="activity_actor_idx"),
            models.Index(fields=["target_type", "target_id"], name="activity_target_idx"),
        ]

    def __str__(self) -> str:
        return self.summary

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ActivityIsAppendOnly("The activity log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ActivityIsAppendOnly("The activity log is append-only.")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def visible_to(self, user: Any) -> NotificationQuerySet:
        """A person's notifications are theirs alone (site administrators included)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)


class Notification(models.Model):
    """One activity brought to one person's attention (the in-app notification centre).

    At most one per activity and recipient, so a retried task never notifies twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(
        _("why"),
        max_length=200,
        blank=True,
        help_text=_("Why this person is told, such as “You hold this request”."),
    )
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "activity"], name="activity_one_notification_per_activity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.activity}"
