"""The staff inbox: queues, the working view of one request, bulk actions, saved replies.

Every page is for active staff of an agency and for site administrators: anonymous
visitors are sent to sign in, other accounts get a 403 page. A request of an agency the
staff member does not work for answers 404, as a private request does. Views never write:
a POST validates a form, calls one action and redirects back with a message, or shows the
page again with the error summary. Each form carries a one-time token, so a
double-clicked button does the work once.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from townhall.agencies.models import StaffMembership, Team, memberships_of
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState
from townhall.conversations.attachments import attachment_response, check_uploads
from townhall.conversations.models import Attachment

from . import actions, queries
from .inbox_forms import (
    DEFAULT_QUEUE,
    MANAGING_ROLES,
    QUEUES,
    AnswerForm,
    AssignForm,
    BulkForm,
    ClarifyForm,
    CloseForm,
    DeclineForm,
    DuplicateForm,
    ExtendForm,
    KeepForm,
    NoteForm,
    OnceForm,
    QueueFilterForm,
    ReplyForm,
    SavedReplyForm,
    TakeForm,
    TransferForm,
    WorkingForm,
    agencies_handled_by,
    saved_reply_choices,
    teams_managed_by,
)
from .models import SavedReply, ServiceRequest, Status
from .signals import private_request_read

PAGE_SIZE = 50
# How long the queue counts in the inbox navigation are kept per account.
COUNTS_TTL_SECONDS = 30
# Counts older than COUNTS_TTL_SECONDS are still shown while one page counts again (at
# most this long: a page that dies counting lets the next one count).
COUNTING_LOCK_SECONDS = 10
COUNTS_KEPT_SECONDS = 10 * COUNTS_TTL_SECONDS
# How long a form's one-time token is remembered once used.
SUBMISSION_TTL_SECONDS = 60 * 60
# Where an action's error about one of its arguments is shown in the form.
FIELD_FOR_ERROR = {
    "promise_due_at": "promise_date",
    "due_at": "promise_date",
    "description": "promise",
    "files": "attachments",
    "file": "attachments",
}


# --- who may use the inbox -----------------------------------------------------------------


def is_inbox_user(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or memberships_of(user).exists()))


def is_manager_somewhere(user: Any) -> bool:
    return bool(user.is_superuser or memberships_of(user).filter(role__in=MANAGING_ROLES).exists())


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Anonymous visitors sign in first; accounts that are not staff get a 403 page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_inbox_user(request.user):
            return render(request, "service_requests/inbox_not_staff.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def handled_request(request: HttpRequest, reference: str) -> ServiceRequest:
    """A request the signed-in staff member works on, or 404 (also for other agencies')."""
    user = request.user
    if not queries.REFERENCE.match(reference):
        raise Http404("No such request.")
    return get_object_or_404(
        ServiceRequest.objects.visible_to(user)
        .handled_by(user)
        .select_related("service", "agency", "assignee", "team", "requester", "duplicate_of"),
        reference=reference,
    )


# --- double submissions --------------------------------------------------------------------


def _submission_key(request: HttpRequest, token: str) -> str:
    digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
    return f"inbox-submission:{request.user.pk}:{digest}"


def first_submission(request: HttpRequest, form: OnceForm) -> bool:
    """True the first time a form's token is seen (forms without a token always pass)."""
    token = str(form.data.get(form.add_prefix("submission"), ""))[:64]
    if not token:
        return True
    return bool(cache.add(_submission_key(request, token), True, SUBMISSION_TTL_SECONDS))


def forget_submission(request: HttpRequest, form: OnceForm) -> None:
    """The form failed: let the person send it again once they have corrected it."""
    token = str(form.data.get(form.add_prefix("submission"), ""))[:64]
    if token:
        cache.delete(_submission_key(request, token))


def add_action_errors(form: Any, error: ValidationError | PermissionDenied) -> None:
    """Show an action's refusal in the form: next to its field, or at the top."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for key, texts in error.message_dict.items():
            field = FIELD_FOR_ERROR.get(key, key)
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
        return
    if isinstance(error, ValidationError):
        for text in error.messages:
            form.add_error(None, text)
        return
    form.add_error(None, str(error) or _("You are not allowed to do this."))


# --- the queue -----------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "HEAD"])
def queue(request: HttpRequest) -> HttpResponse:
    return render_queue(request, request.GET)


def queue_counts(user: Any, scope: queries.InboxScope) -> tuple[dict[str, int], bool]:
    """The navigation's count of each queue, and whether they were counted just now.

    Counting costs four queries over the user's agencies (`queries.inbox_counts`), so the
    numbers are kept for COUNTS_TTL_SECONDS per account (and scope: a change of agencies,
    teams or personas counts again at once), and forgotten when the account acts on a
    request through the inbox; the page says the counts may be that old. When they are
    older, one page counts again while the others the account has open at that moment
    show the numbers kept (older by the time one count takes), instead of all counting
    at once (which, for a large agency, made each of them wait for all the others)."""
    key = _counts_key(user)
    cached = cache.get(key)
    if isinstance(cached, tuple) and len(cached) == 3 and cached[0] == scope.cache_key:
        _scope, numbers, counted_at = cached
        if time.time() - counted_at < COUNTS_TTL_SECONDS:
            return numbers, False
        if not cache.add(f"{key}:counting", True, COUNTING_LOCK_SECONDS):
            return numbers, False  # someone else is counting them now
    numbers = queries.inbox_counts(user, scope=scope)
    cache.set(key, (scope.cache_key, numbers, time.time()), COUNTS_KEPT_SECONDS)
    cache.delete(f"{key}:counting")
    return numbers, True


def _counts_key(user: Any) -> str:
    return f"inbox-counts:{user.pk}"


def forget_queue_counts(user: Any) -> None:
    """The user just changed requests: their next queue page counts again."""
    cache.delete(_counts_key(user))


@dataclass
class QueueCount:
    count: int
    num_pages: int


@dataclass
class QueuePage:
    """One page of an unfiltered queue, shaped like Django's `Page` for the templates.

    Read as PAGE_SIZE + 1 rows, the extra one saying whether a next page exists, so the
    queue is not counted at every view: the total shown is the navigation's count of the
    queue (kept up to COUNTS_TTL_SECONDS, as the page says), never less than the rows the
    pages show. Page numbers past the end show the last page, as `Paginator.get_page`."""

    number: int
    object_list: list[ServiceRequest]
    paginator: QueueCount
    _has_next: bool

    @classmethod
    def read(cls, rows: Any, wanted: Any, counted: int) -> QueuePage | None:
        """None when the count is too old to find the page (the caller counts then)."""
        try:
            number = max(int(wanted), 1)
        except (TypeError, ValueError):
            number = 1
        number = min(number, max(1, -(-counted // PAGE_SIZE)))
        offset = (number - 1) * PAGE_SIZE
        found = list(rows[offset : offset + PAGE_SIZE + 1])
        if not found and number > 1:
            return None
        has_next = len(found) > PAGE_SIZE
        shown = found[:PAGE_SIZE]
        total = max(counted, offset + len(shown) + int(has_next))
        pages = max(-(-total // PAGE_SIZE), number + int(has_next), 1)
        return cls(number, shown, QueueCount(total, pages), has_next)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


# The queue's table, row by row: written here rather than in the template, where a loop
# of 50 rows with a dozen tags each was half the page's time. Every value is escaped
# (`html.escape`, as the template would) before it goes in; labels once per page.
_ROW_CHECKBOX = (
    '<td data-label="{label}"><div class="usa-checkbox">'
    '<input class="usa-checkbox__input" type="checkbox" name="requests" value="{reference}" '
    'id="select-{reference}"{checked}><label class="usa-checkbox__label" '
    'for="select-{reference}"><span class="usa-sr-only">{select}</span></label></div></td>'
)
_ROW = (
    '<tr>{checkbox}<th scope="row" data-label="{request}"><a class="usa-link" href="{url}">'
    '{reference}</a><div>{what}</div><div class="townhall-meta text-normal">{description}</div>'
    '</th><td data-label="{status}">{status_name}</td><td data-label="{held}">{holder}</td>'
    '<td data-label="{submitted}"><time datetime="{submitted_iso}">{submitted_at}</time></td>'
    '<td data-label="{due}">{due_at}</td></tr>'
)
_DESCRIPTION_LENGTH = 140
QUEUE_COLUMNS = (
    "reference",
    "status",
    "description",
    "submitted_at",
    "expected_at",
    "service__name",
    "agency__time_zone",
    "team__name",
    "assignee__public_name",
)


def queue_table_rows(requests: Any, *, selectable: bool, checked: set[str]) -> SafeString:
    """The queue table's rows for these requests (service, agency, assignee and team
    read with them), their times in the holding agency's time zone; with a checkbox each
    when the reader may act in bulk (`checked`: the references ticked before)."""
    zones: dict[str, ZoneInfo] = {}
    now = timezone.now()
    # One reverse for the page, not one per row (a reverse costs more than the row's cells).
    link = reverse("inbox:request", kwargs={"reference": "SPR-0000-000000"})
    head, _sample, tail = link.rpartition("SPR-0000-000000")
    labels = {
        "request": escape(_("Request")),
        "status": escape(_("Status")),
        "held": escape(_("Held by")),
        "submitted": escape(_("Submitted")),
        "due": escape(_("Answer due")),
    }
    select_label = escape(_("Select"))
    select_each = _("Select %(reference)s")
    nobody = f'<span class="townhall-meta">{escape(_("Nobody yet"))}</span>'
    no_date = f'<span class="townhall-meta">{escape(_("None"))}</span>'
    overdue = f' <span class="usa-tag bg-secondary-dark">{escape(_("Overdue"))}</span>'
    statuses = {value: escape(str(label)) for value, label in Status.choices}
    # Due times repeat (the end of a working day): each is formatted once per zone.
    shown: dict[tuple[datetime, Any], str] = {}

    def when(moment: datetime) -> str:
        key = (moment, moment.tzinfo)
        if key not in shown:
            shown[key] = escape(formats.date_format(moment, "SHORT_DATETIME_FORMAT"))
        return shown[key]

    rows = []
    for row in requests:
        name = row.agency.time_zone
        zone = zones.get(name) or zones.setdefault(name, ZoneInfo(name))
        submitted = row.submitted_at.astimezone(zone)
        reference = escape(row.reference)
        checkbox = ""
        if selectable:
            checkbox = _ROW_CHECKBOX.format(
                label=select_label,
                reference=reference,
                checked=" checked" if row.reference in checked else "",
                select=escape(select_each % {"reference": row.reference}),
            )
        due = no_date
        if row.expected_at:
            expected = row.expected_at.astimezone(zone)
            late = row.is_open and row.expected_at < now
            due = (
                f'<time datetime="{expected.isoformat()}">'
                f"{when(expected)}</time>"
                f"{overdue if late else ''}"
            )
        what = f"{row.service.name} · {row.team.name}" if row.team else row.service.name
        description = row.description
        if len(description) > _DESCRIPTION_LENGTH:
            description = Truncator(description).chars(_DESCRIPTION_LENGTH)
        rows.append(
            _ROW.format(
                checkbox=checkbox,
                url=escape(f"{head}{quote(row.reference)}{tail}"),
                reference=reference,
                what=escape(what),
                description=escape(description),
                status_name=statuses.get(row.status) or escape(row.status),
                holder=escape(row.assignee.public_name) if row.assignee else nobody,
                submitted_iso=submitted.isoformat(),
                submitted_at=when(submitted),
                due_at=due,
                **labels,
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped


def render_queue(
    request: HttpRequest,
    params: QueryDict,
    bulk_form: BulkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    filters = QueueFilterForm(params, user=user)
    filters.is_valid()
    chosen = filters.choice("queue", DEFAULT_QUEUE)
    scope = queries.inbox_scope(user)
    rows = queries.inbox_queue(
        user,
        chosen,
        team=filters.choice("team"),
        status=filters.choice("status"),
        service=filters.choice("service"),
        q=filters.choice("q", ""),
        sort=filters.choice("sort", "due"),
        scope=scope,
    )
    # The columns the table shows, not whole rows of six tables (descriptions, requesters).
    rows = rows.select_related(None).select_related("service", "agency", "assignee", "team")
    rows = rows.only(*QUEUE_COLUMNS)
    has_filters = any(filters.choice(name) for name in ("status", "service", "team", "q"))
    numbers, _fresh = queue_counts(user, scope)
    page: Any = None
    if not has_filters:
        # The navigation counted this queue by the same rule: the page reuses that count
        # instead of counting a large queue again at every view.
        page = QueuePage.read(rows, params.get("page"), numbers[chosen])
    if page is None:
        page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    counts = [(name, label, numbers[name]) for name, label in QUEUES.items()]
    query = params.copy()
    query.pop("page", None)
    can_bulk = is_manager_somewhere(user)
    refused_bulk = bulk_form  # its errors are shown, even to someone who cannot act in bulk
    if can_bulk and bulk_form is None:
        bulk_form = BulkForm(
            user=user,
            requests=ServiceRequest.objects.none(),
            initial={"next": f"{reverse('inbox:queue')}?{params.urlencode()}"},
        )
    return render(
        request,
        "service_requests/inbox_queue.html",
        {
            "filters": filters,
            "queue": chosen,
            "queue_label": QUEUES[chosen],
            "counts": counts,
            "page": page,
            "filter_query": query.urlencode(),
            "now": timezone.now(),
            "table_rows": queue_table_rows(
                page.object_list,
                selectable=can_bulk,
                checked=set(bulk_form["requests"].value() or [])
                if can_bulk and bulk_form is not None and bulk_form.is_bound
                else set(),
            ),
            "bulk_form": bulk_form if can_bulk else None,
            "refused_bulk": refused_bulk,
            "has_filters": has_filters,
            "counts_max_age": COUNTS_TTL_SECONDS + COUNTING_LOCK_SECONDS,
        },
        status=status,
    )


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("inbox:queue")


@staff_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign or close the requests ticked in the queue (managers)."""
    user = request.user
    handled = ServiceRequest.objects.visible_to(user).handled_by(user)
    form = BulkForm(request.POST, user=user, requests=handled)
    back = _safe_next(request, request.POST.get("next", ""))
    if not first_submission(request, form):
        messages.info(request, _("That form was sent twice; it was done once."))
        return redirect(back)
    status = 200
    if form.is_valid():
        chosen = list(form.cleaned_data["requests"].order_by("reference"))
        try:
            if form.cleaned_data["action"] == BulkForm.ASSIGN:
                assignee = form.cleaned_data["assignee"]
                result = actions.bulk_assign(by=user, requests=chosen, assignee=assignee)
                text = _("%(done)s assigned to %(name)s") % {
                    "done": len(result.done),
                    "name": assignee.public_name,
                }
            else:
                result = actions.bulk_close(
                    by=user, requests=chosen, note=form.cleaned_data["note"]
                )
                text = _("%(done)s closed") % {"done": len(result.done)}
        except (ValidationError, PermissionDenied) as error:
            add_action_errors(form, error)
            status = 403 if isinstance(error, PermissionDenied) else 200
        else:
            forget_queue_counts(user)
            if result.refused:
                refusals = "; ".join(f"{reference}: {why}" for reference, why in result.refused)
                text = _("%(done)s, %(refused)s refused: %(refusals)s") % {
                    "done": text,
                    "refused": len(result.refused),
                    "refusals": refusals,
                }
                messages.warning(request, text)
            else:
                messages.success(request, f"{text}.")
            return redirect(back)
    forget_submission(request, form)
    params = QueryDict(back.partition("?")[2])
    return render_queue(request, params, bulk_form=form, status=status)


