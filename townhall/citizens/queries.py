"""Read models of the joined-up view and My government.

`timeline(viewer, citizen)`: everything of one citizen a viewer may see, newest first —
service requests, conversations they started, their posts in public discussions and
consultation comments, commitments made to them, notes staff shared — in pages cut by a
keyset cursor on (time, kind, id). Each source is one query whatever the data size.

Who sees what (staff): every source starts from its app's own `visible_to(viewer)` (the
agency's own records in full, other agencies' public records), then narrows to the
citizen. When the citizen has switched joining up on (`JoinUpConsent`), active staff of
any agency also see the citizen's private requests, conversations and commitments held by
other agencies. The citizen sees all of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _

from townhall.activity.keyset import Cursor, Page, Source, merged_page
from townhall.agencies.models import Agency, StaffMembership
from townhall.commitments.models import Commitment
from townhall.conversations.models import Message, Thread
from townhall.identity.models import AssuranceMethod, AssuranceRecord
from townhall.service_requests.models import ServiceRequest

from .models import AccessLogEntry, AccessReason, JoinUpConsent, Screen, SharedNote

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
AGENCY_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}\Z")

# The channels a timeline can be filtered by, each the kind of record it lists.
CHANNELS: dict[str, str] = {
    "requests": "request",
    "conversations": "conversation",
    "discussions": "discussion",
    "comments": "comment",
    "commitments": "commitment",
    "notes": "note",
}


# --- who is looking --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a viewer may see of one citizen: read once, as plain values (two queries)."""

    is_self: bool
    is_superuser: bool
    staff_agency_ids: tuple[int, ...]
    consent: bool

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_agency_ids) or self.is_superuser

    @property
    def sees_everything(self) -> bool:
        """The citizen themself, a site administrator, or staff where the citizen joined
        their records up."""
        return self.is_self or self.is_superuser or (self.consent and self.is_staff)


def scope_of(viewer: Any, citizen: Any) -> Scope:
    if viewer is None or not viewer.is_authenticated:
        return Scope(False, False, (), False)
    agencies = tuple(
        StaffMembership.objects.active()
        .filter(user=viewer)
        .order_by("agency_id")
        .values_list("agency_id", flat=True)
    )
    is_self = viewer.pk == citizen.pk
    consent = False if is_self else JoinUpConsent.is_given_by(citizen)
    return Scope(is_self, bool(viewer.is_superuser), agencies, consent)


def may_see_contact_details(scope: Scope, citizen: Any) -> bool:
    """Whether the viewer sees the citizen's contact details (email address): the citizen
    themself, a site administrator, and active staff of an agency holding a record of the
    citizen — a request filed with it, a conversation with it (one of its staff or teams),
    a promise it made them. Other staff see the display name and assurance level only.
    At most three queries, whatever the data size."""
    if scope.is_self or scope.is_superuser:
        return True
    agencies = scope.staff_agency_ids
    if not agencies:
        return False
    return (
        ServiceRequest.objects.filter(requester=citizen, agency_id__in=agencies).exists()
        or Thread.objects.conversations().filter(citizen=citizen, agency_id__in=agencies).exists()
        or Commitment.objects.filter(made_to=citizen, agency_id__in=agencies).exists()
    )


def is_active_staff(user: Any) -> bool:
    """Has an active work persona somewhere (who may open the joined-up view)."""
    if user is None or not user.is_authenticated:
        return False
    return StaffMembership.objects.active().filter(user=user).exists()


# --- the keyset ---------------------------------------------------------------------------------


def page_size_from(value: Any, default: int = PAGE_SIZE) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(size, MAX_PAGE_SIZE))


# --- the timeline -------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    """One record of the citizen's, as a timeline shows it."""

    kind: str
    id: int
    at: datetime
    title: str
    agency: Agency | None = None
    reference: str = ""
    status: str = ""
    status_label: str = ""
    due_at: datetime | None = None
    is_public: bool = False
    text: str = ""
    by: str = ""
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def agency_name(self) -> str:
        return self.agency.name if self.agency is not None else ""

    @property
    def agency_slug(self) -> str:
        return self.agency.slug if self.agency is not None else ""


