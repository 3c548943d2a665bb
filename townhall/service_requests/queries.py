"""Read models for service requests: the status page, “My requests”, the staff inbox.

Each function reads through `visible_to(user)` and costs a fixed number of queries,
whatever the number of requests, messages or timeline entries.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import CharField, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.activity.models import Activity, Visibility
from townhall.agencies.models import Agency, Service, StaffMembership, Team
from townhall.commitments.models import Commitment, CommitmentState
from townhall.conversations.models import Attachment, Message

from .models import OPEN_STATUSES, ServiceRequest, ServiceRequestQuerySet, Status

__all__ = [
    "QUEUES",
    "SORTS",
    "get_visible_request",
    "inbox_queue",
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


def get_visible_request(reference: str, user: Any) -> ServiceRequest:
    """The request with this reference if `user` may see it; Http404 otherwise (a private
    request someone may not see does not exist for them). One query."""
    cleaned = (reference or "").strip().upper() if isinstance(reference, str) else ""
    if not REFERENCE.match(cleaned):
        raise Http404("No such request.")
    try:
        return (
            ServiceRequest.objects.visible_to(user)
            .select_related(
                "service",
                "agency",
                "assignee",
                "assignee__agency",
                "team",
                "requester",
                "duplicate_of",
            )
            .get(reference=cleaned)
        )
    except ServiceRequest.DoesNotExist:
        raise Http404("No such request.") from None


def _subject_filter(request: ServiceRequest) -> Q:
    return Q(subject_type=_request_type(), subject_id=str(request.pk))


def timeline(request: ServiceRequest, user: Any) -> list[Activity]:
    """The log entries `user` may read about the request or its commitments, oldest
    first, with the staff persona that acted. One query.

    Besides what `Activity.visible_to` allows, the staff of the agency now holding the
    request read its participants' and staff entries written while another agency held
    it (before a transfer)."""
    commitment_ids = (
        Commitment.objects.filter(_subject_filter(request))
        .annotate(id_text=Cast("pk", output_field=CharField()))
        .values("id_text")
    )
    about_request = Q(target_type=_request_type(), target_id=str(request.pk))
    about_commitments = Q(target_type=_commitment_type(), target_id__in=commitment_ids)
    about = Activity.objects.filter(about_request | about_commitments)
    entries = about.visible_to(user)
    if user is not None and user.is_authenticated and not user.is_superuser:
        holds_it = Exists(
            StaffMembership.objects.active().filter(user=user, agency_id=request.agency_id)
        )
        entries = entries | about.filter(
            holds_it, visibility__in=(Visibility.PARTICIPANTS, Visibility.STAFF)
        )
    return list(entries.select_related("persona", "persona__agency").order_by("occurred_at", "id"))


def request_commitments(request: ServiceRequest, user: Any) -> list[Commitment]:
    """The request's commitments `user` may see, by due time, each with the persona who
    made it and the commitment that replaced it. One query."""
    return list(
        Commitment.objects.filter(_subject_filter(request))
        .visible_to(user)
        .select_related("made_by_persona", "made_by_persona__agency", "replaced_by")
        .order_by("made_at", "due_at", "pk")
    )


def request_messages(request: ServiceRequest, user: Any) -> list[Message]:
    """The request's messages `user` may read, oldest first, with their author, persona
    and attachments. Internal notes (and internal attachments) only for the agency's staff
    and site administrators. Three queries. The caller has already checked that `user`
    may see the request (`get_visible_request`)."""
    messages = Message.objects.filter(thread_id=request.thread_id)
    attachments = Attachment.objects.order_by("uploaded_at", "id")
    if not is_agency_staff(user, request.agency_id):
        messages = messages.public()
        attachments = attachments.filter(is_internal=False)
    return list(
        messages.select_related("author", "persona", "persona__agency")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
        .order_by("created_at", "id")
    )


def request_attachments(request: ServiceRequest, user: Any) -> list[Attachment]:
    """Files of the request's thread `user` may download (internal ones: staff only)."""
    attachments = Attachment.objects.filter(thread_id=request.thread_id)
    if not is_agency_staff(user, request.agency_id):
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
) -> QuerySet[ServiceRequest]:
    """A staff inbox queue over the requests of the agencies `user` works for.

    `queue`: "mine" (held by the user), "team" (the user's teams), "unassigned", "at_risk"
    (open with a commitment due within one working day), "overdue" (open with a commitment
    past due and not done, or the expected answer time passed), "waiting" (waiting for the
    citizen), "all". The first three show open requests unless `status` says otherwise.
    Filters: `team`, `status`, `service` (object, id or code), `q` (a reference, or words
    in the description, address or service name). `sort`: one of SORTS.

    Raises ValidationError for an unknown queue, status or sort. The result is lazy; a page
    of it costs one query (plus two for "at_risk", whatever the data size).
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
    requests = ServiceRequest.objects.handled_by(user).select_related(
        "service", "agency", "assignee", "assignee__agency", "team", "requester"
    )
    if queue == "mine":
        requests = requests.filter(assignee__user=user)
    elif queue == "team":
        requests = requests.filter(
            team__in=Team.objects.filter(members__user=user, members__is_active=True).values("pk")
        )
    elif queue == "unassigned":
        requests = requests.filter(assignee__isnull=True)
    elif queue == "at_risk":
        requests = requests.filter(status__in=OPEN_STATUSES).filter(
            _with_commitment(Commitment.objects.at_risk(now))
        )
    elif queue == "overdue":
        late = Commitment.objects.filter(
            Q(state=CommitmentState.OPEN) | Q(state=CommitmentState.BROKEN, done_at__isnull=True),
            due_at__lt=now,
        )
        requests = requests.filter(status__in=OPEN_STATUSES).filter(
            _with_commitment(late) | Q(expected_at__lt=now)
        )
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
