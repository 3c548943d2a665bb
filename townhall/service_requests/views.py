"""The citizen's pages: find a service, file a request in a few steps, follow it.

Every page reads through `queries` (which go through `visible_to`) and writes through one
action. A private request is a 404 for everyone who may not see it: its page, its
calendar file and its attachments alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from icalendar import Calendar, Event

from townhall.activity.models import Visibility
from townhall.agencies.models import Service, ServiceKind
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.commitments.views import in_words
from townhall.conversations.attachments import attachment_response, check_uploads
from townhall.conversations.models import Attachment
from townhall.identity.models import AssuranceLevel
from townhall.identity.sessions import forget_return_to, remember_return_to

from . import actions, queries, status_pages
from .forms import (
    ANSWER_PREFIX,
    IDEMPOTENCY_KEY_PATTERN,
    ReopenForm,
    ReplyForm,
    RequestDetailsForm,
    RequestLocationForm,
    RequestSendForm,
    ServiceSearchForm,
    new_idempotency_key,
)
from .models import FINAL_STATUSES, REOPEN_WITHIN_DAYS, ServiceRequest, Status, Support

MY_REQUESTS_PAGE_SIZE = 25
# Where the status page remembers, for one view, that the person has just filed.
JUST_FILED_SESSION_KEY = "requests_just_filed"


# --- finding a service ---------------------------------------------------------------------


def _term_rule(term: str) -> Q:
    variants = {term}
    if len(term) > 3 and term.lower().endswith("s"):
        variants.add(term[:-1])  # "potholes" finds "pothole"
    rule = Q()
    for word in variants:
        rule |= (
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(group__icontains=word)
            | Q(keywords__icontains=word)
            | Q(agency__name__icontains=word)
        )
    return rule


def request_new(request: HttpRequest) -> HttpResponse:
    """The service finder: every service we offer, grouped, with a search box."""
    form = ServiceSearchForm(request.GET or None)
    services = Service.objects.active().select_related("agency")
    terms = form.terms() if form.is_bound else []
    for term in terms:
        services = services.filter(_term_rule(term))
    groups: dict[str, list[Service]] = {}
    for service in services.order_by("group", "name", "pk"):
        groups.setdefault(service.group, []).append(service)
    # Named groups in alphabetical order, the services without one last.
    ordered = sorted(groups.items(), key=lambda item: (item[0] == "", item[0].casefold()))
    return render(
        request,
        "service_requests/request_new.html",
        {
            "form": form,
            "groups": ordered,
            "searched": bool(terms),
            "result_count": sum(len(items) for _group, items in ordered),
        },
    )


# --- filing --------------------------------------------------------------------------------

DETAILS, LOCATION, REVIEW = "details", "location", "review"
STEP_LABELS = {
    DETAILS: gettext_lazy("Your request"),
    LOCATION: gettext_lazy("Location"),
    REVIEW: gettext_lazy("Check and send"),
}
CONFIRMATION_LABEL = gettext_lazy("Confirmation")
# Where the errors of `file_request` belong.
LOCATION_ERROR_KEYS = frozenset({"location", "latitude", "longitude", "address"})
VISIBILITY_ERROR_KEYS = frozenset({"is_public", "public", "visibility"})
DETAILS_ERROR_KEYS = frozenset({"description", "answers", *VISIBILITY_ERROR_KEYS})
FILES_ERROR_KEYS = frozenset({"files", "attachments"})


def asks_for_location(service: Service) -> bool:
    """Problem reports and services happen somewhere; questions and FOI requests need no
    place unless the service says so."""
    return service.location_required or service.kind in (
        ServiceKind.PROBLEM_REPORT,
        ServiceKind.SERVICE,
    )


# What a person had typed when they were sent to reach a service's level, kept in their
# session per service and given back when they return to the form (decision 0016).
DRAFT_SESSION_KEY = "requests_draft_{code}"
DRAFT_MAX_CHARS = 50_000


def _keep_draft(request: HttpRequest, service: Service) -> bool:
    """Keep the filing form's fields (never files, never the security token)."""
    if request.method != "POST":
        return False
    draft = {
        name: request.POST.getlist(name)[:50]
        for name in list(request.POST)[:200]
        if name not in ("csrfmiddlewaretoken", "nav", "step", "attachments")
    }
    if sum(len(value) for values in draft.values() for value in values) > DRAFT_MAX_CHARS:
        return False
    request.session[DRAFT_SESSION_KEY.format(code=service.code)] = draft
    return True


