"""Public discussion pages: the list (all, or one agency's), starting one from an agency's
page, a discussion with its messages and one-level replies, writing and replying in it,
and marking a message helpful.

Reading is open to everyone, visitors included; every read goes through
`discussion_queries` (which start from `Thread.objects.discussions_visible_to`). Every
write is one action of `discussions`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from townhall.agencies.models import Agency

from . import discussion_queries as queries
from . import discussions, moderation
from .discussion_forms import DiscussionMessageForm, DiscussionStartForm
from .models import Message, Thread
from .views import _add_errors

PAGE_SIZE = 25


@require_http_methods(["GET", "HEAD"])
def discussion_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Every public discussion (or one agency's), the most recently active first."""
    agency = get_object_or_404(Agency.objects.published(), slug=slug) if slug else None
    found = queries.discussions_visible_to(request.user)
    if agency is not None:
        found = found.filter(agency=agency)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "conversations/discussions/discussion_list.html",
        {"agency": agency, "page": page, "discussions": list(page.object_list)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def discussion_new(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.published(), slug=slug)
    persona = discussions.discussion_persona(request.user, agency.pk)
    form = DiscussionStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = discussions.start_discussion(
                by=request.user,
                agency=agency,
                title=form.cleaned_data["title"],
                topic=form.cleaned_data["topic"],
                body=form.cleaned_data["body"],
            )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your discussion is open."))
            return redirect(thread)
    return render(
        request,
        "conversations/discussions/discussion_new.html",
        {"agency": agency, "form": form, "persona": persona},
        status=400 if request.method == "POST" else 200,
    )


def _page(
    request: HttpRequest,
    thread: Thread,
    *,
    form: DiscussionMessageForm | None = None,
    reply_form: DiscussionMessageForm | None = None,
    reply_to: int | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    persona = discussions.discussion_persona(user, thread.agency_id)
    all_messages = queries.discussion_messages(thread, user)
    moderation.prepare_messages(all_messages, user=user, thread=thread)
    may_write = user.is_authenticated and not thread.is_locked
    needs_name = (
        may_write and persona is None and not " ".join(str(user.display_name or "").split())  # type: ignore[union-attr]
    )
    may_write = may_write and not needs_name
    if form is None and may_write:
        form = DiscussionMessageForm(may_answer=persona is not None)
    return render(
        request,
        "conversations/discussions/discussion_detail.html",
        {
            "thread": thread,
            "top_messages": queries.top_level(all_messages),
            "message_count": len(all_messages),
            "persona": persona,
            "may_write": may_write,
            "needs_name": needs_name,
            "form": form if may_write else None,
            "reply_form": reply_form,
            "reply_to": reply_to,
            "linked": queries.linked_object(thread, user),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def discussion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, queries.get_visible_discussion(pk, request.user))


def _int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 19 else 0


@login_required
@require_POST
def discussion_post(request: HttpRequest, pk: int) -> HttpResponse:
    thread = queries.get_visible_discussion(pk, request.user)
    persona = discussions.discussion_persona(request.user, thread.agency_id)
    form = DiscussionMessageForm(request.POST, may_answer=persona is not None)
    valid = form.is_valid()
    parent: Message | None = None
    if request.POST.get("parent"):
        parent = (
            Message.objects.public().filter(thread=thread, pk=_int(request.POST["parent"])).first()
        )
        if parent is None:
            form.add_error(None, _("You can only reply to a message of this discussion."))
            valid = False
    if valid:
        try:
            message = discussions.post_in_discussion(
                by=request.user,
                thread=thread,
                body=form.cleaned_data["body"],
                parent=parent,
                official=bool(form.cleaned_data.get("official")),
            )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your message is posted."))
            return redirect(message)
    if parent is not None:
        reply_to = parent.parent_id or parent.pk
        return _page(request, thread, reply_form=form, reply_to=reply_to, status=400)
    return _page(request, thread, form=form, status=400)


@login_required
@require_POST
def message_helpful(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    """Mark a message helpful, or take the mark back."""
    thread = queries.get_visible_discussion(pk, request.user)
    message = get_object_or_404(Message.objects.public().filter(thread=thread), pk=message_pk)
    try:
        marked = discussions.toggle_helpful(by=request.user, message=message)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        if marked:
            messages.success(request, _("You marked the message helpful."))
        else:
            messages.success(request, _("You took back your helpful mark."))
    message.thread = thread
    return redirect(message.get_absolute_url())
