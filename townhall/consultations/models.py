"""Consultations: a policy draft in ordered sections, open for comment for a while, and
the agency's public answer to what people said.

- `Consultation`: the draft's title and summary, the owning agency, the staff responsible,
  the goals it serves, the assurance level needed to take part and the phase dates
  (published → opens → closes → response published). Its `status` (upcoming, open,
  closed) follows from the dates.
- `ConsultationVersion` and `Section`: each revised draft is a new numbered version with
  its own sections; old versions are kept so their differences can be shown.
- `Comment` (on the whole consultation, a section, or an exact passage of a section;
  replies one level), `CommentFlag`; hidden comments stay in place with a public reason.
- `Support` (one per account and section: support or oppose), `Amendment` (replacement
  text for a section of the current version).
- `Theme` (staff group comments), with `Amendment`, answered with an `Outcome`; the
  response report is published on the consultation.
- `Document` (files attached to a consultation), `CommentAppeal` (the author of a hidden
  comment asks once for it to be looked at again).

Comments are stored here rather than as conversations messages: see decision 0014.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Agency, Goal, StaffMembership
from townhall.conversations.moderation_models import AppealBase
from townhall.identity.models import AssuranceLevel

TITLE_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 5_000
HEADING_MAX_LENGTH = 200
SECTION_MAX_LENGTH = 50_000
COMMENT_MAX_LENGTH = 10_000
PASSAGE_MAX_LENGTH = 2_000
REASON_MAX_LENGTH = 2_000
RESPONSE_MAX_LENGTH = 20_000


class Status(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open for comments")
    CLOSED = "closed", _("Closed")


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def published(self) -> ConsultationQuerySet:
        return self.filter(
            published_at__isnull=False,
            published_at__lte=timezone.now(),
            agency__is_published=True,
        )

    def visible_to(self, user: Any) -> ConsultationQuerySet:
        """Published consultations of published agencies, for everyone (visitors
        included); drafts too for the owning agency's active staff; all for site
        administrators."""
        if user is not None and getattr(user, "is_superuser", False):
            return self.all()
        published = Q(
            published_at__isnull=False,
            published_at__lte=timezone.now(),
            agency__is_published=True,
        )
        if user is None or not getattr(user, "is_authenticated", False):
            return self.filter(published)
        staff_of = StaffMembership.objects.active().filter(user=user).values("agency_id")
        return self.filter(published | Q(agency__in=models.Subquery(staff_of.order_by())))

    def with_status(self, status: str) -> ConsultationQuerySet:
        now = timezone.now()
        if status == Status.UPCOMING:
            return self.filter(opens_at__gt=now)
        if status == Status.OPEN:
            return self.filter(opens_at__lte=now, closes_at__gt=now)
        if status == Status.CLOSED:
            return self.filter(closes_at__lte=now)
        return self


class Consultation(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    summary = models.TextField(_("summary"), max_length=SUMMARY_MAX_LENGTH)
    goals = models.ManyToManyField(
        Goal, verbose_name=_("goals it serves"), blank=True, related_name="consultations"
    )
    responsible = models.ManyToManyField(
        StaffMembership,
        verbose_name=_("staff responsible"),
        blank=True,
        related_name="consultations",
    )
    required_assurance = models.CharField(
        _("assurance level needed to take part"),
        max_length=32,
        choices=AssuranceLevel.choices,
        default=AssuranceLevel.EMAIL_VERIFIED,
    )
    published_at = models.DateTimeField(_("draft published"), null=True, blank=True)
    # When followers were told and the public log said "published" (None: not yet — a
    # draft kept back, or one whose publication date is still to come).
    announced_at = models.DateTimeField(_("publication announced"), null=True, blank=True)
    opens_at = models.DateTimeField(_("opens for comments"))
    closes_at = models.DateTimeField(_("closes"))
    response_published_at = models.DateTimeField(_("response published"), null=True, blank=True)
    response_summary = models.TextField(
        _("response summary"), blank=True, max_length=RESPONSE_MAX_LENGTH
    )
    response_summary_html = models.TextField(blank=True, editable=False)
    current_version = models.ForeignKey(
        "ConsultationVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Kept by `post_comment`: top-level comments, hidden ones included (they keep their
    # place), so that paging through 50,000 comments does not count them on every view.
    top_comment_count = models.PositiveIntegerField(default=0, editable=False)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "closes_at"], name="consultation_agency_idx"),
            models.Index(fields=["closes_at"], name="consultation_closes_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="consultations_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:consultation-detail", kwargs={"pk": self.pk})

    def status_at(self, now: Any = None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return Status.UPCOMING
        if now < self.closes_at:
            return Status.OPEN
        return Status.CLOSED

    @property
    def status(self) -> str:
        return self.status_at()

    def get_status_display(self) -> str:
        return str(Status(self.status).label)

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def has_response(self) -> bool:
        return self.response_published_at is not None

    @property
    def is_published(self) -> bool:
        """Readable by everyone now (its publication date has come)."""
        return self.published_at is not None and self.published_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        """Not published yet, with a date set for it."""
        return self.published_at is not None and self.published_at > timezone.now()

    @property
    def days_left(self) -> int:
        """Days until it closes, counting a part day as one (0 once closed)."""
        seconds = (self.closes_at - timezone.now()).total_seconds()
        return max(0, math.ceil(seconds / 86_400))


class ConsultationVersion(models.Model):
    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    note = models.TextField(_("what changed"), blank=True, max_length=SUMMARY_MAX_LENGTH)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        StaffMembership, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"], name="consultations_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} v{self.number}"


class Section(models.Model):
    version = models.ForeignKey(
        ConsultationVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    order = models.PositiveIntegerField(_("order"))
    heading = models.CharField(_("heading"), max_length=HEADING_MAX_LENGTH)
    body = models.TextField(_("text"), max_length=SECTION_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    # Kept by the actions (comments shown, supports, oppositions), so that pages showing
    # the counts do not count 50,000 comments on every view.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    support_count = models.PositiveIntegerField(default=0, editable=False)
    oppose_count = models.PositiveIntegerField(default=0, editable=False)
    # Top-level comments on the section, hidden ones included (they keep their place):
    # the size of its comment pages, kept by `post_comment`.
    top_comment_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="consultations_section_order")
        ]

    def __str__(self) -> str:
        return self.heading


class CommentQuerySet(models.QuerySet["Comment"]):
    def visible_to(self, user: Any) -> CommentQuerySet:
        """Comments of the consultations `user` may see. Hidden comments stay in the list
        (hidden in the open); pages show the moderator's reason in their place."""
        return self.filter(consultation__in=Consultation.objects.visible_to(user).values("pk"))

    def shown(self) -> CommentQuerySet:
        return self.filter(is_hidden=False)