# --- the working view of one request -------------------------------------------------------

WORKING_FORMS: dict[str, type[WorkingForm]] = {
    "take": TakeForm,
    "assign": AssignForm,
    "transfer": TransferForm,
    "reply": ReplyForm,
    "note": NoteForm,
    "clarify": ClarifyForm,
    "answer": AnswerForm,
    "close": CloseForm,
    "decline": DeclineForm,
    "duplicate": DuplicateForm,
    "extend": ExtendForm,
    "keep": KeepForm,
}


@staff_required
@require_http_methods(["GET", "HEAD"])
def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    sr = handled_request(request, reference)
    if not sr.is_public:  # the requester's access log records who read it (citizens app)
        private_request_read.send(sender=ServiceRequest, user=request.user, service_request=sr)
    return render_working(request, sr)


def _answers(sr: ServiceRequest) -> list[tuple[str, str]]:
    """The citizen's answers to the service's questions, as (question, answer) in words."""
    questions = {a.code: a for a in sr.service.attributes.all()}
    shown = []
    for code, value in (sr.answers or {}).items():
        question = questions.get(code)
        names = {v.get("key"): v.get("name") for v in question.values} if question else {}
        values = value if isinstance(value, list) else [value]
        text = ", ".join(str(names.get(v, v)) for v in values)
        shown.append((question.description if question else code, text))
    return shown


