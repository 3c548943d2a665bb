"""Moderation pages under /moderation/: report a message, the moderators' queue and their
actions (hide, restore, dismiss, lock, unlock, decide an appeal), the author's appeal, and
each agency's public moderation log.

Reads go through `moderation.flaggable_messages` (what the reader may read) or the
reader's moderated agencies: anything else is a 404. Every write is one action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from townhall.agencies.models import Agency

from . import moderation
from .models import Message, Thread
from .moderation_forms import (
    MESSAGE_WORDING,
    AppealForm,
    AppealWording,
    DecisionForm,
    FlagForm,
    ReasonForm,
)
from .moderation_models import Appeal, AppealBase, AppealOutcome
from .moderation_queries import moderation_queue, other_sections, public_log


def _add_errors(form: Form, error: ValidationError | PermissionDenied) -> None:
    """Show an action's refusal next to the field it is about (or above the form)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for key, field_messages in error.message_dict.items():
            form.add_error(key if key in form.fields else None, field_messages)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error) or _("You cannot do that here."))


def _shown(message: Message, user: Any) -> Message:
    moderation.prepare_messages([message], user=user, thread=message.thread)
    return message


# --- reporting and appealing ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def flag_new(request: HttpRequest, message_pk: int) -> HttpResponse:
    message = get_object_or_404(
        moderation.flaggable_messages(request.user).select_related(
            "thread__agency", "author", "persona__agency"
        ),
        pk=message_pk,
    )
    form = FlagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.flag_message(
                by=request.user,
                message=message,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Thank you. The moderators will look at this message."))
            return redirect(message.get_absolute_url())
    return render(
        request,
        "conversations/moderation/flag_new.html",
        {"form": form, "message": _shown(message, request.user), "thread": message.thread},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appeal_new(request: HttpRequest, message_pk: int) -> HttpResponse:
    """The author's page about their moderated message: why it was hidden, and the appeal
    (the form, once, or how it was decided)."""
    message = get_object_or_404(
        Message.objects.public()
        .filter(author_id=request.user.pk)
        .select_related("thread__agency", "author", "persona__agency"),
        pk=message_pk,
    )
    appeal = Appeal.objects.filter(message=message).first()
    form = AppealForm(request.POST if request.method == "POST" else None, wording=MESSAGE_WORDING)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.appeal_message(
                by=request.user, message=message, text=form.cleaned_data["text"]
            )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your appeal is sent. You will be told the decision."))
            return redirect("moderation:appeal-new", message_pk=message.pk)
    return render(
        request,
        "conversations/moderation/appeal_new.html",
        {
            "form": form,
            "message": _shown(message, request.user),
            "thread": message.thread,
            "appeal": appeal,
            "may_appeal": message.is_hidden and appeal is None,
        },
        status=400 if form.errors else 200,
    )


# --- the moderators' queue ----------------------------------------------------------------


def _require_moderator(request: HttpRequest) -> list[int] | None:
    if not moderation.is_moderator(request.user):
        raise PermissionDenied(_("Only moderators can see the moderation queue."))
    return moderation.moderated_agency_ids(request.user)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    agency_ids = _require_moderator(request)
    return render(
        request,
        "conversations/moderation/queue.html",
        {
            "queue": moderation_queue(request.user),
            "sections": other_sections(request.user, agency_ids),
        },
    )


def _moderated_message(request: HttpRequest, pk: int) -> Message:
    agency_ids = _require_moderator(request)
    found = Message.objects.public().filter(moderation.moderated_scope(agency_ids))
    return get_object_or_404(
        found.select_related("thread__agency", "author", "persona__agency"), pk=pk
    )


def _moderated_thread(request: HttpRequest, pk: int) -> Thread:
    agency_ids = _require_moderator(request)
    found = Thread.objects.filter(moderation.moderated_scope(agency_ids, "agency"))
    return get_object_or_404(found.select_related("agency"), pk=pk)


def _done(request: HttpRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("moderation:queue")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_hide(request: HttpRequest, message_pk: int) -> HttpResponse:
    return _message_action(request, message_pk, "hide")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_restore(request: HttpRequest, message_pk: int) -> HttpResponse:
    return _message_action(request, message_pk, "restore")


def _message_action(request: HttpRequest, message_pk: int, kind: str) -> HttpResponse:
    message = _moderated_message(request, message_pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if kind == "hide":
                moderation.hide_message(
                    by=request.user, message=message, reason=form.cleaned_data["reason"]
                )
            else:
                moderation.restore_message(
                    by=request.user, message=message, reason=form.cleaned_data["reason"]
                )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            return _done(
                request,
                _("The message is hidden.") if kind == "hide" else _("The message is restored."),
            )
    return render(
        request,
        "conversations/moderation/moderate_message.html",
        {
            "form": form,
            "kind": kind,
            "message": _shown(message, request.user),
            "thread": message.thread,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["POST"])
def message_dismiss(request: HttpRequest, message_pk: int) -> HttpResponse:
    message = _moderated_message(request, message_pk)
    try:
        moderation.dismiss_flags(by=request.user, message=message)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("moderation:queue")
    return _done(request, _("The reports are dismissed; the message stays."))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def thread_lock(request: HttpRequest, thread_pk: int) -> HttpResponse:
    return _thread_action(request, thread_pk, lock=True)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def thread_unlock(request: HttpRequest, thread_pk: int) -> HttpResponse:
    return _thread_action(request, thread_pk, lock=False)


def _thread_action(request: HttpRequest, thread_pk: int, *, lock: bool) -> HttpResponse:
    thread = _moderated_thread(request, thread_pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if lock:
                moderation.lock_thread(
                    by=request.user, thread=thread, reason=form.cleaned_data["reason"]
                )
            else:
                moderation.unlock_thread(
                    by=request.user, thread=thread, reason=form.cleaned_data["reason"]
                )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            return _done(
                request, _("The thread is locked.") if lock else _("The thread is open again.")
            )
    return render(
        request,
        "conversations/moderation/moderate_thread.html",
        {"form": form, "lock": lock, "thread": thread},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appeal_decide(request: HttpRequest, appeal_pk: int) -> HttpResponse:
    agency_ids = _require_moderator(request)
    appeal = get_object_or_404(
        Appeal.objects.filter(
            moderation.moderated_scope(agency_ids, "message__thread__agency")
        ).select_related("message__thread__agency", "message__author", "message__persona__agency"),
        pk=appeal_pk,
    )
    return decide_appeal_page(
        request,
        appeal,
        decide=moderation.decide_appeal,
        wording=MESSAGE_WORDING,
        template="conversations/moderation/appeal_decide.html",
        context=lambda: {
            "message": _shown(appeal.message, request.user),
            "thread": appeal.message.thread,
            "appellant": appeal.message.author.display_name,
        },
    )


def decide_appeal_page(
    request: HttpRequest,
    appeal: AppealBase,
    *,
    decide: Callable[..., AppealBase],
    wording: AppealWording,
    template: str,
    context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """The page where a moderator decides an appeal the view found (and may see): the
    decision form, `decide` (the action: restore or keep hidden) on POST, then back to the
    queue. `template` extends "conversations/moderation/appeal_decide.html"; `context`
    adds what it shows of the hidden item (built after the action)."""
    form = DecisionForm(request.POST if request.method == "POST" else None, wording=wording)
    if request.method == "POST" and form.is_valid():
        try:
            decided = decide(
                by=request.user,
                appeal=appeal,
                restore=form.cleaned_data["outcome"] == "restore",
                decision=form.cleaned_data["decision"],
            )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            return _done(
                request,
                str(
                    wording.restored
                    if decided.outcome == AppealOutcome.RESTORED
                    else wording.upheld
                ),
            )
    return render(
        request,
        template,
        {"form": form, "appeal": appeal, **context()},
        status=400 if form.errors else 200,
    )


# --- the public log -----------------------------------------------------------------------


def log(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.published(), slug=slug)
    cursor = request.GET.get("cursor")
    try:
        page = public_log(agency, cursor)
    except ValidationError:  # a mangled "older" link: the newest page, and why
        page = public_log(agency)
        cursor = None
        cursor_error = _("That page link is not valid any more; here is the newest page.")
    else:
        cursor_error = ""
    older_url = f"?{urlencode({'cursor': page.next_cursor})}" if page.next_cursor else ""
    return render(
        request,
        "conversations/moderation/log.html",
        {
            "agency": agency,
            "page": page,
            "older_url": older_url,
            "is_first_page": not cursor,
            "cursor_error": cursor_error,
        },
    )
