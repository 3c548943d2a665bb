"""Read models for service requests: the status page, “My requests”, the staff inbox.

Each function reads through `visible_to(user)` and costs a fixed number of queries,
whatever the number of requests, messages or timeline entries.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.activity.models import Activity, Visibility
from townhall.agencies.models import Agency, Service, StaffMembership, Team
from townhall.commitments.models import Commitment, CommitmentState
from townhall.commitments.queries import at_risk_cutoffs
from townhall.conversations import moderation
from townhall.conversations.models import Attachment, Message

from .models import OPEN_STATUSES, ServiceRequest, ServiceRequestQuerySet, Status

__all__ = [
    "QUEUES",
    "SORTS",
    "InboxScope",
    "commitments_and_timeline",
    "get_visible_request",
    "inbox_counts",
    "inbox_queue",
    "inbox_scope",
    "is_agency_staff",
    "my_requests",
    "request_commitments",
    "request_messages",
    "staff_persona",
    "timeline",
]

# The staff inbox's queues, in the order the inbox lists them.
QUEUES = ("mine", "team", "unassigned", "at_risk", "overdue", "waiting", "all")
# Sort orders of the inbox: the soonest answer due first (default), newest, oldest filed,
# most recently changed.
SORTS = ("due", "newest", "oldest", "updated")
REFERENCE = re.compile(r"^SPR-\d{4}-\d{6,}$")
SEARCH_MAX_LENGTH = 200


def _request_type() -> ContentType:
    return ContentType.objects.get_for_model(ServiceRequest)


def _commitment_type() -> ContentType:
    return ContentType.objects.get_for_model(Commitment)


def is_agency_staff(user: Any, agency: Agency | int) -> bool:
    """Active staff of the agency, or a site administrator (one query at most)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    agency_id = agency if isinstance(agency, int) else agency.pk
    return StaffMembership.objects.active().filter(user=user, agency_id=agency_id).exists()


def staff_persona(user: Any, agency: Agency | int) -> StaffMembership | None:
    """The user's active work persona in the agency, if any (one query)."""
    if user is None or not user.is_authenticated:
        return None
    agency_id = agency if isinstance(agency, int) else agency.pk
    return (
        StaffMembership.objects.active()
        .filter(user=user, agency_id=agency_id)
        .select_related("agency")
        .first()
    )


def get_visible_request(reference: str, user: Any, *, joined: bool = True) -> ServiceRequest:
    """The request with this reference if `user` may see it; Http404 otherwise (a private
    request someone may not see does not exist for them). One query, which reads the rows
    the pages show with it (service, agency, holder, team, requester, original) unless
    `joined` is false: then the request's own row only."""
    cleaned = (reference or "").strip().upper() if isinstance(reference, str) else ""
    if not REFERENCE.match(cleaned):
        raise Http404("No such request.")
    rows = ServiceRequest.objects.visible_to(user)
    if joined:
        rows = rows.select_related(
            "service",
            "agency",
            "assignee",
            "assignee__agency",
            "team",
            "requester",
            "duplicate_of",
        )
    try:
        return rows.get(reference=cleaned)
    except ServiceRequest.DoesNotExist:
        raise Http404("No such request.") from None


def _subject_filter(request: ServiceRequest) -> Q:
    return Q(subject_type=_request_type(), subject_id=str(request.pk))


def _commitment_ids_and_staff(
    request: ServiceRequest, user: Any, is_staff: bool | None = None
) -> tuple[list[str], bool]:
    """The ids (as text, as the log stores targets) of the request's commitments, and
    whether `user` is active staff of the agency holding it (site administrators are not
    counted), in one small query: both are read through their indexes and joined with
    UNION ALL (a staff row has id 0). `is_staff`: `is_agency_staff`, when the caller
    knows it already."""
    ids = (
        Commitment.objects.filter(_subject_filter(request))
        .order_by()
        .values_list("pk", Value(False, output_field=BooleanField()))
    )
    if is_staff is not None:
        known = is_staff and not (user is not None and user.is_superuser)
        return [str(pk) for pk, _staff_row in ids], known
    if user is not None and user.is_authenticated and not user.is_superuser:
        staff = (
            StaffMembership.objects.active()
            .filter(user=user, agency_id=request.agency_id)
            .order_by()
            .values_list(
                Value(0, output_field=IntegerField()), Value(True, output_field=BooleanField())
            )
        )
        ids = ids.union(staff, all=True)
    commitment_ids, is_staff = [], False
    for pk, is_staff_row in ids:
        if is_staff_row:
            is_staff = True
        else:
            commitment_ids.append(str(pk))
    return commitment_ids, is_staff