def _reply_initial(request: HttpRequest, sr: ServiceRequest) -> tuple[dict[str, Any], Any]:
    """`?saved=<id>` fills the reply with a saved reply of the agency's teams."""
    saved = list(saved_reply_choices(sr.agency))
    chosen = request.GET.get("saved", "")
    picked = next((s for s in saved if str(s.pk) == chosen), None)
    return ({"body": picked.body} if picked else {}), (saved, picked)


def render_working(
    request: HttpRequest, sr: ServiceRequest, bound: WorkingForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    persona: StaffMembership | None = queries.staff_persona(user, sr.agency)
    can_manage = bool(user.is_superuser or (persona and persona.role in MANAGING_ROLES))
    reply_initial, (saved_replies, picked) = _reply_initial(request, sr)
    forms = {}
    for name, form_class in WORKING_FORMS.items():
        if bound is not None and bound.prefix == name:
            forms[name] = bound
        else:
            forms[name] = form_class(
                prefix=name,
                service_request=sr,
                user=user,
                initial=reply_initial if name == "reply" else None,
            )
    try:
        public_url = sr.get_absolute_url()
    except NoReverseMatch:  # the citizen pages are not there (yet)
        public_url = ""
    signature = persona.signature if persona else str(getattr(user, "display_name", "") or user)
    commitments = queries.request_commitments(sr, user)
    for commitment in commitments:
        # “Mark as kept” next to each promise typed in a reply that is still to be done.
        keepable = commitment.kind == CommitmentKind.CUSTOM and (
            commitment.state == CommitmentState.OPEN
            or (commitment.state == CommitmentState.BROKEN and commitment.done_at is None)
        )
        commitment.keep_form = (  # type: ignore[attr-defined]
            KeepForm(
                prefix="keep",
                service_request=sr,
                user=user,
                initial={"commitment": commitment.pk},
                auto_id=False,  # one form per promise: no repeated ids
            )
            if keepable
            else None
        )
    return render(
        request,
        "service_requests/inbox_request.html",
        {
            "sr": sr,
            "persona": persona,
            "holds_it": persona is not None and sr.assignee_id == persona.pk,
            "can_manage": can_manage,
            "can_extend": sr.is_open
            and sr.service.extension_working_days > 0
            and not sr.is_extended,
            "forms": forms,
            "bound": bound,
            "signature": signature,
            "public_url": public_url,
            "saved_replies": saved_replies,
            "picked_reply": picked,
            "answers": _answers(sr),
            "thread": queries.request_messages(sr, user),
            "commitments": commitments,
            "timeline": queries.timeline(sr, user),
            "now": timezone.now(),
        },
        status=status,
    )


def working_action(name: str) -> Callable[[Callable[..., str]], Callable[..., HttpResponseBase]]:
    """Turn `run(request, sr, cleaned_data) -> success message` into a POST endpoint."""
    form_class = WORKING_FORMS[name]

    def decorate(run: Callable[..., str]) -> Callable[..., HttpResponseBase]:
        @staff_required
        @require_POST
        @functools.wraps(run)
        def view(request: HttpRequest, reference: str) -> HttpResponse:
            sr = handled_request(request, reference)
            form = form_class(
                request.POST, request.FILES, prefix=name, service_request=sr, user=request.user
            )
            here = reverse("inbox:request", kwargs={"reference": sr.reference})
            if not first_submission(request, form):
                messages.info(request, _("That form was sent twice; it was done once."))
                return redirect(here)
            status = 200
            if form.is_valid():
                try:
                    text = run(request, sr, form.cleaned_data)
                except (ValidationError, PermissionDenied) as error:
                    add_action_errors(form, error)
                    status = 403 if isinstance(error, PermissionDenied) else 200
                else:
                    messages.success(request, text)
                    forget_queue_counts(request.user)
                    if (
                        not ServiceRequest.objects.handled_by(request.user)
                        .filter(pk=sr.pk)
                        .exists()
                    ):
                        return redirect("inbox:queue")  # moved to an agency they do not work for
                    return redirect(here)
            forget_submission(request, form)
            # The action may have changed the object before it refused: read it again.
            return render_working(request, handled_request(request, reference), form, status)

        return view

    return decorate


def _files(cleaned: dict[str, Any]) -> list[Any]:
    uploads = cleaned.get("attachments") or []
    try:
        return list(check_uploads(uploads)) if uploads else []
    except ValidationError as error:
        raise ValidationError({"attachments": error.messages}) from error


@working_action("take")
def take(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    actions.take_request(by=request.user, request=sr)
    return _("You hold %(reference)s.") % {"reference": sr.reference}


@working_action("assign")
def assign(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    done = actions.assign_request(
        by=request.user, request=sr, assignee=cleaned["assignee"], team=cleaned["team"]
    )
    holder = done.assignee.public_name if done.assignee else _("nobody")
    team = done.team.name if done.team else _("no team")
    return _("%(reference)s is held by %(holder)s (%(team)s).") % {
        "reference": sr.reference,
        "holder": holder,
        "team": team,
    }


@working_action("transfer")
def transfer(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    team, agency = cleaned["team"], cleaned["agency"]
    actions.transfer_request(
        by=request.user, request=sr, note=cleaned["note"], team=team, agency=agency
    )
    where = team.name if team is not None else agency.name
    return _("%(reference)s is transferred to %(where)s.") % {
        "reference": sr.reference,
        "where": where,
    }


@working_action("reply")
def reply(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    actions.reply_to_request(
        by=request.user,
        request=sr,
        body=cleaned["body"],
        files=_files(cleaned),
        promise=cleaned.get("promise") or None,
        promise_due_at=cleaned.get("promise_due_at"),
    )
    if cleaned.get("promise_due_at"):
        return _("Your reply is sent, and your promise is recorded.")
    return _("Your reply is sent.")


@working_action("note")
def note(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    actions.add_internal_note(by=request.user, request=sr, body=cleaned["body"])
    return _("Your internal note is saved. The citizen does not see it.")


@working_action("clarify")
def clarify(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    actions.request_clarification(by=request.user, request=sr, body=cleaned["body"])
    return _("Your question is sent. The clock is paused until the citizen answers.")


@working_action("answer")
def answer(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    actions.answer_request(by=request.user, request=sr, body=cleaned["body"], files=_files(cleaned))
    return _("Your answer is sent.")


@working_action("close")
def close(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    actions.close_request(by=request.user, request=sr, note=cleaned["note"])
    return _("%(reference)s is closed.") % {"reference": sr.reference}


@working_action("decline")
def decline(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    actions.decline_request(by=request.user, request=sr, reason=cleaned["reason"])
    return _("%(reference)s is declined.") % {"reference": sr.reference}


@working_action("duplicate")
def duplicate(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    original = cleaned["original"]
    actions.mark_duplicate(by=request.user, request=sr, original=original, note=cleaned["note"])
    return _("%(reference)s is marked as a duplicate of %(original)s.") % {
        "reference": sr.reference,
        "original": original.reference,
    }


@working_action("extend")
def extend(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    actions.extend_deadline(by=request.user, request=sr, reason=cleaned["reason"])
    return _("The deadline of %(reference)s is extended.") % {"reference": sr.reference}


@working_action("keep")
def keep(request: HttpRequest, sr: ServiceRequest, cleaned: dict[str, Any]) -> str:
    promise = Commitment.objects.visible_to(request.user).filter(pk=cleaned["commitment"]).first()
    if promise is None:
        raise ValidationError(
            _("That promise is not about %(reference)s.") % {"reference": sr.reference}
        )
    done = actions.keep_promise(by=request.user, request=sr, commitment=promise)
    if done.state == CommitmentState.KEPT:
        return _("The promise “%(promise)s” is kept.") % {"promise": done.description}
    return _("The promise “%(promise)s” is done, after its due time.") % {
        "promise": done.description
    }


@staff_required
@require_http_methods(["GET", "HEAD"])
def attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """A file of the request's thread (internal ones included: this is staff only)."""
    sr = handled_request(request, reference)
    return attachment_response(get_object_or_404(Attachment, pk=pk, thread_id=sr.thread_id))


# --- saved replies -------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def saved_replies(request: HttpRequest) -> HttpResponse:
    """A team's saved replies: everyone on staff reads them, managers add and remove."""
    user = request.user
    managed = teams_managed_by(user)
    form = SavedReplyForm(teams=managed)
    status = 200
    page_error = ""
    if request.method == "POST" and "delete" in request.POST:
        visible = SavedReply.objects.filter(team__agency__in=agencies_handled_by(user))
        target = visible.filter(pk=pk_from_form(request.POST.get("delete"))).first()
        if target is None:
            messages.info(request, _("That saved reply is already deleted."))
            return redirect("inbox:saved-replies")
        try:
            actions.delete_saved_reply(by=user, saved_reply=target)
        except PermissionDenied as error:
            page_error, status = str(error), 403
        else:
            messages.success(request, _("“%(title)s” is deleted.") % {"title": target.title})
            return redirect("inbox:saved-replies")
    elif request.method == "POST" and not managed.exists():
        page_error, status = (
            _("Only managers and administrators of an agency can change its saved replies."),
            403,
        )
    elif request.method == "POST":
        form = SavedReplyForm(request.POST, teams=managed)
        if not first_submission(request, form):
            messages.info(request, _("That form was sent twice; it was done once."))
            return redirect("inbox:saved-replies")
        if form.is_valid():
            try:
                saved = actions.create_saved_reply(
                    by=user,
                    team=form.cleaned_data["team"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_action_errors(form, error)
                status = 403 if isinstance(error, PermissionDenied) else 200
            else:
                messages.success(request, _("“%(title)s” is saved.") % {"title": saved.title})
                return redirect("inbox:saved-replies")
        forget_submission(request, form)
    teams = (
        Team.objects.filter(agency__in=agencies_handled_by(user))
        .select_related("agency")
        .prefetch_related("saved_replies")
        .order_by("agency__name", "name")
        .distinct()
    )
    managed_ids = set(managed.values_list("pk", flat=True))
    return render(
        request,
        "service_requests/inbox_saved_replies.html",
        {
            "form": form,
            "teams": [(team, team.pk in managed_ids) for team in teams],
            "can_manage": bool(managed_ids),
            "page_error": page_error,
        },
        status=status,
    )


def pk_from_form(value: Any) -> int:
    """A primary key from a form, or 0 (which matches nothing)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0
