"""The open datasets: what each one holds, its columns, and the rows it streams.

Each dataset's columns are defined once here and give the CSV header, the JSON keys and
the schema page. Rows are read as an anonymous visitor (`visible_to(None)`), as tuples
(`values_list`, no model instances) through `QuerySet.iterator(chunk_size=...)`, so a
download of a million rows starts at once and never holds them all in memory.

No personal data: requests carry no requester, contact, description, answers or address
(a citizen's own words can name people), and their coordinates are rounded to
`COORDINATE_DECIMALS` places (about 100 m). Private requests never appear. Commitments
carry no promise text and no holder. Consultation comments are public writing: they carry
the public name shown on the page (never an email address or account), and comments
hidden by a moderator are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from townhall.commitments.models import Commitment, CommitmentKind
from townhall.consultations.models import Amendment, Comment, Consultation, Stance, Support
from townhall.service_requests.models import OPEN_STATUSES, ServiceRequest

# Rows read from the database at a time while streaming.
CHUNK_SIZE = 2000
# Coordinates are published to 3 decimal places: about 110 m north-south.
COORDINATE_DECIMALS = 3


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, integer, number, boolean, datetime (ISO 8601, UTC)
    description: str | Promise


@dataclass(frozen=True)
class Dataset:
    identifier: str
    title: str | Promise
    description: str | Promise
    keywords: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: Callable[[], Iterator[tuple[Any, ...]]] = field(repr=False)
    count: Callable[[], int] = field(repr=False)
    spatial: bool = False

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _value(value: Any) -> Any:
    """A database value as JSON/CSV can carry it: datetimes as ISO 8601 UTC."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rounded(value: Decimal | None) -> float | None:
    if value is None:
        return None
    return round(float(value), COORDINATE_DECIMALS)


# --- Service requests ----------------------------------------------------------------------


def _public_requests() -> models.QuerySet[ServiceRequest]:
    return ServiceRequest.objects.visible_to(None)