def _take_draft(request: HttpRequest, service: Service, keep: bool = False) -> QueryDict | None:
    """The kept draft of this service's form, forgotten once given back (unless `keep`)."""
    key = DRAFT_SESSION_KEY.format(code=service.code)
    draft = request.session.get(key) if keep else request.session.pop(key, None)
    if not isinstance(draft, dict):
        return None
    data = QueryDict(mutable=True)
    for name, values in draft.items():
        if isinstance(name, str) and isinstance(values, list):
            data.setlist(name, [str(value) for value in values])
    return data


def _assurance_page(
    request: HttpRequest, service: Service, *, required: str, current: str
) -> HttpResponse:
    kept = _keep_draft(request, service)
    remember_return_to(request, reverse("requests:request-file", args=[service.code]))
    return render(
        request,
        "service_requests/request_assurance.html",
        {
            "service": service,
            "agency": service.agency,
            "required": AssuranceLevel(required),
            "current": AssuranceLevel(current),
            "draft_kept": kept,
        },
        status=403,
    )


@dataclass
class _Filing:
    """The three step forms of one filing, bound to what the page sent (or empty)."""

    request: HttpRequest
    service: Service
    steps: list[str]
    details: RequestDetailsForm
    location: RequestLocationForm | None
    send: RequestSendForm
    idempotency_key: str
    files_lost: bool = False
    draft: QueryDict | None = None
    # For someone below the service's level: the levels the notice above the form names.
    assurance_notice: dict[str, AssuranceLevel] | None = None

    @classmethod
    def start(
        cls, request: HttpRequest, service: Service, draft: QueryDict | None = None
    ) -> _Filing:
        steps = [DETAILS, *([LOCATION] if asks_for_location(service) else []), REVIEW]
        is_post = request.method == "POST"
        data = request.POST if is_post else draft
        send = RequestSendForm(data, request.FILES if is_post else None)
        key = request.POST.get("idempotency_key", "") if is_post else ""
        if not IDEMPOTENCY_KEY_PATTERN.match(key):
            key = new_idempotency_key()
        return cls(
            request=request,
            service=service,
            steps=steps,
            details=RequestDetailsForm(data, service=service),
            location=RequestLocationForm(data, service=service) if LOCATION in steps else None,
            send=send,
            idempotency_key=key,
            files_lost=is_post and bool(request.FILES.getlist("attachments")),
            draft=None if is_post else draft,
        )

    def form_of(self, step: str) -> RequestDetailsForm | RequestLocationForm | RequestSendForm:
        if step == DETAILS:
            return self.details
        if step == LOCATION and self.location is not None:
            return self.location
        return self.send

    def carried(self, step: str) -> list[tuple[str, str]]:
        """What the other steps said, as (name, value) pairs for hidden fields."""
        if not self.details.is_bound:
            return []
        data = self.draft if self.draft is not None else self.request.POST
        names: list[str] = []
        for other in self.steps:
            if other not in (step, REVIEW):
                names.extend(self.form_of(other).fields)
        return [(name, value) for name in names for value in data.getlist(name)]

    def fresh(self, step: str) -> Any:
        """The step's form showing what was typed, without judging it (going back)."""
        bound = self.form_of(step)
        initial = {}
        if bound.is_bound:
            for field in bound:
                if field.name != "attachments" and field.data not in (None, ""):
                    initial[field.name] = field.data
        if step == REVIEW:
            return RequestSendForm(initial=initial)
        form_class = RequestDetailsForm if step == DETAILS else RequestLocationForm
        return form_class(initial=initial, service=self.service)

    def render(self, step: str, *, form: Any = None, status: int = 200) -> HttpResponse:
        index = self.steps.index(step)
        labels = [*(STEP_LABELS[name] for name in self.steps), CONFIRMATION_LABEL]
        indicator = [
            {
                "label": label,
                "state": "complete" if i < index else ("current" if i == index else ""),
            }
            for i, label in enumerate(labels)
        ]
        context: dict[str, Any] = {
            "service": self.service,
            "agency": self.service.agency,
            "step": step,
            "step_number": index + 1,
            "step_total": len(labels),
            "step_label": STEP_LABELS[step],
            "indicator": indicator,
            "form": form if form is not None else self.fresh(step),
            "carried": self.carried(step),
            "idempotency_key": self.idempotency_key,
            "previous_step": self.steps[index - 1] if index > 0 else None,
            "files_lost": self.files_lost,
            "notes": self.details.notes,
            "assurance_notice": self.assurance_notice,
        }
        if step == REVIEW:
            context["change_fields"] = self.carried(REVIEW)
            context["answers"] = self.details.answers_for_review()
            context["details"] = self.details.cleaned_data
            context["location"] = self.location.cleaned_data if self.location else None
            context["is_public"] = self._is_public()
        return render(self.request, "service_requests/request_file.html", context, status=status)

    def _is_public(self) -> bool:
        chosen = self.details.is_public()
        return self.service.public_by_default if chosen is None else chosen

    def first_invalid(self, until: str) -> str | None:
        """The first step up to `until` (included) whose form refuses what it was given."""
        for step in self.steps[: self.steps.index(until) + 1]:
            if step != REVIEW and not self.form_of(step).is_valid():
                return step
        return None

    def place_action_errors(self, error: ValidationError) -> str:
        """Put the errors `file_request` raised on the fields they are about; returns the
        step to show (the earliest one with an error)."""
        if not hasattr(error, "error_dict"):
            self.send.add_error(None, error.messages)
            return REVIEW
        shown: list[str] = []
        question_codes = {question.code for question in self.details.questions}
        for key, messages_ in error.message_dict.items():
            key = key.removeprefix("answers.")
            if key in LOCATION_ERROR_KEYS and self.location is not None:
                self.location.add_action_errors(messages_)
                shown.append(LOCATION)
            elif key in question_codes:
                self.details.add_error(ANSWER_PREFIX + key, messages_)
                shown.append(DETAILS)
            elif key == "description":
                self.details.add_error("description", messages_)
                shown.append(DETAILS)
            elif key in VISIBILITY_ERROR_KEYS and "visibility" in self.details.fields:
                self.details.add_error("visibility", messages_)
                shown.append(DETAILS)
            elif key in FILES_ERROR_KEYS:
                self.send.add_error("attachments", messages_)
                shown.append(REVIEW)
            elif key in DETAILS_ERROR_KEYS or key in LOCATION_ERROR_KEYS:
                self.details.add_error(None, messages_)
                shown.append(DETAILS)
            else:
                self.send.add_error(None, messages_)
                shown.append(REVIEW)
        return min(shown, key=self.steps.index)