class Comment(models.Model):
    """A comment on the whole consultation (no section), a section, or an exact passage of
    a section; a reply (`parent`) nests one level. Staff of the owning agency write as
    their work persona."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    version = models.ForeignKey(
        ConsultationVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="+"
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
    )
    passage = models.TextField(_("passage"), blank=True, max_length=PASSAGE_MAX_LENGTH)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    persona = models.ForeignKey(
        StaffMembership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    theme = models.ForeignKey(
        "Theme",
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("public reason"), max_length=300, blank=True)
    hidden_by_name = models.CharField(_("hidden by"), max_length=120, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["consultation", "created_at"], name="comment_consultation_idx"),
            # Pages of top-level comments (parent null), all or one section's.
            models.Index(fields=["consultation", "parent", "created_at"], name="comment_top_idx"),
            models.Index(fields=["section", "parent", "created_at"], name="comment_section_idx"),
            # The latest comments on passages (highlighted in the sections).
            models.Index(
                fields=["consultation", "created_at"],
                condition=~Q(passage=""),
                name="comment_passage_idx",
            ),
            models.Index(fields=["author", "created_at"], name="comment_author_idx"),
        ]

    def __str__(self) -> str:
        return self.body[:80]

    def get_absolute_url(self) -> str:
        return reverse(
            "consultations:comment-detail",
            kwargs={"pk": self.consultation_id, "comment_pk": self.pk},
        )

    @property
    def signature(self) -> str:
        if self.persona_id is not None:
            return self.persona.signature  # type: ignore[union-attr]
        return str(getattr(self.author, "display_name", "") or _("A participant"))

    @property
    def hidden_notice(self) -> str:
        return str(
            _("Hidden by moderator %(name)s: %(reason)s")
            % {"name": self.hidden_by_name, "reason": self.hidden_reason}
        )


class CommentFlag(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "flagged_by"], name="consultations_one_flag_each"
            )
        ]

    def __str__(self) -> str:
        return self.reason[:80]


class Stance(models.TextChoices):
    SUPPORT = "support", _("Support")
    OPPOSE = "oppose", _("Oppose")


class Support(models.Model):
    """One account's stance on one section (changing it replaces the earlier one)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stance = models.CharField(_("stance"), max_length=8, choices=Stance.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["section", "user"], name="consultations_one_support")
        ]

    def __str__(self) -> str:
        return f"{self.stance} #{self.section_id}"


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")


