"""Conversation pages: start one with a staff member or a team, read and answer it, edit
one's own message, and the lists ("My conversations", and staff's conversations).

Every read goes through `queries` (which start from `Thread.objects.visible_to`): a
conversation someone may not read is a 404, never a 403. Every write is one action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from townhall.agencies.models import StaffMembership, Team, memberships_of

from . import actions, moderation, queries
from .attachments import attachment_response, check_uploads
from .forms import ConversationStartForm, MessageEditForm, MessageForm, StaffReplyForm
from .models import Attachment, Message, Thread

# Names the actions use that the forms call otherwise.
FIELD_NAMES = {"files": "attachments", "promise_due_at": "promise_date"}


def _add_errors(form: Form, error: ValidationError | PermissionDenied) -> None:
    """Show an action's refusal next to the field it is about (or above the form)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for key, field_messages in error.message_dict.items():
            field = FIELD_NAMES.get(key, key)
            form.add_error(field if field in form.fields else None, field_messages)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error) or _("You cannot do that here."))


# --- starting a conversation -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation_new_with_staff(request: HttpRequest, slug: str, person: str) -> HttpResponse:
    staff = get_object_or_404(
        StaffMembership.objects.public().select_related("agency"), agency__slug=slug, slug=person
    )
    return _start(request, staff=staff, team=None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation_new_with_team(request: HttpRequest, slug: str, team: str) -> HttpResponse:
    chosen = get_object_or_404(
        Team.objects.filter(agency__is_published=True).select_related("agency"),
        agency__slug=slug,
        slug=team,
    )
    return _start(request, staff=None, team=chosen)


def _start(
    request: HttpRequest, *, staff: StaffMembership | None, team: Team | None
) -> HttpResponse:
    posted = request.method == "POST"
    form = ConversationStartForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                thread = actions.start_conversation(
                    by=request.user,
                    staff=staff,
                    team=team,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    files=check_uploads(form.cleaned_data["attachments"]),
                )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your message is sent."))
            return redirect(thread)
    agency = staff.agency if staff is not None else team.agency  # type: ignore[union-attr]
    return render(
        request,
        "conversations/conversation_new.html",
        {"form": form, "staff": staff, "team": team, "agency": agency},
        status=400 if request.method == "POST" else 200,
    )


# --- one conversation --------------------------------------------------------------------


def _reply_form(
    request: HttpRequest, thread: Thread, persona: StaffMembership | None, data: Any = None
) -> MessageForm:
    files = request.FILES if data is not None else None
    if persona is not None:
        return StaffReplyForm(data, files, time_zone=thread.agency.time_zone)  # type: ignore[union-attr]
    return MessageForm(data, files)


def _with_moderation(found: list[Message], request: HttpRequest) -> list[Message]:
    """The messages with what moderation shows of them (hidden text, reasons, "Report")."""
    if found:
        moderation.prepare_messages(found, user=request.user, thread=found[0].thread)
    return found


def _page(
    request: HttpRequest, thread: Thread, *, form: MessageForm | None = None, status: int = 200
) -> HttpResponse:
    persona = actions.answering_persona(request.user, thread)
    may_write = thread.citizen_id == request.user.pk or persona is not None
    if form is None and may_write:
        form = _reply_form(request, thread, persona)
    return render(
        request,
        "conversations/conversation_detail.html",
        {
            "thread": thread,
            "thread_messages": _with_moderation(queries.conversation_messages(thread), request),
            "promises": queries.conversation_promises(thread, request.user),
            "persona": persona,
            "is_citizen": thread.citizen_id == request.user.pk,
            "addressee": actions.addressee_name(thread),
            "form": form if may_write and not thread.is_locked else None,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread = queries.get_visible_conversation(pk, request.user)
    actions.mark_conversation_read(by=request.user, thread=thread)
    return _page(request, thread)


@login_required
@require_POST
def conversation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    thread = queries.get_visible_conversation(pk, request.user)
    persona = actions.answering_persona(request.user, thread)
    form = _reply_form(request, thread, persona, data=request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                message = actions.reply_in_conversation(
                    by=request.user,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    files=check_uploads(form.cleaned_data["attachments"]),
                    promise=form.cleaned_data.get("promise") or None,
                    promise_due_at=form.cleaned_data.get("promise_due_at"),
                )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your message is sent."))
            return redirect(message)
    return _page(request, thread, form=form, status=400)


@login_required
@require_POST
def promise_keep(request: HttpRequest, pk: int, promise_pk: int) -> HttpResponse:
    """A staff member marks a promise made in the conversation as done."""
    thread = queries.get_visible_conversation(pk, request.user)
    promise = next(
        (p for p in queries.conversation_promises(thread, request.user) if p.pk == promise_pk),
        None,
    )
    if promise is None:
        raise Http404
    try:
        kept = actions.keep_conversation_promise(by=request.user, thread=thread, commitment=promise)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        if kept.state == "kept":
            messages.success(request, _("The promise is marked kept."))
        else:
            messages.warning(request, _("The promise is marked done, later than promised."))
    return redirect(f"{thread.get_absolute_url()}#promises")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_edit(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    thread = queries.get_visible_conversation(pk, request.user)
    message = get_object_or_404(
        Message.objects.public().filter(thread=thread, author_id=request.user.pk), pk=message_pk
    )
    form = MessageEditForm(
        request.POST if request.method == "POST" else None, initial={"body": message.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_message(by=request.user, message=message, body=form.cleaned_data["body"])
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your message is changed."))
            return redirect(message)
    return render(
        request,
        "conversations/message_edit.html",
        {"thread": thread, "message": message, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def conversation_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    thread = queries.get_visible_conversation(pk, request.user)
    files = Attachment.objects.filter(thread=thread, is_internal=False)
    return attachment_response(get_object_or_404(files, pk=file_pk))


# --- lists ---------------------------------------------------------------------------------


LIST_LIMIT = 100


@login_required
@require_http_methods(["GET", "HEAD"])
def conversation_list(request: HttpRequest) -> HttpResponse:
    """My conversations, the promises made in them, and (for staff) the conversations
    addressed to them or their teams."""
    user = request.user
    is_staff = memberships_of(user).exists()
    return render(
        request,
        "conversations/conversation_list.html",
        {
            "mine": list(queries.conversations_started_by(user)[:LIST_LIMIT]),
            "addressed": list(queries.conversations_addressed_to(user)[:LIST_LIMIT])
            if is_staff
            else [],
            "is_staff": is_staff,
            "promises": queries.open_promises_to(user),
        },
    )