def _below_level_form(request: HttpRequest, service: Service, *, current: str) -> HttpResponse:
    """The form itself for someone below the service's level, with a notice above it of
    the level needed and how to reach it: they may fill it in, and sending it keeps what
    they typed (`_assurance_page`) until they come back. A draft kept earlier fills it in
    again, and stays kept. Answered 403: nothing can be filed yet."""
    remember_return_to(request, reverse("requests:request-file", args=[service.code]))
    filing = _Filing.start(request, service, draft=_take_draft(request, service, keep=True))
    filing.assurance_notice = {
        "required": AssuranceLevel(service.required_assurance),
        "current": AssuranceLevel(current),
    }
    return filing.render(DETAILS, status=403)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_file(request: HttpRequest, code: str) -> HttpResponse:
    """File a request: the request in your words → where → check and send."""
    service = get_object_or_404(
        Service.objects.active().select_related("agency").prefetch_related("attributes"),
        code=code,
    )
    user: Any = request.user
    if not user.has_assurance(service.required_assurance):
        if request.method == "POST":  # keeps what was typed, sends them to reach the level
            return _assurance_page(
                request, service, required=service.required_assurance, current=user.assurance_level
            )
        return _below_level_form(request, service, current=user.assurance_level)
    forget_return_to(request, reverse("requests:request-file", args=[service.code]))
    draft = _take_draft(request, service) if request.method != "POST" else None
    filing = _Filing.start(request, service, draft=draft)
    if request.method != "POST":
        if draft is not None:
            messages.info(request, _("Welcome back: here is what you had typed."))
        return filing.render(DETAILS)

    step = request.POST.get("step", "")
    if step not in filing.steps:
        step = DETAILS
    index = filing.steps.index(step)
    nav = request.POST.get("nav", "")
    if nav == "back":
        return filing.render(filing.steps[max(index - 1, 0)])
    if nav.startswith("change-") and nav.removeprefix("change-") in filing.steps[:index]:
        return filing.render(nav.removeprefix("change-"))
    if step != REVIEW:  # continue: check this step (and those before), show the next
        invalid = filing.first_invalid(step)
        if invalid is not None:
            return filing.render(invalid, form=filing.form_of(invalid))
        return filing.render(filing.steps[index + 1])

    # Send: every step must hold, then one action files it.
    invalid = filing.first_invalid(REVIEW)
    if invalid is not None:
        return filing.render(invalid, form=filing.form_of(invalid))
    if not filing.send.is_valid():
        return filing.render(REVIEW, form=filing.send)
    try:
        files = check_uploads(filing.send.cleaned_data["attachments"])
    except ValidationError as error:
        filing.send.add_error("attachments", error.messages)
        return filing.render(REVIEW, form=filing.send)
    location = filing.location.cleaned_data if filing.location else {}
    try:
        service_request = actions.file_request(
            by=user,
            service=service,
            description=filing.details.cleaned_data["description"],
            answers=filing.details.raw_answers(),
            latitude=location.get("latitude"),
            longitude=location.get("longitude"),
            address=location.get("address", ""),
            is_public=filing.details.is_public(),
            files=files,
            idempotency_key=filing.send.cleaned_data["idempotency_key"],
        )
    except actions.AssuranceTooLow as refused:
        return _assurance_page(request, service, required=refused.required, current=refused.current)
    except actions.IdempotencyConflict:
        # This form was sent before, with other content (the person went back and changed
        # it): a new token lets them file it as a new request if they mean to.
        sent = (
            queries.my_requests(user)
            .filter(idempotency_key=filing.send.cleaned_data["idempotency_key"])
            .values_list("reference", flat=True)
            .first()
        )
        filing.idempotency_key = new_idempotency_key()
        filing.send.add_error(
            None,
            _(
                "You already sent this form: it became request %(reference)s. What you "
                "changed since is kept here; send it again to file it as a new request."
            )
            % {"reference": sent or "—"},
        )
        return filing.render(REVIEW, form=filing.send)
    except PermissionDenied as refused:
        filing.send.add_error(None, str(refused) or _("You cannot file this request."))
        return filing.render(REVIEW, form=filing.send, status=403)
    except ValidationError as error:
        shown = filing.place_action_errors(error)
        return filing.render(shown, form=filing.form_of(shown))
    just_filed = list(request.session.get(JUST_FILED_SESSION_KEY, []))[-9:]
    request.session[JUST_FILED_SESSION_KEY] = [*just_filed, service_request.reference]
    return redirect(service_request)


