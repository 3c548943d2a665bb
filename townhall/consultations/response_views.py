"""The agency's answer: the staff page where comments are grouped into themes, themes and
amendments answered and the response report published; the public, printable response
report; and each participant's page of what became of their contributions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import actions, queries
from .diffs import word_diff
from .forms import AnswerForm, PublishForm, ThemeForm, add_errors
from .models import Amendment, Comment, Consultation, Outcome, Theme


def _staff_consultation(request: HttpRequest, pk: int) -> Consultation:
    consultation = queries.get_visible_consultation(pk, request.user)
    if actions.participant_persona(request.user, consultation) is None:
        raise PermissionDenied(_("Only staff of the agency running this consultation can do this."))
    return consultation


def _amendments_with_diffs(consultation: Consultation) -> Any:
    amendments = queries.amendments_of(consultation)
    for amendment in amendments:
        amendment.diff = word_diff(amendment.section.body, amendment.text)  # type: ignore[attr-defined]
    return amendments


def _respond_page(
    request: HttpRequest, consultation: Consultation, *, status: int = 200, **forms: Any
) -> HttpResponse:
    amendments = _amendments_with_diffs(consultation)
    unthemed = list(
        queries.comments_shown(consultation)
        .filter(theme__isnull=True, is_hidden=False)
        .order_by("created_at", "pk")[:200]
    )
    themes = queries.themes_of(consultation)
    errors = forms.get("answer_errors", {})
    for theme in themes:
        theme.answer_form = errors.get(f"theme-{theme.pk}")  # type: ignore[attr-defined]
    for amendment in amendments:
        amendment.answer_form = errors.get(f"amendment-{amendment.pk}")  # type: ignore[attr-defined]
    return render(
        request,
        "consultations/respond.html",
        {
            "consultation": consultation,
            "themes": themes,
            "amendments": amendments,
            "outcomes": Outcome.choices,
            "unthemed": unthemed,
            "theme_form": forms.get("theme_form") or ThemeForm(),
            "publish_form": forms.get("publish_form") or PublishForm(),
            "answer_errors": errors,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    return _respond_page(request, _staff_consultation(request, pk))


def _back(consultation: Consultation, anchor: str = "") -> HttpResponse:
    url = reverse("consultations:consultation-respond", kwargs={"pk": consultation.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_POST
def theme_create(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    form = ThemeForm(request.POST)
    if form.is_valid():
        numbers = form.cleaned_data["comments"]
        comments = list(Comment.objects.filter(consultation=consultation, pk__in=numbers))
        if len(comments) != len(set(numbers)):
            form.add_error(
                "comments", _("Some of these numbers are not comments of this consultation.")
            )
        else:
            try:
                theme = actions.create_theme(
                    by=request.user,
                    consultation=consultation,
                    title=form.cleaned_data["title"],
                    comments=comments,
                )
            except (ValidationError, PermissionDenied) as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Theme created."))
                return _back(consultation, f"theme-{theme.pk}")
    return _respond_page(request, consultation, status=400, theme_form=form)


def _save_answer(
    request: HttpRequest, consultation: Consultation, anchor: str, answer: Callable[..., Any]
) -> HttpResponse:
    """The posted AnswerForm given to `answer` (an action still wanting `by`, `outcome` and
    `response`); back to the answered item at `anchor`, or the page again with the form's
    errors there."""
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            answer(
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                response=form.cleaned_data["response"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Answer saved."))
            return _back(consultation, anchor)
    return _respond_page(request, consultation, status=400, answer_errors={anchor: form})


@login_required
@require_POST
def theme_answer(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    theme = get_object_or_404(Theme, pk=theme_pk, consultation=consultation)
    return _save_answer(
        request, consultation, f"theme-{theme.pk}", partial(actions.answer_theme, theme=theme)
    )


@login_required
@require_POST
def amendment_answer(request: HttpRequest, pk: int, amendment_pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    amendment = get_object_or_404(Amendment, pk=amendment_pk, consultation=consultation)
    return _save_answer(
        request,
        consultation,
        f"amendment-{amendment.pk}",
        partial(actions.answer_amendment, amendment=amendment),
    )


@login_required
@require_POST
def response_publish(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            actions.publish_response(
                by=request.user, consultation=consultation, summary=form.cleaned_data["summary"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The response is published; participants are told."))
            return redirect("consultations:consultation-response", pk=consultation.pk)
    return _respond_page(request, consultation, status=400, publish_form=form)


@require_http_methods(["GET", "HEAD"])
def response_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The published response report, printable."""
    consultation = queries.get_visible_consultation(pk, request.user)
    if not consultation.has_response:
        raise Http404
    amendments = _amendments_with_diffs(consultation)
    return render(
        request,
        "consultations/response_report.html",
        {
            "consultation": consultation,
            "themes": queries.themes_of(consultation),
            "amendments": amendments,
            "sections": queries.current_sections(consultation),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def consultation_mine(request: HttpRequest, pk: int) -> HttpResponse:
    """What became of my comments, supports and amendments."""
    consultation = queries.get_visible_consultation(pk, request.user)
    return render(
        request,
        "consultations/consultation_mine.html",
        {
            "consultation": consultation,
            "mine": queries.participation_of(consultation, request.user),
        },
    )