def _joined(visible: QuerySet[Any], everything: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
    """What the viewer may see (`visible`, from the app's `visible_to`), or, where the
    citizen joined up their records (or is looking at their own), all of them."""
    return everything if scope.sees_everything else visible


def _request_source(viewer: Any, citizen: Any, scope: Scope) -> Source:
    rows = _joined(
        ServiceRequest.objects.visible_to(viewer), ServiceRequest.objects.all(), scope
    ).filter(requester=citizen)
    rows = rows.select_related("service", "agency")

    def shape(sr: ServiceRequest) -> TimelineEntry:
        if scope.is_staff and (scope.is_superuser or sr.agency_id in scope.staff_agency_ids):
            url = reverse("inbox:request", kwargs={"reference": sr.reference})
        elif scope.is_self or sr.is_public:
            url = sr.get_absolute_url()
        else:
            url = ""
        return TimelineEntry(
            kind="request",
            id=sr.pk,
            at=sr.submitted_at,
            title=sr.service.name,
            agency=sr.agency,
            reference=sr.reference,
            status=sr.status,
            status_label=str(sr.get_status_display()),  # type: ignore[attr-defined]
            due_at=sr.expected_at if sr.is_open else None,
            is_public=sr.is_public,
            text=sr.description[:300],
            url=url,
        )

    return Source("request", rows, "submitted_at", shape)


def _conversation_source(viewer: Any, citizen: Any, scope: Scope) -> Source:
    rows = _joined(Thread.objects.visible_to(viewer), Thread.objects.conversations(), scope).filter(
        citizen=citizen
    )
    rows = rows.select_related("agency", "staff", "team")

    def shape(thread: Thread) -> TimelineEntry:
        linked = scope.is_self or scope.is_superuser or thread.agency_id in scope.staff_agency_ids
        with_whom = thread.staff.public_name if thread.staff_id else ""  # type: ignore[union-attr]
        if not with_whom and thread.team_id:
            with_whom = thread.team.name  # type: ignore[union-attr]
        return TimelineEntry(
            kind="conversation",
            id=thread.pk,
            at=thread.created_at,
            title=thread.title or str(thread),
            agency=thread.agency,
            by=with_whom,
            url=reverse("conversations:conversation-detail", kwargs={"pk": thread.pk})
            if linked
            else "",
            extra={"last_message_at": thread.last_message_at},
        )

    return Source("conversation", rows, "created_at", shape)


def _discussion_source(viewer: Any, citizen: Any, scope: Scope) -> Source:
    rows = Message.objects.public().filter(
        thread__in=Thread.objects.discussions_visible_to(viewer).values("pk"),
        author=citizen,
        persona__isnull=True,  # what they wrote as a citizen, never as a work persona
    )
    if not (scope.is_self or scope.is_superuser):
        rows = rows.filter(is_hidden=False)
    rows = rows.select_related("thread", "thread__agency")

    def shape(message: Message) -> TimelineEntry:
        return TimelineEntry(
            kind="discussion",
            id=message.pk,
            at=message.created_at,
            title=message.thread.title or str(message.thread),
            agency=message.thread.agency,
            is_public=True,
            text="" if message.is_hidden else message.body[:300],
            status="hidden" if message.is_hidden else "",
            status_label=_("Hidden by a moderator") if message.is_hidden else "",
            url=message.get_absolute_url(),
        )

    return Source("discussion", rows, "created_at", shape)


def _commitment_source(viewer: Any, citizen: Any, scope: Scope) -> Source:
    rows = _joined(Commitment.objects.visible_to(viewer), Commitment.objects.all(), scope).filter(
        made_to=citizen
    )
    # The reference of the request a promise is about, in the same query (a request's
    # primary key is found through the commitment's subject id; no query per row).
    request_type = ContentType.objects.get_for_model(ServiceRequest)
    reference = Subquery(
        ServiceRequest.objects.filter(pk=Cast(OuterRef("subject_id"), BigIntegerField()))
        .order_by()
        .values("reference")[:1]
    )
    rows = rows.select_related("agency", "made_by_persona").annotate(
        request_reference=Case(
            When(subject_type=request_type, then=reference),
            default=Value(""),
            output_field=CharField(),
        )
    )

    def shape(commitment: Commitment) -> TimelineEntry:
        persona = commitment.made_by_persona
        about = getattr(commitment, "request_reference", "") or ""
        url = ""
        if (
            about
            and scope.is_staff
            and (scope.is_superuser or commitment.agency_id in scope.staff_agency_ids)
        ):
            url = reverse("inbox:request", kwargs={"reference": about})
        elif about and (scope.is_self or commitment.is_public):
            url = reverse("requests:request-detail", kwargs={"reference": about})
        return TimelineEntry(
            reference=about,
            url=url,
            kind="commitment",
            id=commitment.pk,
            at=commitment.made_at,
            title=commitment.what,
            agency=commitment.agency,
            status=commitment.state,
            status_label=str(commitment.get_state_display()),  # type: ignore[attr-defined]
            due_at=commitment.due_at,
            is_public=commitment.is_public,
            text=commitment.closed_reason,
            by=persona.public_name if persona is not None else "",
            extra={"kind": commitment.kind},
        )

    return Source("commitment", rows, "made_at", shape)


def _note_source(viewer: Any, citizen: Any, scope: Scope) -> Source:
    rows = SharedNote.objects.visible_to(viewer).filter(citizen=citizen)
    rows = rows.select_related("agency", "persona")

    def shape(note: SharedNote) -> TimelineEntry:
        return TimelineEntry(
            kind="note",
            id=note.pk,
            at=note.created_at,
            title="",
            agency=note.agency,
            text=note.body,
            by=note.persona.public_name,
        )

    return Source("note", rows, "created_at", shape)


def _comment_source(viewer: Any, citizen: Any, scope: Scope) -> Source | None:
    """Consultation comments: the citizen's own (not written as a work persona), on the
    consultations the viewer may see. None while the consultations app has no comments."""
    try:
        from townhall.consultations.models import Comment
    except ImportError:  # pragma: no cover - the app is always installed
        return None
    rows = Comment.objects.visible_to(viewer).filter(author=citizen, persona__isnull=True)
    if not (scope.is_self or scope.is_superuser):
        rows = rows.filter(is_hidden=False)
    rows = rows.select_related("consultation", "consultation__agency")

    def shape(comment: Any) -> TimelineEntry:
        return TimelineEntry(
            kind="comment",
            id=comment.pk,
            at=comment.created_at,
            title=comment.consultation.title,
            agency=comment.consultation.agency,
            is_public=True,
            text="" if comment.is_hidden else comment.body[:300],
            status="hidden" if comment.is_hidden else "",
            status_label=_("Hidden by a moderator") if comment.is_hidden else "",
            url=comment.get_absolute_url(),
        )

    return Source("comment", rows, "created_at", shape)


# The sources of a timeline, by kind. Another kind of record joins the timeline by adding
# a function here that narrows its app's `visible_to(viewer)` to the citizen.
SOURCES: dict[str, Callable[[Any, Any, Scope], Source | None]] = {
    "request": _request_source,
    "conversation": _conversation_source,
    "discussion": _discussion_source,
    "comment": _comment_source,
    "commitment": _commitment_source,
    "note": _note_source,
}


def _agency_paths(kind: str) -> str:
    return {
        "discussion": "thread__agency",
        "comment": "consultation__agency",
    }.get(kind, "agency")


def timeline(
    viewer: Any,
    citizen: Any,
    *,
    channel: str = "",
    agency: str = "",
    cursor: str = "",
    size: int = PAGE_SIZE,
    scope: Scope | None = None,
) -> Page:
    """One page of `citizen`'s timeline as `viewer` may see it, newest first.

    `channel`: one of CHANNELS ("" for all). `agency`: an agency's slug ("" for all).
    `cursor`: from the previous page's `next_cursor`. Raises ValidationError (on
    "channel", "agency" or "cursor") for a bad filter. Two queries for the scope (unless
    given) and one per kind of record shown, whatever the number of records.
    """
    channel = (channel or "").strip()
    agency = (agency or "").strip()
    if channel and channel not in CHANNELS:
        raise ValidationError(
            {"channel": _("Choose one of the channels: %s.") % ", ".join(CHANNELS)}
        )
    if agency and not AGENCY_SLUG.match(agency):
        raise ValidationError(
            {"agency": _("Give an agency by its short name, such as public-works.")}
        )
    position = Cursor.decode(cursor)
    scope = scope or scope_of(viewer, citizen)
    kinds = [CHANNELS[channel]] if channel else list(SOURCES)
    sources = []
    for kind in kinds:
        source = SOURCES[kind](viewer, citizen, scope)
        if source is None:
            continue
        if agency:
            source.rows = source.rows.filter(**{f"{_agency_paths(kind)}__slug": agency})
        sources.append(source)
    return merged_page(sources, position, max(1, min(size, MAX_PAGE_SIZE)))


def agencies_in_filter() -> QuerySet[Agency]:
    """The agencies a timeline can be filtered by (one query)."""
    return Agency.objects.order_by("name").only("pk", "name", "slug")


# --- the access log, as the citizen reads it ------------------------------------------------------


@dataclass
class AccessEntry:
    """One look at a citizen's record: "Sam Rivera, Public Works, viewed your record on
    3 March — reason: answering your request SPR-2026-000123"."""

    kind: str  # "access" or "verification"
    id: int
    at: datetime
    staff_name: str
    agency: str
    screen: str
    screen_label: str
    reason: str
    reason_label: str
    subject: str


def access_log(user: Any, *, cursor: str = "", size: int = PAGE_SIZE) -> Page:
    """The looks staff took at `user`'s own record, with the in-person identity checks
    staff made of them, newest first: staff by work name and agency, never by their
    personal name. Three queries whatever the length (the looks, the checks, the checkers'
    work personas)."""
    if user is None or not user.is_authenticated:
        return Page([])
    position = Cursor.decode(cursor)
    looks = (
        AccessLogEntry.objects.visible_to(user)
        .filter(citizen=user)
        .select_related("persona", "agency")
    )
    checks = AssuranceRecord.objects.visible_to(user).filter(
        user=user, method=AssuranceMethod.IN_PERSON, verified_by__isnull=False
    )
    size = max(1, min(size, MAX_PAGE_SIZE))
    page = merged_page(
        [
            Source("access", looks, "at", _shape_look),
            Source("verification", checks, "reached_at", lambda record: record),
        ],
        position,
        size,
    )
    records = [item for item in page.items if isinstance(item, AssuranceRecord)]
    personas: dict[int, StaffMembership] = {}
    if records:
        for persona in (
            StaffMembership.objects.filter(user_id__in={r.verified_by_id for r in records})
            .select_related("agency")
            .order_by("-is_active", "pk")
        ):
            personas.setdefault(persona.user_id, persona)
    page.items = [
        _shape_check(item, personas.get(item.verified_by_id or 0))
        if isinstance(item, AssuranceRecord)
        else item
        for item in page.items
    ]
    return page


def _shape_look(entry: AccessLogEntry) -> AccessEntry:
    return AccessEntry(
        kind="access",
        id=entry.pk,
        at=entry.at,
        staff_name=entry.staff_name,
        agency=entry.agency_name,
        screen=entry.screen,
        screen_label=str(entry.get_screen_display()),  # type: ignore[attr-defined]
        reason=entry.reason,
        reason_label=str(entry.get_reason_display()),  # type: ignore[attr-defined]
        subject=entry.subject,
    )


def _shape_check(record: AssuranceRecord, persona: StaffMembership | None) -> AccessEntry:
    return AccessEntry(
        kind="verification",
        id=record.pk,
        at=record.reached_at,
        staff_name=persona.public_name if persona is not None else _("A member of staff"),
        agency=persona.agency.name if persona is not None else "",
        screen="in_person_verification",
        screen_label=_("an identity check in person"),
        reason=AccessReason.VERIFYING_IDENTITY,
        reason_label=str(AccessReason.VERIFYING_IDENTITY.label),
        subject=str(record.get_document_type_display()) if record.document_type else "",  # type: ignore[attr-defined]
    )


def consent_of(citizen: Any) -> bool:
    return JoinUpConsent.is_given_by(citizen)


__all__ = [
    "CHANNELS",
    "AccessEntry",
    "Cursor",
    "Page",
    "Scope",
    "Screen",
    "TimelineEntry",
    "access_log",
    "consent_of",
    "is_active_staff",
    "may_see_contact_details",
    "scope_of",
    "timeline",
]