def timeline(request: ServiceRequest, user: Any, *, is_staff: bool | None = None) -> list[Activity]:
    """The log entries `user` may read about the request or its commitments, oldest
    first, with the staff persona that acted. Two queries: the request's commitment ids
    (with whether `user` is staff of the holding agency, unless `is_staff` says it: the
    caller's `is_agency_staff`), then the entries.

    Besides what `Activity.visible_to` allows, the staff of the agency now holding the
    request read its participants' and staff entries written while another agency held
    it (before a transfer).

    The commitment ids are written into the second query as a list, so the entries are
    found through the target index alone (an `IN (subquery)` ORed with the request's own
    target made both databases scan the whole log)."""
    commitment_ids, is_staff = _commitment_ids_and_staff(request, user, is_staff)
    return _entries_about(request, user, commitment_ids, is_staff=is_staff)


def _entries_about(
    request: ServiceRequest, user: Any, commitment_ids: list[str], *, is_staff: bool
) -> list[Activity]:
    about = Q(target_type=_request_type(), target_id=str(request.pk))
    if commitment_ids:
        about |= Q(target_type=_commitment_type(), target_id__in=commitment_ids)
    entries = Activity.objects.filter(about)
    if is_staff:
        entries = entries.filter(
            Q(visibility__in=(Visibility.PUBLIC, Visibility.PARTICIPANTS, Visibility.STAFF))
            | Q(visibility=Visibility.INTERNAL, actor=user)
        )
    else:
        entries = entries.visible_to(user)  # everything for site administrators
    return list(entries.select_related("persona", "persona__agency").order_by("occurred_at", "id"))


def request_commitments(request: ServiceRequest, user: Any) -> list[Commitment]:
    """The request's commitments `user` may see, by due time, each with the persona who
    made it and the commitment that replaced it. One query."""
    return _commitments_in_order(
        Commitment.objects.filter(_subject_filter(request)).visible_to(user)
    )


def _commitments_in_order(commitments: QuerySet[Commitment]) -> list[Commitment]:
    return list(
        commitments.select_related(
            "made_by_persona", "made_by_persona__agency", "replaced_by"
        ).order_by("made_at", "due_at", "pk")
    )


def commitments_and_timeline(
    request: ServiceRequest, user: Any, *, is_staff: bool
) -> tuple[list[Commitment], list[Activity]]:
    """`request_commitments` and `timeline` together (`is_staff`: the caller's
    `is_agency_staff`). For a visitor not signed in, two queries instead of three: every
    commitment of the request is read once, whole; the log is searched by all their ids
    and the public ones are shown. Signed-in people may see commitments by rules that
    need their agencies (staff of the agency that made one before a transfer): theirs
    are read as `request_commitments` reads them."""
    if user is not None and user.is_authenticated:
        return request_commitments(request, user), timeline(request, user, is_staff=is_staff)
    every = _commitments_in_order(Commitment.objects.filter(_subject_filter(request)))
    shown = [c for c in every if c.is_visible_to(user, is_agency_staff=False)]
    return shown, _entries_about(request, user, [str(c.pk) for c in every], is_staff=False)


