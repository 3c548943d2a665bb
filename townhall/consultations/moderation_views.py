"""Moderation pages of consultation comments: the author's appeal, and the moderators'
decision and dismissal (their buttons are in the one queue at /moderation/).

Reads go through the consultations the reader may see, or the reader's moderated
agencies: anything else is a 404. Every write is one action in `moderation`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from townhall.conversations.moderation import is_moderator, moderated_agency_ids, moderated_scope
from townhall.conversations.moderation_forms import AppealForm, AppealWording
from townhall.conversations.moderation_views import decide_appeal_page

from . import actions, moderation, queries
from .forms import ReasonForm, add_errors
from .models import Comment, CommentAppeal

COMMENT_WORDING = AppealWording(
    question=gettext_lazy("Why should the comment be shown again?"),
    restore=gettext_lazy("Restore the comment"),
    choose=gettext_lazy("Choose whether to restore the comment."),
    decision_help=gettext_lazy(
        "The author is told. When the comment is restored, it is also public."
    ),
    restored=gettext_lazy("The appeal is accepted and the comment restored."),
    upheld=gettext_lazy("The appeal is refused; the comment stays hidden."),
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_appeal(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    """The author's page about their hidden comment: why it was hidden, and the appeal
    (the form, once, or how it was decided). Only the author may open it."""
    consultation = queries.get_visible_consultation(pk, request.user)
    comment = get_object_or_404(queries.comments_shown(consultation), pk=comment_pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied(_("Only the author of a comment can appeal its hiding."))
    appeal = CommentAppeal.objects.filter(comment=comment).first()
    form = AppealForm(request.POST if request.method == "POST" else None, wording=COMMENT_WORDING)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.appeal_comment(
                by=request.user, comment=comment, text=form.cleaned_data["text"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your appeal is sent. You will be told the decision."))
            return redirect(moderation.appeal_url(comment))
    return render(
        request,
        "consultations/comment_appeal.html",
        {
            "consultation": consultation,
            "comment": comment,
            "appeal": appeal,
            "form": form,
            "may_appeal": comment.is_hidden and appeal is None,
        },
        status=400 if form.errors else 200,
    )


def _moderated_agencies(request: HttpRequest) -> list[int] | None:
    if not is_moderator(request.user):
        raise PermissionDenied(_("Only moderators can do this."))
    return moderated_agency_ids(request.user)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appeal_decide(request: HttpRequest, appeal_pk: int) -> HttpResponse:
    """A moderator of the consultation's agency restores the comment or keeps it hidden."""
    agency_ids = _moderated_agencies(request)
    appeal = get_object_or_404(
        CommentAppeal.objects.filter(
            moderated_scope(agency_ids, "comment__consultation__agency")
        ).select_related("comment__consultation", "comment__author", "comment__persona__agency"),
        pk=appeal_pk,
    )
    return decide_appeal_page(
        request,
        appeal,
        decide=moderation.decide_comment_appeal,
        wording=COMMENT_WORDING,
        template="consultations/comment_appeal_decide.html",
        context=lambda: {"comment": appeal.comment, "appellant": appeal.comment.signature},
    )


def _moderated_comment(request: HttpRequest, pk: int, comment_pk: int) -> Comment:
    agency_ids = _moderated_agencies(request)
    consultation = get_object_or_404(
        queries.consultations_visible_to(request.user).filter(
            moderated_scope(agency_ids, "agency")
        ),
        pk=pk,
    )
    return get_object_or_404(
        queries.comments_shown(consultation).select_related("consultation"), pk=comment_pk
    )


def _refused(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


@login_required
@require_POST
def comment_hide(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    """Hide a comment from the queue, with a public reason (never a toggle: a second click
    does not show it again)."""
    return _hide_or_restore(request, pk, comment_pk, hide=True)


@login_required
@require_POST
def comment_restore(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    """Show a hidden comment again from the queue, with a public reason."""
    return _hide_or_restore(request, pk, comment_pk, hide=False)


def _hide_or_restore(request: HttpRequest, pk: int, comment_pk: int, *, hide: bool) -> HttpResponse:
    comment = _moderated_comment(request, pk, comment_pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the public reason."))
        return redirect("moderation:queue")
    act = actions.hide_comment if hide else actions.restore_comment
    try:
        act(by=request.user, comment=comment, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("The comment is hidden.") if hide else _("The comment is restored.")
        )
    return redirect("moderation:queue")


@login_required
@require_POST
def comment_dismiss(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    """A moderator closes a comment's open reports; the comment stays."""
    comment = _moderated_comment(request, pk, comment_pk)
    try:
        moderation.dismiss_comment_flags(by=request.user, comment=comment)
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    else:
        messages.success(request, _("The reports are dismissed; the comment stays."))
    return redirect("moderation:queue")
