"""Threads and messages, and the files attached to them.

One thread model serves every conversation: a service request's replies (this issue), and
later direct conversations with a named staff member, team inboxes and public discussions.
Whoever owns a thread (a service request, say) decides who may read it; the thread itself
knows only which of its messages are internal notes (staff only, never shown to the
citizen or the public).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Agency, StaffMembership

# Longest message body, in characters (a long FOI request fits easily).
BODY_MAX_LENGTH = 20_000


class ThreadKind(models.TextChoices):
    REQUEST = "request", _("Service request")
    DIRECT = "direct", _("Conversation with a staff member")
    TEAM = "team", _("Conversation with a team")
    DISCUSSION = "discussion", _("Public discussion")


class Thread(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ThreadKind.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="threads",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    is_locked = models.BooleanField(_("locked"), default=False)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} #{self.pk}"


class MessageQuerySet(models.QuerySet["Message"]):
    def public(self) -> MessageQuerySet:
        """Messages anyone who may read the thread may read: everything but internal notes."""
        return self.filter(is_internal=False)


class Message(models.Model):
    """One message. Staff write as their work persona (`persona`), signed with their name
    and title; citizens write as themselves. Internal notes are for the agency's staff."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    persona = models.ForeignKey(
        StaffMembership,
        verbose_name=_("written as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH)
    body_html = models.TextField(_("message as HTML"), blank=True, editable=False)
    is_internal = models.BooleanField(
        _("internal note"),
        default=False,
        help_text=_("Internal notes are seen by the agency's staff only."),
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="message_thread_idx"),
        ]

    def __str__(self) -> str:
        return self.body[:80]

    @property
    def signature(self) -> str:
        """Who wrote it, as shown: "Sam Rivera, Road Maintenance Supervisor, Public
        Works" for staff, the display name for a citizen."""
        if self.persona_id is not None:
            return self.persona.signature  # type: ignore[union-attr]
        return str(getattr(self.author, "display_name", "") or self.author)


def attachment_path(instance: Attachment, filename: str) -> str:
    """Files are stored under a random name; the name the person gave is kept apart."""
    return f"attachments/{timezone.now():%Y/%m}/{instance.storage_key}"


class Attachment(models.Model):
    """A file attached to a thread (and, when sent with one, to a message).

    Stored under a random key, served only as a download with `nosniff`, after the owner
    of the thread has checked the reader may see it. Images are re-encoded without their
    metadata (GPS position included) before they are stored.
    """

    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    storage_key = models.CharField(max_length=64, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    is_internal = models.BooleanField(_("internal"), default=False)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