class Amendment(models.Model):
    """Replacement text proposed for a section of the version current at the time."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="amendments")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="amendments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("proposed text"), max_length=SECTION_MAX_LENGTH)
    reason = models.TextField(_("why"), blank=True, max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    response = models.TextField(_("response"), blank=True, max_length=RESPONSE_MAX_LENGTH)
    responded_by = models.ForeignKey(
        StaffMembership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Theme(models.Model):
    """Comments grouped by staff, answered together in the response."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(_("theme"), max_length=TITLE_MAX_LENGTH)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    response = models.TextField(_("response"), blank=True, max_length=RESPONSE_MAX_LENGTH)
    response_html = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(StaffMembership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["consultation", "created_at", "id"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    SCALE = "scale", _("A scale from 1 to 5")


SCALE_VALUES = (1, 2, 3, 4, 5)


class Question(models.Model):
    """A question with fixed answers, for structured feedback."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["consultation", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Answer(models.Model):
    """One account's answer to one question (answering again replaces it): a choice, a
    list of choices, or a number on the scale."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.JSONField(_("answer"))
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="consultations_one_answer")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


DOCUMENT_TITLE_MAX_LENGTH = 200


def document_path(instance: Document, filename: str) -> str:
    """Documents are stored under a random name; the name the uploader gave is kept apart."""
    return f"consultations/{timezone.now():%Y/%m}/{instance.storage_key}"


class Document(models.Model):
    """A document attached to a consultation (an impact assessment, a map, the current
    rules): checked by content like a conversation attachment, served only as a download
    with `nosniff` to whoever may see the consultation."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=DOCUMENT_TITLE_MAX_LENGTH)
    storage_key = models.CharField(max_length=64, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    is_withdrawn = models.BooleanField(_("withdrawn"), default=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["consultation", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class AppealOutcome(models.TextChoices):
    """The values of `conversations.AppealOutcome` (which `AppealBase.settle` sets), with
    the comment's labels."""

    PENDING = "pending", _("Waiting for a moderator")
    UPHELD = "upheld", _("The comment stays hidden")
    RESTORED = "restored", _("The comment was restored")


class CommentAppeal(AppealBase):
    """The author of a hidden comment asks the moderators to think again (once)."""

    comment = models.OneToOneField(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="appeal"
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=AppealOutcome.choices, default=AppealOutcome.PENDING
    )

    class Meta:
        verbose_name = _("comment appeal")
        verbose_name_plural = _("comment appeals")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["outcome", "created_at"], name="comment_appeal_outcome_idx")
        ]