def _request_rows() -> Iterator[tuple[Any, ...]]:
    request_type = ContentType.objects.get_for_model(ServiceRequest)
    respond = (
        Commitment.objects.filter(
            subject_type=request_type,
            subject_id=Cast(models.OuterRef("pk"), models.CharField()),
            kind__in=[CommitmentKind.RESPOND, CommitmentKind.EXTENSION],
        )
        .order_by("-made_at", "-pk")
        .values
    )
    rows = (
        _public_requests()
        .order_by("pk")
        .annotate(
            respond_due_at=models.Subquery(respond("due_at")[:1]),
            respond_state=models.Subquery(respond("state")[:1]),
        )
        .values_list(
            "reference",
            "service__code",
            "service__name",
            "agency__slug",
            "status",
            "submitted_at",
            "status_changed_at",
            "closed_at",
            "latitude",
            "longitude",
            "respond_due_at",
            "respond_state",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        (ref, code, name, agency, status, submitted, changed, closed, lat, lon, due, state) = row
        yield (
            ref,
            code,
            name,
            agency,
            status,
            "open" if status in OPEN_STATUSES else "closed",
            _value(submitted),
            _value(changed),
            _value(closed),
            _rounded(lat),
            _rounded(lon),
            _value(due),
            state or None,
        )


REQUESTS = Dataset(
    identifier="service-requests",
    title=_("Public service requests"),
    description=_(
        "Every public service request: which service, which agency holds it, its status, "
        "when it was filed, changed and closed, its place rounded to about 100 metres, and "
        "whether the promised answer came on time. No names, contact details, descriptions "
        "or addresses; private requests are left out."
    ),
    keywords=("service requests", "311", "open311", "city services"),
    columns=(
        Column("reference", "string", _("The request's reference, as quoted by people.")),
        Column("service_code", "string", _("The service's code (Open311 service_code).")),
        Column("service_name", "string", _("The service's name.")),
        Column("agency", "string", _("The short name of the agency holding the request.")),
        Column(
            "status",
            "string",
            _(
                "Townhall's status: submitted, acknowledged, in_progress, "
                "waiting_for_citizen, answered, closed, declined or duplicate."
            ),
        ),
        Column("open311_status", "string", _("The Open311 status: open or closed.")),
        Column("requested_at", "datetime", _("When it was filed (UTC).")),
        Column("updated_at", "datetime", _("When its status last changed (UTC).")),
        Column("closed_at", "datetime", _("When it was closed (UTC); empty while not closed.")),
        Column(
            "latitude",
            "number",
            _("Latitude rounded to 3 decimal places (about 100 m); empty without a place."),
        ),
        Column(
            "longitude",
            "number",
            _("Longitude rounded to 3 decimal places (about 100 m); empty without a place."),
        ),
        Column("respond_due_at", "datetime", _("When the answer is or was due (UTC).")),
        Column(
            "respond_state",
            "string",
            _("The answer promise: open, kept, broken, renegotiated or cancelled."),
        ),
    ),
    rows=_request_rows,
    count=lambda: _public_requests().count(),
    spatial=True,
)


# --- Commitments ---------------------------------------------------------------------------


def _public_commitments() -> models.QuerySet[Commitment]:
    return Commitment.objects.visible_to(None)


def _commitment_rows() -> Iterator[tuple[Any, ...]]:
    rows = (
        _public_commitments()
        .order_by("pk")
        .values_list(
            "pk", "agency__slug", "kind", "state", "made_at", "due_at", "kept_at", "broken_at"
        )
    )
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield tuple(_value(value) for value in row)


COMMITMENTS = Dataset(
    identifier="commitments",
    title=_("Public commitments and their outcomes"),
    description=_(
        "Every public promise an agency made (to acknowledge or answer a request, or a "
        "promise in a staff member's own words), when it was due, and how it ended: kept, "
        "broken, renegotiated or cancelled. Without the words of the promise or who holds it."
    ),
    keywords=("commitments", "service standards", "performance", "deadlines"),
    columns=(
        Column("id", "integer", _("The commitment's number.")),
        Column("agency", "string", _("The short name of the agency that made it.")),
        Column(
            "kind",
            "string",
            _("acknowledge, respond, extension (respond within an extension) or custom."),
        ),
        Column("state", "string", _("open, kept, broken, renegotiated or cancelled.")),
        Column("made_at", "datetime", _("When it was made (UTC).")),
        Column("due_at", "datetime", _("When it is or was due (UTC).")),
        Column("kept_at", "datetime", _("When it was kept (UTC); empty if not kept.")),
        Column(
            "broken_at",
            "datetime",
            _("When it broke (UTC): a broken promise stays counted as broken."),
        ),
    ),
    rows=_commitment_rows,
    count=lambda: _public_commitments().count(),
)


# --- Dashboard figures (the rollups of dashboard.py) ----------------------------------------


_DASHBOARD_FIGURES: dict[str, tuple[str, str | Promise]] = {
    "received": ("integer", _("Requests received in the month, private ones included.")),
    "acknowledged": ("integer", _("Of those, how many a person has replied to by now.")),
    "answered": ("integer", _("Of those, how many are answered by now.")),
    "closed": ("integer", _("Of those, how many are closed, declined or duplicates now.")),
    "open": ("integer", _("Of those, how many are still open now.")),
    "median_hours_to_acknowledge": (
        "number",
        _("Median hours from filing to the first reply (estimated from hour bands)."),
    ),
    "p90_hours_to_acknowledge": ("number", _("90th percentile of the same, in hours.")),
    "median_hours_to_respond": (
        "number",
        _("Median hours from filing to the answer (estimated from hour bands)."),
    ),
    "p90_hours_to_respond": ("number", _("90th percentile of the same, in hours.")),
    "acknowledged_on_time_share": (
        "number",
        _("Share (0 to 1) of the requests received that were acknowledged by the standard."),
    ),
    "answered_on_time_share": (
        "number",
        _("Share (0 to 1) of the answered requests answered by their deadline."),
    ),
    "commitments_made": ("integer", _("Promises made in the month (all kinds).")),
    "commitments_kept": ("integer", _("Of those, kept on time.")),
    "commitments_broken": ("integer", _("Of those, broken (a broken promise stays broken).")),
    "commitments_renegotiated": ("integer", _("Of those, moved to a new date with a reason.")),
    "commitments_cancelled": ("integer", _("Of those, withdrawn with their request.")),
    "commitments_open": ("integer", _("Of those, still open.")),
    "promises_kept_share": (
        "number",
        _("Kept ÷ (kept + broken + renegotiated), 0 to 1; empty when none has ended."),
    ),
    "foi_received": ("integer", _("Freedom-of-information requests received in the month.")),
    "foi_on_time": ("integer", _("Of those, answered by their (possibly extended) deadline.")),
    "foi_late": ("integer", _("Of those, whose deadline passed without an answer.")),
    "foi_extended": ("integer", _("Of those, whose deadline was extended.")),
    "foi_on_time_share": ("number", _("On time ÷ (on time + late), 0 to 1.")),
}


def _dashboard_rows() -> Iterator[tuple[Any, ...]]:
    from .dashboard import open_data_rows  # the dashboard reads the rollups

    return open_data_rows()  # type: ignore[no-any-return]


def _dashboard_count() -> int:
    from .dashboard import open_data_count

    return open_data_count()


DASHBOARD = Dataset(
    identifier="dashboard",
    title=_("Transparency dashboard figures by month"),
    description=_(
        "The figures of the transparency dashboard: for each month, agency, service and "
        "team, the requests received (private ones included, never one by one) and what "
        "has happened to them, times to acknowledge and to answer, promises kept, broken "
        "and renegotiated, and freedom-of-information deadlines met."
    ),
    keywords=("performance", "service standards", "transparency", "commitments"),
    columns=(
        Column("month", "string", _("The month the requests were received (YYYY-MM).")),
        Column("agency", "string", _("The short name of the agency.")),
        Column(
            "service_code",
            "string",
            _("The service's code; empty for promises not about a request."),
        ),
        Column("service_name", "string", _("The service's name.")),
        Column("team", "string", _("The short name of the team; empty when none holds them.")),
        *(
            Column(name, kind, description)
            for name, (kind, description) in _DASHBOARD_FIGURES.items()
        ),
    ),
    rows=_dashboard_rows,
    count=_dashboard_count,
)


# --- Consultations -------------------------------------------------------------------------


def _public_consultations() -> models.QuerySet[Consultation]:
    return Consultation.objects.visible_to(None)


def _consultation_rows() -> Iterator[tuple[Any, ...]]:
    def counted(queryset: models.QuerySet[Any], link: str) -> models.Subquery:
        return models.Subquery(
            queryset.filter(**{link: models.OuterRef("pk")})
            .order_by()
            .values(link)
            .annotate(n=models.Count("pk"))
            .values("n")[:1],
            output_field=models.IntegerField(),
        )

    by_section = "section__version__consultation"
    rows = (
        _public_consultations()
        .order_by("pk")
        .annotate(
            comment_total=counted(Comment.objects.shown(), "consultation"),
            support_total=counted(Support.objects.filter(stance=Stance.SUPPORT), by_section),
            oppose_total=counted(Support.objects.filter(stance=Stance.OPPOSE), by_section),
            amendment_total=counted(Amendment.objects.all(), "consultation"),
        )
        .values_list(
            "pk",
            "agency__slug",
            "title",
            "published_at",
            "opens_at",
            "closes_at",
            "response_published_at",
            "comment_total",
            "support_total",
            "oppose_total",
            "amendment_total",
        )
    )
    now = timezone.now()
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        (pk, agency, title, published, opens, closes, responded, *counts) = row
        status = "upcoming" if now < opens else "open" if now < closes else "closed"
        yield (
            pk,
            agency,
            title,
            status,
            _value(published),
            _value(opens),
            _value(closes),
            _value(responded),
            *(count or 0 for count in counts),
        )


CONSULTATIONS = Dataset(
    identifier="consultations",
    title=_("Consultations"),
    description=_(
        "Every published consultation (a policy draft open for comment): which agency holds "
        "it, when it opens and closes, when the response to what people said was published, "
        "and how many comments, supports, oppositions and amendments it received. Drafts "
        "not yet published are left out."
    ),
    keywords=("consultations", "public participation", "policy", "comments"),
    columns=(
        Column("id", "integer", _("The consultation's number (its page is /consultations/<id>/).")),
        Column("agency", "string", _("The short name of the agency holding it.")),
        Column("title", "string", _("The consultation's title.")),
        Column("status", "string", _("upcoming, open or closed, when the file was read.")),
        Column("published_at", "datetime", _("When the draft was published (UTC).")),
        Column("opens_at", "datetime", _("When it opens for comments (UTC).")),
        Column("closes_at", "datetime", _("When it closes (UTC).")),
        Column(
            "response_published_at",
            "datetime",
            _("When the agency published its response (UTC); empty until then."),
        ),
        Column("comments", "integer", _("Comments and replies, hidden ones left out.")),
        Column("supports", "integer", _("Supports of its sections (one per person and section).")),
        Column("oppositions", "integer", _("Oppositions to its sections.")),
        Column("amendments", "integer", _("Proposed amendments (other wording).")),
    ),
    rows=_consultation_rows,
    count=lambda: _public_consultations().count(),
)


def _public_consultation_comments() -> models.QuerySet[Comment]:
    return Comment.objects.visible_to(None).shown()


def _consultation_comment_rows() -> Iterator[tuple[Any, ...]]:
    rows = (
        _public_consultation_comments()
        .order_by("pk")
        .values_list(
            "pk",
            "consultation_id",
            "consultation__agency__slug",
            "version__number",
            "section__heading",
            "passage",
            "parent_id",
            "author__display_name",
            "persona__public_name",
            "persona__job_title",
            "persona__agency__name",
            "body",
            "created_at",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        (pk, consultation, agency, version, heading, passage, parent, name, *persona) = row
        staff_name, job_title, staff_agency, body, created = persona
        if staff_name is not None:  # written for the agency: the staff member's signature
            name = f"{staff_name}, {job_title}, {staff_agency}"
        yield (
            pk,
            consultation,
            agency,
            version,
            heading or "",
            passage,
            parent,
            str(name or _("A participant")),
            body,
            _value(created),
        )


CONSULTATION_COMMENTS = Dataset(
    identifier="consultation-comments",
    title=_("Consultation comments"),
    description=_(
        "Every public comment on a published consultation: on which section and passage, "
        "in reply to which comment, the public name it was written under, its words and "
        "when. Comments hidden by a moderator are left out; no email address or account."
    ),
    keywords=("consultations", "public participation", "comments", "policy"),
    columns=(
        Column("id", "integer", _("The comment's number.")),
        Column("consultation", "integer", _("The consultation's number.")),
        Column("agency", "string", _("The short name of the agency holding the consultation.")),
        Column("version", "integer", _("The version of the draft it was written on.")),
        Column("section", "string", _("The section's heading; empty for the whole draft.")),
        Column("passage", "string", _("The exact passage commented on; empty if none.")),
        Column("reply_to", "integer", _("The comment it replies to; empty if none.")),
        Column(
            "author",
            "string",
            _("The public display name; for staff, name, job title and agency."),
        ),
        Column("body", "string", _("The comment (Markdown).")),
        Column("created_at", "datetime", _("When it was written (UTC).")),
    ),
    rows=_consultation_comment_rows,
    count=lambda: _public_consultation_comments().count(),
)


DATASETS: dict[str, Dataset] = {
    dataset.identifier: dataset
    for dataset in (REQUESTS, COMMITMENTS, DASHBOARD, CONSULTATIONS, CONSULTATION_COMMENTS)
}