def request_messages(
    request: ServiceRequest, user: Any, *, is_staff: bool | None = None
) -> list[Message]:
    """The request's messages `user` may read, oldest first, with their author, persona
    and attachments, prepared for display by moderation (`prepare_messages`). Internal
    notes (and internal attachments) only for the agency's staff and site administrators.
    Three queries (more only when some message is hidden; one fewer when `is_staff`, the
    caller's `is_agency_staff`, is given). The caller has already checked that `user`
    may see the request (`get_visible_request`)."""
    if is_staff is None:
        is_staff = is_agency_staff(user, request.agency_id)
    attachments = Attachment.objects.order_by("uploaded_at", "id")
    if not is_staff:
        attachments = attachments.filter(is_internal=False)
    return _messages(
        request, user, is_staff=is_staff, attachments=Prefetch("attachments", queryset=attachments)
    )


def request_thread(
    request: ServiceRequest, user: Any, *, is_staff: bool
) -> tuple[list[Message], dict[int | None, list[Attachment]]]:
    """The request's messages `user` may read, as `request_messages` gives them but
    without their attachments, and every file of the thread `user` may download
    (`request_attachments`) by the id of its message (None: filed with the request).
    Two queries (more only when some message is hidden): the status page's replies and
    files, which `request_messages` and `request_attachments` read in three."""
    messages = _messages(request, user, is_staff=is_staff, attachments=None)
    files: dict[int | None, list[Attachment]] = {}
    for attachment in request_attachments(request, user, is_staff=is_staff):
        files.setdefault(attachment.message_id, []).append(attachment)
    return messages, files


def _messages(
    request: ServiceRequest, user: Any, *, is_staff: bool, attachments: Prefetch | None
) -> list[Message]:
    messages = Message.objects.filter(thread_id=request.thread_id)
    if not is_staff:
        messages = messages.public()
    messages = messages.select_related("author", "persona", "persona__agency")
    if attachments is not None:
        messages = messages.prefetch_related(attachments)
    found = list(messages.order_by("created_at", "id"))
    # What moderation shows: a hidden message's notice, its text only for its author and
    # the moderators, the "Report" link (no query unless a message is hidden).
    moderation.prepare_messages_of_agency(found, user=user, agency_id=request.agency_id)
    return found


def request_attachments(
    request: ServiceRequest, user: Any, *, is_staff: bool | None = None
) -> list[Attachment]:
    """Files of the request's thread `user` may download (internal ones: staff only;
    `is_staff`: the caller's `is_agency_staff`, when known)."""
    attachments = Attachment.objects.filter(thread_id=request.thread_id)
    if is_staff is None:
        is_staff = is_agency_staff(user, request.agency_id)
    if not is_staff:
        attachments = attachments.filter(is_internal=False).exclude(message__is_internal=True)
    return list(attachments.order_by("uploaded_at", "id"))


def my_requests(user: Any) -> QuerySet[ServiceRequest]:
    """The user's own requests, newest first (empty for anonymous visitors)."""
    if user is None or not user.is_authenticated:
        return ServiceRequest.objects.none()
    return (
        ServiceRequest.objects.filter(requester=user)
        .select_related("service", "agency", "assignee", "assignee__agency")
        .order_by("-submitted_at", "-id")
    )


def _with_commitment(commitments: QuerySet[Commitment]) -> Exists:
    return Exists(
        commitments.filter(
            subject_type=_request_type(),
            subject_id=Cast(OuterRef("pk"), output_field=CharField()),
        )
    )


def _pending_commitments() -> QuerySet[Commitment]:
    """Commitments a request still owes (open, or broken and not yet done), written the way
    the partial index `commitment_pending_idx` is defined so both databases can use it."""
    return Commitment.objects.filter(
        state__in=[CommitmentState.OPEN, CommitmentState.BROKEN], done_at__isnull=True
    )


@dataclass(frozen=True)
class InboxScope:
    """Whose requests an inbox shows, read once as plain ids: the agencies the user works
    for (None: every agency, for site administrators), the teams of those memberships and
    all the user's personas (what "mine" means). Written into the queries as lists, so
    the planner sees constants and picks the agency indexes."""

    agency_ids: tuple[int, ...] | None
    team_ids: tuple[int, ...]
    persona_ids: tuple[int, ...]

    @property
    def cache_key(self) -> str:
        agencies = "all" if self.agency_ids is None else ",".join(map(str, self.agency_ids))
        teams = ",".join(map(str, self.team_ids))
        personas = ",".join(map(str, self.persona_ids))
        return hashlib.sha256(f"{agencies}|{teams}|{personas}".encode()).hexdigest()[:32]


