"""Consultation pages: the list (open, upcoming, closed; site-wide or one agency's), a
consultation with its sections, counts, comments (paginated) and the forms to take part,
one comment with its replies, reporting and hiding a comment.

Reading is open to everyone; every read goes through `queries` (which start from
`Consultation.objects.visible_to`). Every write is one action of `actions`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from townhall.agencies.models import Agency
from townhall.agencies.second_factor import has_work_persona
from townhall.conversations.moderation import moderator_for

from . import actions, documents, queries
from .actions import QUESTION_CHOICES_MAX
from .forms import AmendmentForm, CommentForm, ReasonForm, SupportForm, add_errors
from .models import Comment, Consultation, Question, QuestionKind, Section, Status


def _int(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 19 else None


# The list shows the first LIST_PREVIEW of each status; ?status= pages through one.
LIST_PREVIEW = 20
LIST_PAGE_SIZE = 50


@require_http_methods(["GET", "HEAD"])
def consultation_list(request: HttpRequest) -> HttpResponse:
    """Open, upcoming and closed consultations, site-wide or of one agency (?agency=slug):
    the first few of each, or every one of a status page by page (?status=closed&page=2).
    A fixed number of queries: one per status shown (two, with the count, when paging)."""
    found = queries.consultations_visible_to(request.user)
    agency = None
    slug = request.GET.get("agency", "")[:80]
    if slug:
        agency = get_object_or_404(Agency.objects.published(), slug=slug)
        found = found.filter(agency=agency)
    ordering: dict[str, tuple[str, str]] = {
        Status.OPEN: ("closes_at", "pk"),
        Status.UPCOMING: ("opens_at", "pk"),
        Status.CLOSED: ("-closes_at", "-pk"),
    }
    only = request.GET.get("status", "")
    groups = []
    for status in ordering if only not in ordering else [only]:
        ordered = found.with_status(status).order_by(*ordering[status])
        query = QueryDict(mutable=True)
        if agency is not None:
            query["agency"] = agency.slug
        query["status"] = status
        group: dict[str, Any] = {
            "status": status,
            "label": Status(status).label,
            "filter_query": query.urlencode(),
        }
        if only in ordering:
            group["page"] = Paginator(ordered, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
            group["items"] = list(group["page"].object_list)
        else:
            items = list(ordered[: LIST_PREVIEW + 1])
            group["items"], group["more"] = items[:LIST_PREVIEW], len(items) > LIST_PREVIEW
        groups.append(group)
    return render(
        request,
        "consultations/consultation_list.html",
        {
            "groups": groups,
            "agency": agency,
            "one_status": only in ordering,
            # Staff of an agency start consultations (a site administrator without a work
            # persona is not offered a page that would refuse them).
            "may_start": has_work_persona(request.user),
        },
    )


def _taking_part(user: Any, consultation: Consultation) -> tuple[bool, str]:
    """Whether `user` may take part now, and if not, why (said on the page)."""
    if not user.is_authenticated:
        return False, ""
    try:
        actions.check_taking_part(user, consultation)
    except (PermissionDenied, ValidationError) as error:
        return False, " ".join(getattr(error, "messages", [str(error)]))
    return True, ""


def _prepare_comments(comments: list[Comment], *, user: Any, consultation: Consultation) -> None:
    """Set `display_html` (empty for a hidden comment `user` may not read) and
    `may_flag` on comments and their replies; one query at most (who moderates)."""
    everything = [c for top in comments for c in [top, *getattr(top, "thread_replies", [])]]
    signed_in = user.is_authenticated
    moderates = bool(
        signed_in
        and any(c.is_hidden for c in everything)
        and moderator_for(user, consultation.agency_id) is not None
    )
    for comment in everything:
        is_author = signed_in and comment.author_id == user.pk
        shown = not comment.is_hidden or is_author or moderates
        comment.display_html = comment.body_html if shown else ""  # type: ignore[attr-defined]
        comment.may_flag = bool(signed_in and not is_author and not comment.is_hidden)  # type: ignore[attr-defined]


def _detail(
    request: HttpRequest,
    consultation: Consultation,
    *,
    status: int = 200,
    forms_for: dict[str, Any] | None = None,
) -> HttpResponse:
    user = request.user
    forms_for = forms_for or {}
    section_filter = _int(request.GET.get("section"))
    page = queries.comment_page(
        consultation, number=request.GET.get("page") or 1, section_id=section_filter
    )
    comments = list(page.object_list)
    _prepare_comments(comments, user=user, consultation=consultation)
    may_take_part, why_not = _taking_part(user, consultation)
    persona = actions.participant_persona(user, consultation)
    sections = queries.current_sections(consultation)
    target, form = forms_for.get("target", ""), forms_for.get("form")
    for section in sections:
        for kind in ("comment", "support", "amend"):
            if target == f"{kind}-{section.pk}":
                setattr(section, f"{kind}_form", form)
    questions = queries.questions_with_results(consultation, user)
    for question in questions:
        if target == f"question-{question.pk}":
            question.answer_form = form  # type: ignore[attr-defined]
    for comment in comments:
        if target == f"reply-{comment.pk}":
            comment.reply_form = form  # type: ignore[attr-defined]
    return render(
        request,
        "consultations/consultation_detail.html",
        {
            "consultation": consultation,
            "sections": sections,
            "questions": questions,
            "page": page,
            "comments": comments,
            "section_filter": section_filter,
            "may_take_part": may_take_part,
            "why_not": why_not,
            "persona": persona,
            "is_agency_staff": persona is not None,
            "documents": documents.listed_documents(consultation),
            "form_errors": form,
            "general_form": form if target == "comment-general" else None,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, queries.get_visible_consultation(pk, request.user))


def _section(consultation: Consultation, section_pk: Any) -> Section | None:
    number = _int(section_pk)
    if number is None:
        return None
    return Section.objects.filter(pk=number, version__consultation=consultation).first()


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = queries.get_visible_consultation(pk, request.user)
    form = CommentForm(request.POST)
    section = None
    target = "comment-general"
    if request.POST.get("section"):
        section = _section(consultation, request.POST["section"])
        if section is None:
            form.add_error(None, _("There is no such section in this consultation."))
        else:
            target = f"comment-{section.pk}"
    parent = None
    if request.POST.get("parent"):
        number = _int(request.POST["parent"])
        parent = Comment.objects.filter(consultation=consultation, pk=number or 0).first()
        if parent is None:
            form.add_error(None, _("You can only reply to a comment of this consultation."))
        else:
            target = f"reply-{parent.pk}"
    if form.is_valid():
        try:
            comment = actions.post_comment(
                by=request.user,
                consultation=consultation,
                section=section,
                passage=form.cleaned_data["passage"],
                parent=parent,
                body=form.cleaned_data["body"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your comment is posted."))
            return redirect(comment)
    return _detail(request, consultation, status=400, forms_for={"target": target, "form": form})


@login_required
@require_POST
def section_support(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    consultation = queries.get_visible_consultation(pk, request.user)
    section = get_object_or_404(Section, pk=section_pk, version__consultation=consultation)
    form = SupportForm(request.POST)
    if form.is_valid():
        try:
            support, created = actions.set_support(
                by=request.user,
                section=section,
                stance=form.cleaned_data["stance"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            if support.stance == "support":
                messages.success(
                    request, _("You support “%(heading)s”.") % {"heading": section.heading}
                )
            else:
                messages.success(
                    request, _("You oppose “%(heading)s”.") % {"heading": section.heading}
                )
            return redirect(f"{consultation.get_absolute_url()}#section-{section.pk}")
    return _detail(
        request,
        consultation,
        status=400,
        forms_for={"target": f"support-{section.pk}", "form": form},
    )


@login_required
@require_POST
def amendment_create(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    consultation = queries.get_visible_consultation(pk, request.user)
    section = get_object_or_404(Section, pk=section_pk, version__consultation=consultation)
    form = AmendmentForm(request.POST)
    if form.is_valid():
        try:
            amendment = actions.propose_amendment(
                by=request.user,
                section=section,
                text=form.cleaned_data["text"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your amendment is proposed."))
            return redirect(
                f"{redirect_url('consultations:amendment-list', consultation)}#amendment-{amendment.pk}"
            )
    return _detail(
        request, consultation, status=400, forms_for={"target": f"amend-{section.pk}", "form": form}
    )


def redirect_url(name: str, consultation: Consultation) -> str:
    from django.urls import reverse

    return reverse(name, kwargs={"pk": consultation.pk})


@require_http_methods(["GET", "HEAD"])
def comment_detail(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    """One comment with its replies (where notifications and exports point)."""
    consultation = queries.get_visible_consultation(pk, request.user)
    comment = get_object_or_404(queries.comments_shown(consultation), pk=comment_pk)
    if comment.parent_id is not None:
        top = get_object_or_404(queries.comments_shown(consultation), pk=comment.parent_id)
    else:
        top = comment
    top.thread_replies = list(  # type: ignore[attr-defined]
        queries.comments_shown(consultation).filter(parent=top).order_by("created_at", "pk")
    )
    _prepare_comments([top], user=request.user, consultation=consultation)
    may_take_part, _why = _taking_part(request.user, consultation)
    return render(
        request,
        "consultations/comment_detail.html",
        {
            "consultation": consultation,
            "comment": top,
            "may_take_part": may_take_part,
            "moderates": request.user.is_authenticated
            and moderator_for(request.user, consultation.agency_id) is not None,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_flag(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    consultation = queries.get_visible_consultation(pk, request.user)
    comment = get_object_or_404(queries.comments_shown(consultation), pk=comment_pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.flag_comment(
                by=request.user, comment=comment, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Thank you: the moderators will look at this comment."))
            return redirect(comment)
    return render(
        request,
        "consultations/comment_flag.html",
        {"consultation": consultation, "comment": comment, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    """Hide a comment with a public reason, or restore it (moderators)."""
    consultation = queries.get_visible_consultation(pk, request.user)
    comment = get_object_or_404(queries.comments_shown(consultation), pk=comment_pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        act = actions.restore_comment if comment.is_hidden else actions.hide_comment
        try:
            act(by=request.user, comment=comment, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Done."))
    else:
        messages.error(request, _("Give the public reason."))
    return redirect(comment)


@login_required
@require_POST
def question_answer(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Answer a question with fixed answers (again: replace the answer)."""
    consultation = queries.get_visible_consultation(pk, request.user)
    question = get_object_or_404(Question, pk=question_pk, consultation=consultation)
    values = [v[:200] for v in request.POST.getlist("value")[: QUESTION_CHOICES_MAX + 1]]
    value: Any = values if question.kind == QuestionKind.MULTIPLE else (values[0] if values else "")
    try:
        actions.answer_question(by=request.user, question=question, value=value)
    except (ValidationError, PermissionDenied) as error:
        form = Form(data={})
        form.is_valid()
        add_errors(form, error)
        return _detail(
            request,
            consultation,
            status=400,
            forms_for={"target": f"question-{question.pk}", "form": form},
        )
    messages.success(request, _("Thank you: your answer is saved."))
    return redirect(f"{consultation.get_absolute_url()}#question-{question.pk}")


@require_http_methods(["GET", "HEAD"])
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """Reported comments are worked from the one moderation queue; old links go there."""
    return redirect("moderation:queue", permanent=True)