# --- the status page -----------------------------------------------------------------------

COMMITMENT_LABELS = {
    CommitmentKind.ACKNOWLEDGE: gettext_lazy("Acknowledge the request"),
    CommitmentKind.RESPOND: gettext_lazy("Answer the request"),
    CommitmentKind.EXTENSION: gettext_lazy("Answer within the extended time"),
    CommitmentKind.CUSTOM: gettext_lazy("A promise"),
}
# USWDS tag colours with enough contrast for white text.
STATE_TAG_CLASSES: dict[str, str] = {
    CommitmentState.OPEN: "bg-primary",
    CommitmentState.KEPT: "bg-success-darker",
    CommitmentState.BROKEN: "bg-secondary-darker",
    CommitmentState.RENEGOTIATED: "",
    CommitmentState.CANCELLED: "",
}
STATUS_TAG_CLASSES: dict[str, str] = {
    Status.ANSWERED: "bg-success-darker",
    Status.CLOSED: "",
    Status.DECLINED: "bg-secondary-darker",
    Status.DUPLICATE: "",
    Status.WAITING_FOR_CITIZEN: "bg-accent-warm-darker",
}
PUBLIC_TIMELINE = frozenset({Visibility.PUBLIC, Visibility.PARTICIPANTS})


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone) if moment is not None else None


