"""Pages: the joined-up view of a citizen for staff (/citizens/<id>/) and the citizen's
own My government page (/my-government/).

The joined-up view is for active staff only (anyone else gets a 404, visitors sign in
first). Every opening is logged (`actions.record_access`); the first of the day asks why.
Views never write models themselves: they validate a form and call one action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from townhall.activity.models import EmailFrequency, EmailPreference

from . import actions, queries
from .forms import ConsentForm, ReasonForm, SharedNoteForm, TimelineFilterForm
from .models import Screen

LOG_PAGE_SIZE = 20


def _subject(value: Any) -> str:
    return actions.clean_subject(value)


def _citizen(pk: int) -> Any:
    """The account whose record staff open. Staff read another person's account only
    here, through the joined-up view, and every read is logged."""
    return get_object_or_404(get_user_model()._default_manager.all(), pk=pk)


def _timeline_page(
    request: HttpRequest, viewer: Any, citizen: Any, scope: queries.Scope
) -> dict[str, Any]:
    """The filtered timeline of the page and its "older" link (filters kept)."""
    agencies = list(queries.agencies_in_filter())
    form = TimelineFilterForm(request.GET or None, agencies=agencies)
    channel = agency = ""
    if form.is_bound and form.is_valid():
        channel = form.cleaned_data.get("channel") or ""
        agency = form.cleaned_data.get("agency") or ""
    cursor_error = ""
    try:
        page = queries.timeline(
            viewer,
            citizen,
            channel=channel,
            agency=agency,
            cursor=request.GET.get("cursor", ""),
            scope=scope,
        )
    except ValidationError:
        cursor_error = _("That page link is not valid any more; here is the newest page.")
        page = queries.timeline(viewer, citizen, channel=channel, agency=agency, scope=scope)
    older = ""
    if page.has_next:
        params = QueryDict(mutable=True)
        for name in ("channel", "agency", "subject"):
            if request.GET.get(name):
                params[name] = request.GET[name][:100]
        params["cursor"] = page.next_cursor
        older = f"?{params.urlencode()}"
    return {
        "filter_form": form,
        "page": page,
        "older_url": older,
        "cursor_error": cursor_error,
        "is_first_page": not request.GET.get("cursor"),
    }


# --- the joined-up view (staff) -----------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def citizen_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_record(request, pk)


def _render_record(
    request: HttpRequest, pk: int, note_form: SharedNoteForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not queries.is_active_staff(user):
        raise Http404("No such page.")
    citizen = _citizen(pk)
    subject = _subject(request.GET.get("subject"))
    asked = "reason" in request.GET
    reason_form = ReasonForm(request.GET if asked else None, initial={"subject": subject})
    reason = ""
    if asked:
        if not reason_form.is_valid():
            return _ask_reason(request, citizen, reason_form)
        reason = reason_form.cleaned_data["reason"]
    try:
        entry = actions.record_access(
            by=user,
            citizen=citizen,
            screen=Screen.JOINED_UP_VIEW,
            reason=reason,
            subject=subject,
        )
    except actions.ReasonRequired:
        return _ask_reason(request, citizen, reason_form)
    scope = queries.scope_of(user, citizen)
    context = {
        "citizen": citizen,
        "entry": entry,
        "scope": scope,
        "shows_contact": queries.may_see_contact_details(scope, citizen),
        "subject": subject,
        "email_frequency": EmailFrequency(EmailPreference.frequency_of(citizen)).label,
        "note_form": note_form or SharedNoteForm(),
        **_timeline_page(request, user, citizen, scope),
    }
    return render(request, "citizens/citizen_record.html", context, status=status)


def _ask_reason(request: HttpRequest, citizen: Any, form: ReasonForm) -> HttpResponse:
    return render(
        request,
        "citizens/citizen_reason.html",
        {"citizen": citizen, "form": form},
        status=400 if form.is_bound else 200,
    )


@require_POST
def share_note(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(reverse("citizens:citizen-record", kwargs={"pk": pk}))
    if not queries.is_active_staff(user):
        raise Http404("No such page.")
    citizen = _citizen(pk)
    form = SharedNoteForm(request.POST)
    if form.is_valid():
        try:
            actions.add_shared_note(by=user, citizen=citizen, body=form.cleaned_data["body"])
        except ValidationError as error:
            for message in error.message_dict.get("body", error.messages):
                form.add_error("body", message)
        except PermissionDenied:
            raise Http404("No such page.") from None
        else:
            messages.success(request, _("Your note is shared with staff of every agency."))
            return redirect("citizens:citizen-record", pk=citizen.pk)
    request.GET = QueryDict()  # the page shown again is the first one, unfiltered
    return _render_record(request, pk, note_form=form, status=400)


# --- My government (the citizen) ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def my_government(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = queries.scope_of(user, user)
    log = queries.access_log(user, size=LOG_PAGE_SIZE)
    context = {
        "consent_form": ConsentForm(initial={"join_up": queries.consent_of(user)}),
        "consent": queries.consent_of(user),
        "log": log,
        **_timeline_page(request, user, user, scope),
    }
    return render(request, "citizens/my_government.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def my_access_log(request: HttpRequest) -> HttpResponse:
    cursor_error = ""
    try:
        log = queries.access_log(request.user, cursor=request.GET.get("cursor", ""))
    except ValidationError:
        cursor_error = _("That page link is not valid any more; here is the newest page.")
        log = queries.access_log(request.user)
    return render(
        request,
        "citizens/my_access_log.html",
        {"log": log, "cursor_error": cursor_error, "is_first_page": not request.GET.get("cursor")},
    )


@login_required
@require_POST
def consent(request: HttpRequest) -> HttpResponse:
    form = ConsentForm(request.POST)
    if form.is_valid():
        is_on = form.cleaned_data["join_up"]
        actions.set_join_up_consent(by=request.user, citizen=request.user, is_on=is_on)
        messages.success(
            request,
            _("Staff of every agency can now see your records together.")
            if is_on
            else _("Each agency now sees only its own records of yours and what is public."),
        )
    return redirect(f"{reverse('my_government:index')}#consent")
