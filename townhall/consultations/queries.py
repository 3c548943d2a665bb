"""Read models of consultations. Every read starts from `Consultation.objects.visible_to`
(published consultations are readable by everyone). Each function costs a fixed number of
queries, however many comments a consultation has."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404

from .models import (
    SCALE_VALUES,
    Amendment,
    Answer,
    Comment,
    Consultation,
    ConsultationQuerySet,
    ConsultationVersion,
    Question,
    QuestionKind,
    Section,
    Support,
    Theme,
)
from .passages import highlight_passages

COMMENTS_PER_PAGE = 25
# Passages highlighted in a section (the most commented ones), found among the latest
# comments on passages (a bounded read however many comments there are).
PASSAGES_SHOWN = 20
PASSAGES_SCANNED = 2000
# The summary page's figures are computed at most this often (seconds).
SUMMARY_CACHE_SECONDS = 300


def consultations_visible_to(user: Any) -> ConsultationQuerySet:
    return Consultation.objects.visible_to(user).select_related(  # type: ignore[no-any-return]
        "agency", "current_version"
    )


def get_visible_consultation(pk: Any, user: Any) -> Consultation:
    return get_object_or_404(consultations_visible_to(user), pk=pk)


def current_sections(consultation: Consultation) -> list[Section]:
    """The current version's sections (with their kept counts `comment_count`,
    `support_count`, `oppose_count`), each with `passages` (the most commented among the
    latest PASSAGES_SCANNED passage comments) and `marked_html` (the body with those
    passages highlighted). Two queries, whatever the number of comments."""
    sections = list(
        Section.objects.filter(version_id=consultation.current_version_id).order_by("order")
    )
    ids = {section.pk for section in sections}
    recent = (
        Comment.objects.filter(consultation=consultation, is_hidden=False)
        .exclude(passage="")
        .order_by("-created_at")
        .values_list("section_id", "passage")[:PASSAGES_SCANNED]
    )
    tally: Counter[tuple[int, str]] = Counter(
        (section_id, passage) for section_id, passage in recent if section_id in ids
    )
    passages: dict[int, list[tuple[str, int]]] = {}
    for (section_id, passage), n in tally.most_common():
        found = passages.setdefault(section_id, [])
        if len(found) < PASSAGES_SHOWN:
            found.append((passage, n))
    for section in sections:
        section.passages = passages.get(section.pk, [])  # type: ignore[attr-defined]
        section.marked_html = highlight_passages(  # type: ignore[attr-defined]
            section.body_html,
            [p for p, _n in section.passages],  # type: ignore[attr-defined]
        )
    return sections


def comments_shown(consultation: Consultation) -> QuerySet[Comment]:
    return Comment.objects.filter(consultation=consultation).select_related(
        "author", "persona__agency", "section"
    )


class KnownCountPaginator(Paginator):
    """A paginator told how many items there are (a kept count) instead of counting."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._known_count


def comment_page(
    consultation: Consultation, *, number: Any = 1, section_id: int | None = None
) -> Page[Comment]:
    """A page of top-level comments (oldest first), each with its replies: two queries
    (page, replies) whatever the total, three for one section's (its kept count). The
    counts are the kept ones (`top_comment_count`): no COUNT over every comment."""
    top = comments_shown(consultation).filter(parent__isnull=True)
    count = consultation.top_comment_count
    if section_id is not None:
        top = top.filter(section_id=section_id)
        count = (
            Section.objects.filter(pk=section_id, version__consultation=consultation)
            .values_list("top_comment_count", flat=True)
            .first()
        ) or 0
    # Replies by their parents only (the parents are this consultation's): filtering on
    # the consultation too lets SQLite walk all its comments in date order instead.
    replies = Comment.objects.select_related("author", "persona__agency", "section").order_by(
        "created_at", "pk"
    )
    top = top.prefetch_related(Prefetch("replies", queryset=replies, to_attr="thread_replies"))
    ordered = top.order_by("created_at", "pk")
    return KnownCountPaginator(  # type: ignore[return-value]
        ordered, COMMENTS_PER_PAGE, count=count
    ).get_page(number)


def versions_of(consultation: Consultation) -> list[ConsultationVersion]:
    return list(
        ConsultationVersion.objects.filter(consultation=consultation)
        .select_related("published_by")
        .annotate(section_count=Count("sections"))
        .order_by("-number")
    )


def sections_of(version: ConsultationVersion) -> list[tuple[str, str]]:
    return list(version.sections.order_by("order").values_list("heading", "body"))


def amendments_of(consultation: Consultation) -> list[Amendment]:
    return list(
        Amendment.objects.filter(consultation=consultation)
        .select_related("section__version", "author", "responded_by", "consultation")
        .order_by("created_at", "pk")
    )


def themes_of(consultation: Consultation) -> list[Theme]:
    return list(
        Theme.objects.filter(consultation=consultation)
        .annotate(comment_count=Count("comments"))
        .order_by("created_at", "pk")
    )


@dataclass
class Participation:
    """What became of one person's contributions."""

    comments: list[Comment] = field(default_factory=list)
    supports: list[Support] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)