def _commitment_rows(
    commitments: list[Commitment], zone: ZoneInfo, now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for commitment in commitments:
        label = COMMITMENT_LABELS.get(commitment.kind, commitment.kind)  # type: ignore[call-overload]
        if commitment.kind == CommitmentKind.CUSTOM and commitment.description:
            label = f"“{commitment.description}”"
        due_at = commitment.due_at.astimezone(zone)
        rows.append(
            {
                "commitment": commitment,
                "label": label,
                "due_at": due_at,
                "due_in_words": in_words(due_at),
                "state_class": STATE_TAG_CLASSES.get(commitment.state, ""),
                "is_late": commitment.state == CommitmentState.OPEN and commitment.due_at < now,
                "kept_at": _local(commitment.kept_at, zone),
                "broken_at": _local(commitment.broken_at, zone),
                "done_at": _local(commitment.done_at, zone),
                "by": commitment.made_by_persona,
            }
        )
    return rows


def _profile_url(membership: Any, service_request: ServiceRequest) -> str:
    """The public profile of a staff member, or "" when they keep none."""
    if membership is None or not membership.is_active or not membership.is_public_profile:
        return ""
    if membership.agency_id == service_request.agency_id:
        slug = service_request.agency.slug
    else:
        slug = membership.agency.slug
    return reverse("agencies:staff-detail", kwargs={"slug": slug, "person": membership.slug})


def _can_reopen(service_request: ServiceRequest, now: datetime) -> bool:
    since = {
        Status.ANSWERED: service_request.answered_at,
        Status.CLOSED: service_request.closed_at,
    }.get(service_request.status)  # type: ignore[call-overload]
    return since is not None and now - since <= timedelta(days=REOPEN_WITHIN_DAYS)


def _status_page(
    request: HttpRequest,
    service_request: ServiceRequest,
    *,
    reply_form: ReplyForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _status_context(
        request, service_request, reply_form=reply_form, reopen_form=reopen_form
    )
    return render(request, "service_requests/request_detail.html", context, status=status)


def _status_context(
    request: HttpRequest,
    service_request: ServiceRequest,
    *,
    reply_form: ReplyForm | None = None,
    reopen_form: ReopenForm | None = None,
) -> dict[str, Any]:
    user: Any = request.user
    now = timezone.now()
    agency = service_request.agency
    zone = ZoneInfo(agency.time_zone)
    is_requester = user.is_authenticated and service_request.requester_id == user.pk
    is_final = service_request.status in FINAL_STATUSES
    is_staff = queries.is_agency_staff(user, agency)  # asked once for the whole page
    thread, files = queries.request_thread(service_request, user, is_staff=is_staff)
    messages_ = [message for message in thread if not message.is_internal]
    entries = []
    for message in messages_:
        persona = message.persona
        entries.append(
            {
                "message": message,
                "persona": persona,
                "profile_url": _profile_url(persona, service_request),
                "by_requester": persona is None
                and message.author_id == service_request.requester_id,
                "written_at": message.created_at.astimezone(zone),
                "attachments": [a for a in files.get(message.pk, ()) if not a.is_internal],
            }
        )
    commitments, log = queries.commitments_and_timeline(service_request, user, is_staff=is_staff)
    timeline = [
        {"entry": entry, "occurred_at": entry.occurred_at.astimezone(zone)}
        for entry in log
        if entry.visibility in PUBLIC_TIMELINE
    ]
    filed_files = [a for a in files.get(None, ()) if not a.is_internal]
    answers = []
    if service_request.answers:
        for question in service_request.service.attributes.all():
            if question.code not in service_request.answers:
                continue
            value = service_request.answers[question.code]
            names = {str(choice["key"]): choice["name"] for choice in question.values}
            shown = (
                ", ".join(names.get(str(v), str(v)) for v in value)
                if isinstance(value, list)
                else names.get(str(value), str(value))
            )
            answers.append((question.description, shown))
    supporting = False
    can_support = (
        service_request.is_public and user.is_authenticated and not is_requester and not is_final
    )
    if can_support:
        supporting = Support.objects.filter(request=service_request, user=user).exists()
    just_filed = False
    if is_requester:
        filed = list(request.session.get(JUST_FILED_SESSION_KEY, []))
        if service_request.reference in filed:
            just_filed = True
            filed.remove(service_request.reference)
            request.session[JUST_FILED_SESSION_KEY] = filed
    expected_at = _local(service_request.expected_at, zone)
    duplicate_of = None
    if service_request.duplicate_of_id is not None:
        duplicate_of = (
            ServiceRequest.objects.visible_to(user)
            .filter(pk=service_request.duplicate_of_id)
            .only("pk", "reference")
            .first()
        )
    context = {
        "service_request": service_request,
        "service": service_request.service,
        "agency": agency,
        "status_class": STATUS_TAG_CLASSES.get(service_request.status, "bg-primary"),  # type: ignore[call-overload]
        "holder": service_request.assignee,
        "holder_url": _profile_url(service_request.assignee, service_request),
        "commitments": _commitment_rows(commitments, zone, now),
        "entries": entries,
        "timeline": timeline,
        "filed_files": filed_files,
        "answers": answers,
        "submitted_at": service_request.submitted_at.astimezone(zone),
        "expected_at": expected_at,
        "expected_in_words": in_words(expected_at) if expected_at else "",
        "is_requester": is_requester,
        "is_final": is_final,
        "just_filed": just_filed,
        "can_support": can_support,
        "supporting": supporting,
        "can_reply": is_requester and not is_final,
        "can_reopen": is_requester and _can_reopen(service_request, now),
        "reopen_days": REOPEN_WITHIN_DAYS,
        "duplicate_of": duplicate_of,
        "reply_form": reply_form or ReplyForm(),
        "reopen_form": reopen_form or ReopenForm(),
        "is_agency_staff": is_staff,
        "page_url": request.build_absolute_uri(service_request.get_absolute_url()),
    }
    return context


def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    if (
        request.user.is_authenticated
        or not status_pages.is_enabled()
        or request.GET
        or len(messages.get_messages(request))
    ):
        return _status_page(request, queries.get_visible_request(reference, request.user))
    # Anonymous visitors: the page is the same for all of them, kept rendered
    # (status_pages.py says what makes a kept page stale), their CSRF token put in.
    own_row = queries.get_visible_request(reference, request.user, joined=False)
    lookup = status_pages.look_up(
        own_row, request.build_absolute_uri(own_row.get_absolute_url()), request.path
    )
    kept = status_pages.kept_response(lookup, request)
    if kept is not None:
        return kept
    service_request = queries.get_visible_request(reference, request.user)
    mark = status_pages.csrf_mark()
    context = _status_context(request, service_request)
    context["csrf_token"] = mark
    page = render_to_string("service_requests/request_detail.html", context, request=request)
    status_pages.keep(lookup, mark, page)
    return status_pages.serve(page, mark, request)


def request_ics(request: HttpRequest, reference: str) -> HttpResponse:
    """The expected answer date as an iCalendar file, for the person's own calendar."""
    service_request = queries.get_visible_request(reference, request.user)
    if service_request.expected_at is None:
        raise Http404(_("This request has no expected answer date."))
    zone = ZoneInfo(service_request.agency.time_zone)
    page_url = request.build_absolute_uri(service_request.get_absolute_url())
    calendar = Calendar()
    calendar.add("prodid", "-//Townhall//Service requests//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{service_request.reference}@{request.get_host().split(':')[0]}")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", service_request.expected_at.astimezone(zone))
    event.add(
        "summary",
        _("Answer due: %(service)s (%(reference)s)")
        % {"service": service_request.service.name, "reference": service_request.reference},
    )
    event.add(
        "description",
        _(
            "%(agency)s expects to answer your request %(reference)s by this time. Follow it at %(url)s"
        )
        % {
            "agency": service_request.agency.name,
            "reference": service_request.reference,
            "url": page_url,
        },
    )
    event.add("url", page_url)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{service_request.reference}.ics"'
    response["Cache-Control"] = "private"
    return response


def attachment_download(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """A file of the request, as a download, for those who may see the request. Files of
    internal notes are the agency staff's only."""
    service_request = queries.get_visible_request(reference, request.user)
    attachments = Attachment.objects.filter(thread_id=service_request.thread_id)
    user: Any = request.user
    if not (user.is_superuser or queries.is_agency_staff(user, service_request.agency)):
        attachments = attachments.filter(is_internal=False).exclude(message__is_internal=True)
    return attachment_response(get_object_or_404(attachments, pk=pk))


def _back_to(service_request: ServiceRequest, anchor: str = "") -> HttpResponse:
    return redirect(service_request.get_absolute_url() + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def request_support(request: HttpRequest, reference: str) -> HttpResponse:
    """ "Me too" on someone else's public request, or taking it back."""
    service_request = queries.get_visible_request(reference, request.user)
    try:
        if request.POST.get("support") == "withdraw":
            actions.withdraw_support(by=request.user, request=service_request)
            messages.success(request, _("You no longer support this request."))
        else:
            actions.support_request(by=request.user, request=service_request)
            messages.success(
                request, _("You support this request. You will see it among those you follow.")
            )
    except (PermissionDenied, ValidationError) as refused:
        messages.error(request, _refusal(refused))
    return _back_to(service_request, "me-too")


def _refusal(refused: PermissionDenied | ValidationError) -> str:
    if isinstance(refused, ValidationError):
        return " ".join(refused.messages)
    return str(refused) or _("You cannot do that on this request.")


@login_required
@require_POST
def request_reply(request: HttpRequest, reference: str) -> HttpResponse:
    """The requester answers on their own request (a question the agency asked, say)."""
    service_request = queries.get_visible_request(reference, request.user)
    if service_request.requester_id != request.user.pk:
        raise PermissionDenied(_("Only the person who filed this request can reply to it."))
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            files = check_uploads(form.cleaned_data["attachments"])
            actions.reply_to_request(
                by=request.user,
                request=service_request,
                body=form.cleaned_data["body"],
                files=files,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, messages_ in error.message_dict.items():
                    field = "attachments" if key == "files" else key
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                form.add_error(
                    "attachments" if form.cleaned_data.get("attachments") else None,
                    error.messages,
                )
        except PermissionDenied as refused:
            form.add_error(None, _refusal(refused))
        else:
            messages.success(request, _("Your reply is sent."))
            return _back_to(service_request, "replies")
    if service_request.status in FINAL_STATUSES:  # no reply form to show the error in
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return _back_to(service_request)
    return _status_page(request, service_request, reply_form=form, status=400)


@login_required
@require_POST
def request_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    service_request = queries.get_visible_request(reference, request.user)
    if service_request.requester_id != request.user.pk:
        raise PermissionDenied(_("Only the person who filed this request can reopen it."))
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.reopen_request(
                by=request.user, request=service_request, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, messages_ in error.message_dict.items():
                    form.add_error(key if key in form.fields else None, messages_)
            else:
                form.add_error(None, error.messages)
        except PermissionDenied as refused:
            form.add_error(None, _refusal(refused))
        else:
            messages.success(request, _("Your request is open again."))
            return _back_to(service_request)
    return _status_page(request, service_request, reopen_form=form, status=400)


# --- my requests ---------------------------------------------------------------------------


@login_required
def request_mine(request: HttpRequest) -> HttpResponse:
    requests_ = queries.my_requests(request.user).order_by("-submitted_at", "-id")
    page = Paginator(requests_, MY_REQUESTS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for service_request in page:
        zone = ZoneInfo(service_request.agency.time_zone)
        rows.append(
            {
                "request": service_request,
                "submitted_at": service_request.submitted_at.astimezone(zone),
                "expected_at": _local(service_request.expected_at, zone),
                "answered_at": _local(service_request.answered_at, zone),
                "closed_at": _local(service_request.closed_at, zone),
                "status_class": STATUS_TAG_CLASSES.get(service_request.status, "bg-primary"),  # type: ignore[call-overload]
            }
        )
    return render(
        request,
        "service_requests/request_mine.html",
        {"page": page, "rows": rows, "filter_query": ""},
    )
