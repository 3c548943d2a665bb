"""Threads and messages, and the files attached to them.

One thread model serves every conversation: a service request's replies (this issue), and
later direct conversations with a named staff member, team inboxes and public discussions.
Whoever owns a thread (a service request, say) decides who may read it; the thread itself
knows only which of its messages are internal notes (staff only, never shown to the
citizen or the public).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Agency, StaffMembership, Team

from .registry import owned_kind

# Longest message body, in characters (a long FOI request fits easily).
BODY_MAX_LENGTH = 20_000
# Longest conversation subject, in characters.
SUBJECT_MAX_LENGTH = 200
# Conversations between a citizen and a named staff member or a team.
CONVERSATION_KINDS = ("direct", "team")
# Longest topic label of a public discussion ("Snow clearing"), in characters.
TOPIC_MAX_LENGTH = 80


class ThreadKind(models.TextChoices):
    REQUEST = "request", _("Service request")
    DIRECT = "direct", _("Conversation with a staff member")
    TEAM = "team", _("Conversation with a team")
    DISCUSSION = "discussion", _("Public discussion")


class ThreadQuerySet(models.QuerySet["Thread"]):
    def conversations(self) -> ThreadQuerySet:
        """Conversations with a named staff member or a team (not a request's replies,
        whose request decides who reads them, nor public discussions)."""
        return self.filter(kind__in=CONVERSATION_KINDS)

    def visible_to(self, user: Any) -> ThreadQuerySet:
        """The conversations `user` may read: their own (as the citizen who started them);
        as staff, those addressed to a staff member of their agency, and those addressed
        to a team they belong to (or, for managers and administrators, a team of their
        agency); everything for site administrators. Nothing for visitors."""
        conversations = self.conversations()
        if user is None or not user.is_authenticated:
            return conversations.none()
        if user.is_superuser:
            return conversations
        personas = StaffMembership.objects.filter(user=user, is_active=True).order_by()
        rule = models.Q(citizen=user)
        rule |= models.Q(
            kind=ThreadKind.DIRECT, agency__in=models.Subquery(personas.values("agency_id"))
        )
        rule |= models.Q(
            kind=ThreadKind.TEAM,
            team__in=models.Subquery(personas.filter(teams__isnull=False).values("teams")),
        )
        rule |= models.Q(
            kind=ThreadKind.TEAM,
            agency__in=models.Subquery(
                personas.filter(role__in=("manager", "admin")).values("agency_id")
            ),
        )
        return conversations.filter(rule)

    def discussions(self) -> ThreadQuerySet:
        """Public discussions (on an agency's page, about a topic)."""
        return self.filter(kind=ThreadKind.DISCUSSION)

    def discussions_visible_to(self, user: Any) -> ThreadQuerySet:
        """The public discussions `user` may read: every discussion of a published agency,
        for everyone (visitors included); site administrators see all of them."""
        discussions = self.discussions()
        if user is not None and getattr(user, "is_superuser", False):
            return discussions
        return discussions.filter(agency__is_published=True)


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
    # A conversation: the citizen who started it, and whom they addressed (a staff member
    # or a team). Empty for a request's replies, whose request knows its people.
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    staff = models.ForeignKey(
        StaffMembership,
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    # A public discussion: an optional topic label, and what it is about (a service
    # request, later a consultation), linked generically so this app imports neither.
    topic = models.CharField(_("topic"), max_length=TOPIC_MAX_LENGTH, blank=True)
    link_type = models.ForeignKey(
        ContentType,
        verbose_name=_("linked to (kind)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    link_id = models.CharField(_("linked to (id)"), max_length=64, blank=True, default="")
    linked_to = GenericForeignKey("link_type", "link_id")

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(fields=["citizen", "-last_message_at"], name="thread_citizen_idx"),
            models.Index(
                fields=["kind", "agency", "-last_message_at"], name="thread_discussion_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        if self.kind == ThreadKind.DISCUSSION:
            return reverse("discussions:discussion-detail", kwargs={"pk": self.pk})
        owned = owned_kind(self.kind)
        if owned is not None:  # a request's replies: the request's page
            return owned.url(self)
        return reverse("conversations:conversation-detail", kwargs={"pk": self.pk})

    @property
    def is_conversation(self) -> bool:
        return self.kind in CONVERSATION_KINDS

    @property
    def is_discussion(self) -> bool:
        return self.kind == ThreadKind.DISCUSSION

    @property
    def is_request(self) -> bool:
        return self.kind == ThreadKind.REQUEST


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
    is_hidden = models.BooleanField(
        _("hidden"), default=False, help_text=_("Hidden by a moderator, with a public reason.")
    )
    # Public discussions: a reply to a top-level message (one level only, enforced by
    # `discussions.post_in_discussion`), and a staff answer given as the official one.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    is_official = models.BooleanField(
        _("official answer"),
        default=False,
        help_text=_("Given by a staff member, as their work persona, for their agency."),
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="message_thread_idx"),
            # Rate limits count an account's recent messages (moderation.check_rate_limit).
            models.Index(fields=["author", "created_at"], name="message_author_idx"),
        ]

    def __str__(self) -> str:
        return self.body[:80]

    def get_absolute_url(self) -> str:
        return f"{self.thread.get_absolute_url()}#message-{self.pk}"

    @property
    def read_receipt(self) -> ReadReceipt | None:
        """The receipt, if the addressed staff have read it (joined: no query)."""
        try:
            return self.receipt  # type: ignore[no-any-return]
        except ReadReceipt.DoesNotExist:
            return None

    @property
    def signature(self) -> str:
        """Who wrote it, as shown: "Sam Rivera, Road Maintenance Supervisor, Public
        Works" for staff, the display name for a citizen."""
        if self.persona_id is not None:
            return self.persona.signature  # type: ignore[union-attr]
        return str(getattr(self.author, "display_name", "") or self.author)


class MessageRevision(models.Model):
    """An earlier wording of an edited message, kept so an edit never hides what was said."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField(_("earlier text"))
    written_at = models.DateTimeField(_("written"))
    replaced_at = models.DateTimeField(_("replaced"), default=timezone.now)

    class Meta:
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")
        ordering = ["replaced_at", "id"]

    def __str__(self) -> str:
        return self.body[:80]


class ReadReceipt(models.Model):
    """When the addressed staff member (or a member of the addressed team) first read a
    citizen's message: shown to the citizen as "Read by Sam Rivera, 10:42"."""

    message = models.OneToOneField(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="receipt"
    )
    reader = models.ForeignKey(
        StaffMembership, verbose_name=_("read by"), on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("read"), default=timezone.now)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")

    def __str__(self) -> str:
        return f"{self.reader.public_name} {self.read_at:%Y-%m-%d %H:%M}"


class ReactionKind(models.TextChoices):
    HELPFUL = "helpful", _("Helpful")


class Reaction(models.Model):
    """Someone found a message of a public discussion helpful (one per account and
    message; pressing again takes it back)."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="reactions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ReactionKind.choices, default=ReactionKind.HELPFUL
    )
    created_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "user", "kind"], name="conversations_one_reaction_each"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.message_id}"


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


from .moderation_models import Appeal, Flag, ModerationEntry  # noqa: E402,F401