def inbox_scope(user: Any) -> InboxScope:
    """The user's `InboxScope` (one query; none for anonymous visitors)."""
    if user is None or not user.is_authenticated:
        return InboxScope((), (), ())
    agencies: set[int] = set()
    teams: set[int] = set()
    personas: set[int] = set()
    rows = (
        StaffMembership.objects.filter(user=user)
        .order_by()
        .values_list("pk", "agency_id", "is_active", "teams")
    )
    for persona_id, agency_id, is_active, team_id in rows:
        personas.add(persona_id)
        if is_active:
            agencies.add(agency_id)
            if team_id is not None:
                teams.add(team_id)
    return InboxScope(
        None if user.is_superuser else tuple(sorted(agencies)),
        tuple(sorted(teams)),
        tuple(sorted(personas)),
    )


def _handled(user: Any, scope: InboxScope) -> ServiceRequestQuerySet:
    """`ServiceRequest.objects.handled_by(user)`, with the agencies as a list of ids."""
    if user is None or not user.is_authenticated:
        return ServiceRequest.objects.none()
    if scope.agency_ids is None:
        return ServiceRequest.objects.all()
    return ServiceRequest.objects.filter(agency_id__in=list(scope.agency_ids))


def _at_risk(scope: InboxScope, now: datetime) -> Q | None:
    """Has an open commitment due within one working day (what
    `Commitment.objects.at_risk(now)` selects); None when nothing can be at risk. Two
    queries (the agencies' calendars).

    Written as `pk IN (the subjects of those commitments)`: they are few and found through
    the commitments' (agency, state, due) index, where an EXISTS per request walked the
    agency's whole queue in due order looking for them."""
    agencies: list[int] | QuerySet[Agency, int]
    if scope.agency_ids is None:
        agencies = Agency.objects.values_list("pk", flat=True)
    elif scope.agency_ids:
        agencies = list(scope.agency_ids)
    else:
        return None
    by_cutoff: dict[datetime, list[int]] = {}
    for agency_id, cutoff in at_risk_cutoffs(agencies, now).items():
        by_cutoff.setdefault(cutoff, []).append(agency_id)
    if not by_cutoff:
        return None
    rule = Q()
    for cutoff, ids in by_cutoff.items():
        rule |= Q(agency_id__in=ids, due_at__lte=cutoff)
    soon = (
        _pending_commitments()
        .filter(state=CommitmentState.OPEN, paused_at__isnull=True, due_at__gte=now)
        .filter(rule)
        .filter(subject_type=_request_type())
        .order_by()
        .values(request_id=Cast("subject_id", output_field=IntegerField()))
    )
    return Q(pk__in=soon)


def _overdue(now: datetime) -> Q:
    """Owes a commitment past due and not done, or its expected answer time passed."""
    return Q(_with_commitment(_pending_commitments().filter(due_at__lt=now))) | Q(
        expected_at__lt=now
    )


def _search(queryset: ServiceRequestQuerySet, q: str) -> ServiceRequestQuerySet:
    text = " ".join(q.replace("\x00", " ").split())[:SEARCH_MAX_LENGTH]
    if not text:
        return queryset
    if REFERENCE.match(text.upper()):
        return queryset.filter(reference=text.upper())
    rule = Q()
    for word in text.split()[:10]:
        rule &= (
            Q(description__icontains=word)
            | Q(address__icontains=word)
            | Q(reference__icontains=word)
            | Q(service__name__icontains=word)
        )
    return queryset.filter(rule)


