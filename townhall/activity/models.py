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


def readers_of(activity: Activity) -> Q:
    """The accounts `ActivityQuerySet.visible_to` shows `activity` to, as a condition on
    accounts (so many people are checked in one query). Keep the two rules in step."""
    if activity.visibility == Visibility.PUBLIC:
        return Q()
    rule = Q(is_superuser=True)
    agency_staff = Q(
        pk__in=models.Subquery(
            _staff_memberships(activity.agency_id).values("user_id")  # type: ignore[attr-defined]
        )
    )
    if activity.visibility == Visibility.PARTICIPANTS:
        people = [pk for pk in (activity.actor_id, activity.citizen_id) if pk is not None]  # type: ignore[attr-defined]
        rule |= Q(pk__in=people) | agency_staff
    elif activity.visibility == Visibility.STAFF:
        rule |= agency_staff
    elif activity.visibility == Visibility.INTERNAL and activity.actor_id is not None:  # type: ignore[attr-defined]
        rule |= Q(pk=activity.actor_id)  # type: ignore[attr-defined]
    return rule


def _staff_memberships(agency_id: int | None) -> models.QuerySet[Any]:
    from django.apps import apps

    memberships = apps.get_model("agencies", "StaffMembership")._default_manager
    if agency_id is None:
        return memberships.none()  # type: ignore[no-any-return]
    return memberships.filter(agency_id=agency_id, is_active=True).order_by()  # type: ignore[no-any-return]


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

    def is_visible_to(self, user: Any, *, is_agency_staff: bool) -> bool:
        """`ActivityQuerySet.visible_to` for an entry already in memory (keep the rules in
        step); `is_agency_staff`: whether `user` is active staff of the entry's agency."""
        if self.visibility == Visibility.PUBLIC:
            return True
        if user is None or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        own = user.pk in (self.actor_id, self.citizen_id)  # type: ignore[attr-defined]
        if self.visibility == Visibility.PARTICIPANTS:
            return own or is_agency_staff
        if self.visibility == Visibility.STAFF:
            return is_agency_staff
        return self.visibility == Visibility.INTERNAL and user.pk == self.actor_id  # type: ignore[attr-defined]


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
    emailed_at = models.DateTimeField(
        _("emailed"),
        null=True,
        blank=True,
        help_text=_(
            "Set by a conditional update before the email goes out (alone or in a digest), "
            "so a task that runs twice sends once."
        ),
    )

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


class FollowQuerySet(models.QuerySet["Follow"]):
    def of(self, target: models.Model) -> FollowQuerySet:
        """The follows of one object (a request, a conversation, an agency...)."""
        return self.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        )

    def visible_to(self, user: Any) -> FollowQuerySet:
        """A person's follows are theirs alone."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class Follow(models.Model):
    """A person asked to be told about what happens to one object.

    The object is referred to like an Activity's target (content type and primary key as
    text), so any app's model can be followed once it is registered as followable
    (`townhall.activity.follows.register_followable`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("follower"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="follow_target_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target_type", "target_id"], name="activity_one_follow_per_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.target_type_id}:{self.target_id}"


class EmailFrequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately, one email per notification")
    DAILY = "daily", _("Once a day, in one digest email")
    OFF = "off", _("Never: only in the notification centre")


class EmailPreference(models.Model):
    """How often a person wants notifications by email. No row means “immediately”."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="email_preference",
    )
    frequency = models.CharField(
        _("email notifications"),
        max_length=16,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATELY,
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    last_digest_at = models.DateTimeField(
        _("last digest sent"),
        null=True,
        blank=True,
        help_text=_("Claimed before the digest is sent, so two runs never send two digests."),
    )

    class Meta:
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")
        indexes = [
            models.Index(fields=["frequency", "last_digest_at"], name="email_pref_digest_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"

    @classmethod
    def frequency_of(cls, user: Any) -> str:
        row = cls.objects.filter(user_id=user.pk).values_list("frequency", flat=True).first()
        return row or EmailFrequency.IMMEDIATELY


class InboundOutcome(models.TextChoices):
    POSTED = "posted", _("Posted in the thread")
    REFUSED = "refused", _("Refused")


class InboundEmailQuerySet(models.QuerySet["InboundEmail"]):
    def visible_to(self, user: Any) -> InboundEmailQuerySet:
        """The log of inbound mail is for site administrators only."""
        if user is not None and getattr(user, "is_superuser", False):
            return self.all()
        return self.none()


class InboundEmail(models.Model):
    """One email that arrived as a reply to a notification (`inbound.receive_email`):
    posted in its thread, or refused and why. The body of refused mail is not kept. The
    Message-ID is unique, so the same mail delivered twice is posted once."""

    received_at = models.DateTimeField(_("received"), default=timezone.now)
    source = models.CharField(_("arrived by"), max_length=16)
    envelope_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    recipient = models.CharField(_("sent to"), max_length=320, blank=True)
    message_id = models.CharField(
        _("Message-ID"), max_length=255, null=True, blank=True, unique=True
    )
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reply address of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True, default="")
    target = GenericForeignKey("target_type", "target_id")
    outcome = models.CharField(_("outcome"), max_length=16, choices=InboundOutcome.choices)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    objects = InboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.from_address}: {self.outcome}"


class ActivityRedaction(models.Model):
    """The one change the activity log allows: when a person erases their account, the
    summaries that name them are rewritten with their pseudonym (`redaction.py`). Each
    rewrite is recorded here first, with the new wording only (the old one held the
    personal data), and the database refuses any other change: an UPDATE of an entry
    passes only when nothing but its summary changes, to the text recorded here."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="redactions", db_index=True
    )
    summary = models.CharField(_("summary"), max_length=500)
    redacted_at = models.DateTimeField(_("redacted"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=100, default="account erased")

    class Meta:
        verbose_name = _("redaction of an activity")
        ordering = ["-redacted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.summary}"