def participation_of(consultation: Consultation, user: Any) -> Participation:
    if user is None or not user.is_authenticated:
        return Participation()
    return Participation(
        comments=list(
            comments_shown(consultation)
            .filter(author=user)
            .select_related("theme")
            .order_by("created_at")
        ),
        supports=list(
            Support.objects.filter(section__version__consultation=consultation, user=user)
            .select_related("section__version")
            .order_by("section__version__number", "section__order")
        ),
        amendments=list(
            Amendment.objects.filter(consultation=consultation, author=user)
            .select_related("section__version", "responded_by")
            .order_by("created_at")
        ),
    )


# --- summaries -------------------------------------------------------------------------------


def participation_by_day(consultation: Consultation) -> list[tuple[dt.date, int, int]]:
    """(day, comments, supports and oppositions) for each day with any, in order."""
    comments = dict(
        Comment.objects.filter(consultation=consultation)
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    supports = dict(
        Support.objects.filter(section__version__consultation=consultation)
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    days = sorted(set(comments) | set(supports))
    return [(day, comments.get(day, 0), supports.get(day, 0)) for day in days]


def most_discussed_passages(consultation: Consultation, limit: int = 10) -> list[dict[str, Any]]:
    """The passages with the most comments: passage, section heading, count."""
    found: Any = (
        Comment.objects.filter(consultation=consultation, is_hidden=False)
        .exclude(passage="")
        .order_by()
        .values("passage", "section__heading", "section_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "section_id")[:limit]
    )
    return list(found)


def export_rows(consultation: Consultation) -> dict[str, Any]:
    """Public content for the exports: visible comments, supports and amendments, with
    display names only (never an email address)."""
    comments = (
        Comment.objects.filter(consultation=consultation, is_hidden=False)
        .select_related("author", "persona__agency", "section", "version", "theme")
        .order_by("created_at", "pk")
    )
    supports = (
        Support.objects.filter(section__version__consultation=consultation)
        .select_related("user", "section__version")
        .order_by("created_at", "pk")
    )
    answers = (
        Answer.objects.filter(question__consultation=consultation)
        .select_related("user", "question")
        .order_by("answered_at", "pk")
    )
    return {
        "answers": [
            {
                "answered_at": a.answered_at.isoformat(),
                "author": str(a.user.display_name),
                "question": a.question.text,
                "answer": ", ".join(str(v) for v in a.value)
                if isinstance(a.value, list)
                else str(a.value),
            }
            for a in answers.iterator(chunk_size=2000)
        ],
        "comments": [
            {
                "id": c.pk,
                "created_at": c.created_at.isoformat(),
                "author": c.signature,
                "version": c.version.number,
                "section": c.section.heading if c.section else "",
                "passage": c.passage,
                "reply_to": c.parent_id,
                "body": c.body,
                "theme": c.theme.title if c.theme else "",
            }
            for c in comments.iterator(chunk_size=2000)
        ],
        "supports": [
            {
                "created_at": s.created_at.isoformat(),
                "author": str(s.user.display_name),
                "version": s.section.version.number,
                "section": s.section.heading,
                "stance": s.stance,
                "reason": s.reason,
            }
            for s in supports.iterator(chunk_size=2000)
        ],
        "amendments": [
            {
                "id": a.pk,
                "created_at": a.created_at.isoformat(),
                "author": str(a.author.display_name),
                "version": a.section.version.number,
                "section": a.section.heading,
                "text": a.text,
                "reason": a.reason,
                "outcome": a.outcome if consultation.has_response else "",
                "response": a.response if consultation.has_response else "",
            }
            for a in amendments_of(consultation)
        ],
    }


def questions_with_results(consultation: Consultation, user: Any) -> list[Question]:
    """The questions, each with `results` (choice or scale value, count), `total` and
    `mine` (the value `user` gave, if any). Three queries; the tally reads the answers'
    values only."""
    questions = list(Question.objects.filter(consultation=consultation).order_by("order", "pk"))
    if not questions:
        return questions
    tallies: dict[int, Counter[Any]] = {q.pk: Counter() for q in questions}
    totals: Counter[int] = Counter()
    for question_id, value in (
        Answer.objects.filter(question__consultation=consultation)
        .values_list("question_id", "value")
        .iterator(chunk_size=5000)
    ):
        totals[question_id] += 1
        for item in value if isinstance(value, list) else [value]:
            tallies[question_id][item] += 1
    mine: dict[int, Any] = {}
    if user is not None and user.is_authenticated:
        mine = dict(
            Answer.objects.filter(question__consultation=consultation, user=user).values_list(
                "question_id", "value"
            )
        )
    for question in questions:
        options: list[Any] = (
            list(SCALE_VALUES) if question.kind == QuestionKind.SCALE else list(question.choices)
        )
        question.results = [(option, tallies[question.pk][option]) for option in options]  # type: ignore[attr-defined]
        question.total = totals[question.pk]  # type: ignore[attr-defined]
        question.mine = mine.get(question.pk)  # type: ignore[attr-defined]
        question.mine_list = (  # type: ignore[attr-defined]
            question.mine if isinstance(question.mine, list) else [question.mine]  # type: ignore[attr-defined]
        )
    return questions
