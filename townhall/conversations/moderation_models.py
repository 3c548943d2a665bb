"""Moderation after the fact: flags, the public moderation log, and appeals.

Everything posts at once; afterwards anyone may flag a message with a reason, and a
moderator (a staff member marked as one for the thread's agency, or a site-wide
moderator holding `conversations.moderate_everywhere`) may hide it with a public reason,
restore it, or lock the thread. Every hide, restore, lock and unlock is a
`ModerationEntry`: the public log. The author of a hidden message may appeal once.
Nothing is deleted: a hidden message stays in the record, shown to its author and the
moderators.

Imported at the end of `models.py` so Django finds these models in the app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Agency, StaffMembership

from .models import Message, Thread

# Longest reason a flag, a hide or a lock gives, in characters.
FLAG_REASON_MAX_LENGTH = 500
PUBLIC_REASON_MAX_LENGTH = 300
APPEAL_MAX_LENGTH = 2000


class FlagCategory(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Personal data")
    ABUSE = "abuse", _("Abusive or hateful")
    SPAM = "spam", _("Spam or advertising")
    OFF_TOPIC = "off_topic", _("Off topic")
    OTHER = "other", _("Something else")


class FlagState(models.TextChoices):
    OPEN = "open", _("Waiting for a moderator")
    HIDDEN = "hidden", _("Message hidden")
    DISMISSED = "dismissed", _("Dismissed")


class FlagQuerySet(models.QuerySet["Flag"]):
    def open(self) -> FlagQuerySet:
        return self.filter(state=FlagState.OPEN)


class Flag(models.Model):
    """Someone asks the moderators to look at a message (once per person and message)."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="flags"
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(
        _("kind of problem"),
        max_length=16,
        choices=FlagCategory.choices,
        default=FlagCategory.OTHER,
    )
    reason = models.TextField(_("reason"), max_length=FLAG_REASON_MAX_LENGTH)
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=16, choices=FlagState.choices, default=FlagState.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "flagged_by"], name="conversations_one_flag_per_person"
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="flag_state_idx")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.reason[:60]}"


class ModerationAction(models.TextChoices):
    HIDE = "hide", _("Hidden")
    RESTORE = "restore", _("Restored")
    LOCK = "lock", _("Thread locked")
    UNLOCK = "unlock", _("Thread unlocked")


class ModerationEntry(models.Model):
    """One entry of the public moderation log: who (by their moderator name) did what, to
    which message or thread, and why."""

    action = models.CharField(_("action"), max_length=16, choices=ModerationAction.choices)
    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.PROTECT, related_name="+"
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderation_entries",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator's account"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    persona = models.ForeignKey(
        StaffMembership,
        verbose_name=_("as staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    moderator_name = models.CharField(_("moderator"), max_length=120)
    reason = models.CharField(_("public reason"), max_length=PUBLIC_REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="moderation_log_idx"),
            models.Index(fields=["message", "-created_at"], name="moderation_message_idx"),
        ]
        permissions = [
            ("moderate_everywhere", _("Can moderate every agency's conversations")),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.moderator_name}: {self.reason}"


class AppealOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for a moderator")
    UPHELD = "upheld", _("The message stays hidden")
    RESTORED = "restored", _("The message was restored")


# What `AppealBase.settle` writes.
SETTLED_FIELDS = ("outcome", "decided_by", "decided_by_name", "decision", "decided_at")


class AppealBase(models.Model):
    """What every appeal holds, whatever was hidden (a message here, a consultation
    comment in `consultations.CommentAppeal`): who appealed and why, and how a moderator
    settled it. Each concrete appeal adds what it appeals and its own `outcome` (the same
    values, `AppealOutcome`, with its own labels)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("appeal"), max_length=APPEAL_MAX_LENGTH)
    created_at = models.DateTimeField(_("appealed"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by_name = models.CharField(_("decided by (name)"), max_length=120, blank=True)
    decision = models.CharField(
        _("decision"), max_length=PUBLIC_REASON_MAX_LENGTH, blank=True, default=""
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    outcome: Any  # each concrete appeal's field, with its own labels

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_pending(self) -> bool:
        return self.outcome == AppealOutcome.PENDING

    def settle(
        self, *, by: Any, moderator_name: str, restore: bool, decision: str, at: dt.datetime
    ) -> None:
        """Record a moderator's decision (the caller holds the row locked)."""
        self.outcome = AppealOutcome.RESTORED if restore else AppealOutcome.UPHELD
        self.decided_by = by
        self.decided_by_name = moderator_name[:120]
        self.decision = decision
        self.decided_at = at
        self.save(update_fields=SETTLED_FIELDS)


class Appeal(AppealBase):
    """The author of a hidden message asks the moderators to think again (once)."""

    message = models.OneToOneField(
        Message, verbose_name=_("message"), on_delete=models.PROTECT, related_name="appeal"
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=AppealOutcome.choices, default=AppealOutcome.PENDING
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["outcome", "created_at"], name="appeal_outcome_idx")]
