"""Staff pages that write a draft: a new consultation (any agency the account works for),
a revised draft of a consultation, and a question with fixed answers.

Each view reads through `queries` (which start from `Consultation.objects.visible_to`),
validates the shape with a form of `staff_forms` and calls one action of `actions`,
which checks who acts and judges the content. People without a membership of the
agency get a 403 page that says why; visitors are sent to sign in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from townhall.agencies.models import memberships_of

from . import actions, queries
from .forms import add_errors, form_kwargs
from .models import Consultation
from .staff_forms import (
    ADD_SECTION,
    BaseSectionFormSet,
    ConsultationForm,
    QuestionForm,
    RevisionForm,
    section_formset,
    typed,
    with_another_row,
)


def _not_staff(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "consultations/staff/not_staff.html", {"message": message}, status=403)


def _staff_consultation(request: HttpRequest, pk: int) -> Consultation | HttpResponse:
    """The consultation (404 when `request.user` may not see it), or the 403 page for
    anyone who is not active staff of its agency."""
    consultation = queries.get_visible_consultation(pk, request.user)
    if actions.participant_persona(request.user, consultation) is None:
        return _not_staff(
            request,
            _("Only staff of %(agency)s, which runs this consultation, can change it.")
            % {"agency": consultation.agency.name},
        )
    return consultation


def _sections_data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _refused(form: Form, error: ValidationError | PermissionDenied) -> list[str]:
    """Show an action's refusal on the page; returns what it says about the sections
    (shown above them), the rest goes next to the form's fields."""
    about_sections: list[str] = []
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for item in error.error_dict.pop("sections", []):
            about_sections.extend(item.messages)
        if not error.error_dict:
            return about_sections
    add_errors(form, error)
    return about_sections


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def consultation_create(request: HttpRequest) -> HttpResponse:
    personas = list(memberships_of(request.user).order_by("agency__name", "pk"))
    if not personas:
        return _not_staff(
            request,
            _(
                "Only staff of an agency can start a consultation. Your account does not "
                "work for any agency on this site."
            ),
        )
    form = ConsultationForm(personas=personas, **form_kwargs(request))
    formset = section_formset(_sections_data(request))
    status = 200
    section_errors: list[str] = []
    if request.method == "POST":
        if ADD_SECTION in request.POST:
            form = ConsultationForm(personas=personas, initial=typed(form))
            formset = with_another_row(formset)
        elif _valid(form, formset):
            data = form.cleaned_data
            try:
                consultation = actions.create_consultation(
                    by=request.user,
                    agency=data["agency"],
                    title=data["title"],
                    summary=data["summary"],
                    sections=formset.sections(),
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    published_at=data["published_at"],
                    keep_as_draft=data["keep_as_draft"],
                    required_assurance=data["required_assurance"],
                    goals=data["goals"],
                    responsible=data["responsible"],
                )
            except (ValidationError, PermissionDenied) as error:
                section_errors = _refused(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("The consultation “%(title)s” is saved.") % {"title": consultation.title},
                )
                return redirect(consultation)
        else:
            status = 400
    return render(
        request,
        "consultations/staff/consultation_create.html",
        {"form": form, "formset": formset, "section_errors": section_errors},
        status=status,
    )


def _valid(form: Form, formset: BaseSectionFormSet) -> bool:
    # Both are validated, so that every error is shown at once.
    form_ok = form.is_valid()
    return formset.is_valid() and form_ok


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def consultation_revise(request: HttpRequest, pk: int) -> HttpResponse:
    found = _staff_consultation(request, pk)
    if isinstance(found, HttpResponse):
        return found
    consultation = found
    form = RevisionForm(**form_kwargs(request))
    if request.method == "POST":
        formset = section_formset(request.POST)
    else:
        version = consultation.current_version
        formset = section_formset(initial=queries.sections_of(version) if version else [])
    status = 200
    section_errors: list[str] = []
    if request.method == "POST":
        if ADD_SECTION in request.POST:
            form = RevisionForm(initial=typed(form))
            formset = with_another_row(formset)
        elif _valid(form, formset):
            try:
                version = actions.publish_version(
                    by=request.user,
                    consultation=consultation,
                    sections=formset.sections(),
                    note=form.cleaned_data["note"],
                )
            except (ValidationError, PermissionDenied) as error:
                section_errors = _refused(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("Version %(number)s of the draft is published.") % {"number": version.number},
                )
                return redirect(
                    reverse(
                        "consultations:version-diff",
                        kwargs={"pk": consultation.pk, "number": version.number},
                    )
                )
        else:
            status = 400
    return render(
        request,
        "consultations/staff/consultation_revise.html",
        {
            "consultation": consultation,
            "form": form,
            "formset": formset,
            "section_errors": section_errors,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    found = _staff_consultation(request, pk)
    if isinstance(found, HttpResponse):
        return found
    consultation = found
    form = QuestionForm(**form_kwargs(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                question = actions.add_question(
                    by=request.user,
                    consultation=consultation,
                    text=form.cleaned_data["text"],
                    kind=form.cleaned_data["kind"],
                    choices=form.cleaned_data["choices"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The question is added."))
                return redirect(f"{consultation.get_absolute_url()}#question-{question.pk}")
        status = 400
    return render(
        request,
        "consultations/staff/question_create.html",
        {"consultation": consultation, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def consultation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff publish a draft (or a consultation scheduled for later) now."""
    found = _staff_consultation(request, pk)
    if isinstance(found, HttpResponse):
        return found
    try:
        actions.publish_consultation(by=request.user, consultation=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(title)s” is published: everyone can read it now.") % {"title": found.title},
        )
    return redirect(found)