def inbox_queue(
    user: Any,
    queue: str,
    *,
    team: Team | int | None = None,
    status: str | None = None,
    service: Service | int | str | None = None,
    q: str = "",
    sort: str = "due",
    now: datetime | None = None,
    scope: InboxScope | None = None,
) -> QuerySet[ServiceRequest]:
    """A staff inbox queue over the requests of the agencies `user` works for.

    `queue`: "mine" (held by the user), "team" (the user's teams), "unassigned", "at_risk"
    (open with a commitment due within one working day), "overdue" (open with a commitment
    past due and not done, or the expected answer time passed), "waiting" (waiting for the
    citizen), "all". The first three show open requests unless `status` says otherwise.
    Filters: `team`, `status`, `service` (object, id or code), `q` (a reference, or words
    in the description, address or service name). `sort`: one of SORTS.

    `scope`: the user's `inbox_scope`, when the caller has it already.

    Raises ValidationError for an unknown queue, status or sort. Reads the user's scope
    (one query, unless given) before returning the lazy result; a page of it costs one
    query (plus two for "at_risk", whatever the data size).
    """
    if queue not in QUEUES:
        raise ValidationError({"queue": _("Choose one of the queues: %s.") % ", ".join(QUEUES)})
    if sort not in SORTS:
        raise ValidationError({"sort": _("Sort by one of: %s.") % ", ".join(SORTS)})
    if status and status not in Status.values:
        raise ValidationError(
            {"status": _("Choose one of the statuses: %s.") % ", ".join(Status.values)}
        )
    now = now or timezone.now()
    scope = scope or inbox_scope(user)
    requests = _handled(user, scope).select_related(
        "service", "agency", "assignee", "assignee__agency", "team", "requester"
    )
    if queue == "mine":
        requests = requests.filter(assignee_id__in=list(scope.persona_ids))
    elif queue == "team":
        requests = requests.filter(team_id__in=list(scope.team_ids))
    elif queue == "unassigned":
        requests = requests.filter(assignee__isnull=True)
    elif queue == "at_risk":
        at_risk = _at_risk(scope, now)
        if at_risk is None:
            return requests.none()
        requests = requests.filter(status__in=OPEN_STATUSES).filter(at_risk)
    elif queue == "overdue":
        requests = requests.filter(status__in=OPEN_STATUSES).filter(_overdue(now))
    elif queue == "waiting":
        requests = requests.filter(status=Status.WAITING_FOR_CITIZEN)
    if status:
        requests = requests.filter(status=status)
    elif queue in ("mine", "team", "unassigned"):
        requests = requests.filter(status__in=OPEN_STATUSES)
    if team is not None and team != "":
        requests = requests.filter(team_id=team.pk if isinstance(team, Team) else team)
    if service is not None and service != "":
        if isinstance(service, Service):
            requests = requests.filter(service_id=service.pk)
        elif isinstance(service, int):
            requests = requests.filter(service_id=service)
        else:
            requests = requests.filter(service__code=str(service))
    if q:
        requests = _search(requests, q)
    ordering = {
        "due": (F("expected_at").asc(nulls_last=True), "submitted_at", "id"),
        "newest": ("-submitted_at", "-id"),
        "oldest": ("submitted_at", "id"),
        "updated": ("-status_changed_at", "-id"),
    }[sort]
    return requests.order_by(*ordering)


def inbox_counts(
    user: Any, *, now: datetime | None = None, scope: InboxScope | None = None
) -> dict[str, int]:
    """How many requests each queue of QUEUES holds (without filters), whatever the data
    size in four queries, plus one for the scope unless given: the agencies' calendars
    (two, for "at risk"), one pass over the open requests for every queue but "all"
    (each a conditional count), and "all" on its own (read from an index alone)."""
    now = now or timezone.now()
    scope = scope or inbox_scope(user)
    handled = _handled(user, scope).order_by()
    at_risk = _at_risk(scope, now)
    counted = {
        "mine": Q(assignee_id__in=list(scope.persona_ids)),
        "team": Q(team_id__in=list(scope.team_ids)),
        "unassigned": Q(assignee__isnull=True),
        "at_risk": at_risk,
        "overdue": _overdue(now),
        "waiting": Q(status=Status.WAITING_FOR_CITIZEN),
    }
    found = handled.filter(status__in=OPEN_STATUSES).aggregate(
        **{queue: Count("pk", filter=rule) for queue, rule in counted.items() if rule is not None}
    )
    found["all"] = handled.count()
    return {queue: found.get(queue) or 0 for queue in QUEUES}
