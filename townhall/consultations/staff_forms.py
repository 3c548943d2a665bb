"""Forms of the staff pages that write a draft: a new consultation, a revised draft and a
question. They check shape only; `actions.create_consultation`, `publish_version` and
`add_question` judge the rest (dates, sections, goals and staff of the agency, choices)
and their refusals are shown next to the fields (`forms.add_errors`).

A draft's sections are a formset of (heading, Markdown body) rows. Blank rows and rows
marked "remove" are left out; "Add another section" re-renders the form with the rows
typed so far and one more empty row (no JavaScript)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from townhall.agencies.models import Agency, Goal, StaffMembership
from townhall.identity.models import AssuranceLevel

from .actions import SECTIONS_MAX
from .models import (
    HEADING_MAX_LENGTH,
    SECTION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    QuestionKind,
)

# The submit button that asks for one more empty section row.
ADD_SECTION = "add_section"
SECTIONS_PREFIX = "sections"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _moment(
    label: Any, *, required: bool = True, help_text: Any = "", missing: Any = None
) -> forms.DateTimeField:
    errors = {"invalid": gettext_lazy("Enter a date and time, such as 2030-05-17 09:00.")}
    if missing:
        errors["required"] = missing
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages=errors,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class LabelledChoices(forms.ModelMultipleChoiceField):
    """Several model choices, each labelled by `label_from` when it is set."""

    label_from: Callable[[Any], str] | None = None

    def label_from_instance(self, obj: Any) -> str:
        return self.label_from(obj) if self.label_from else super().label_from_instance(obj)


class ConsultationForm(forms.Form):
    """A new consultation for one of the agencies `personas` (the account's active
    memberships) work for; the agency field is hidden when there is only one."""

    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"), queryset=Agency.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Give a title.")},
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "What the draft is about and what you want to hear, in plain words."
        ),
    )
    goals = LabelledChoices(
        label=gettext_lazy("Goals it serves"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    responsible = LabelledChoices(
        label=gettext_lazy("Staff responsible"),
        queryset=StaffMembership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Named on the page. Nobody chosen: you."),
    )
    required_assurance = forms.ChoiceField(
        label=gettext_lazy("Assurance level needed to take part"),
        choices=AssuranceLevel.choices,
        initial=AssuranceLevel.EMAIL_VERIFIED,
        widget=forms.RadioSelect,
    )
    published_at = _moment(
        gettext_lazy("Publish the draft on"),
        required=False,
        help_text=gettext_lazy(
            "Empty: published as soon as you save it. A later date keeps the draft visible "
            "only to your agency's staff until then."
        ),
    )
    keep_as_draft = forms.BooleanField(
        label=gettext_lazy("Keep it as a draft for now"),
        required=False,
        help_text=gettext_lazy(
            "Only your agency's staff can read it until one of you publishes it from its page."
        ),
    )
    opens_at = _moment(
        gettext_lazy("Opens for comments on"),
        missing=gettext_lazy("Say when it opens for comments."),
    )
    closes_at = _moment(
        gettext_lazy("Closes on"),
        help_text=gettext_lazy("After it opens."),
        missing=gettext_lazy("Say when it closes."),
    )

    def __init__(self, *args: Any, personas: Sequence[StaffMembership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_ids = sorted({persona.agency_id for persona in personas})
        several = len(agency_ids) > 1
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = Agency.objects.filter(pk__in=agency_ids).order_by("name", "pk")
        if several:
            agency.help_text = gettext_lazy(
                "Goals and staff you choose below must be of this agency."
            )
        else:
            agency.widget = forms.HiddenInput()
            agency.initial = agency_ids[0] if agency_ids else None
        goals = self.fields["goals"]
        assert isinstance(goals, LabelledChoices)
        goals.queryset = (
            Goal.objects.filter(agency_id__in=agency_ids)
            .select_related("agency")
            .order_by("agency__name", "order", "pk")
        )
        responsible = self.fields["responsible"]
        assert isinstance(responsible, LabelledChoices)
        responsible.queryset = (
            StaffMembership.objects.active()
            .filter(agency_id__in=agency_ids)
            .select_related("agency")
            .order_by("agency__name", "public_name", "pk")
        )
        if several:
            goals.label_from = lambda goal: f"{goal.title} ({goal.agency.name})"
            responsible.label_from = lambda member: (
                f"{member.public_name}, {member.job_title} ({member.agency.name})"
            )
        else:
            responsible.label_from = lambda member: f"{member.public_name}, {member.job_title}"
        zone = timezone.get_current_timezone_name()
        for name in ("opens_at", "closes_at"):
            self.fields[name].help_text = " ".join(
                str(part)
                for part in (
                    self.fields[name].help_text,
                    gettext("Time zone: %(zone)s.") % {"zone": zone},
                )
                if part
            )


class SectionForm(forms.Form):
    """One row of a draft. Both fields may be left empty (the row is then left out); the
    action refuses a heading without text and text without a heading."""

    heading = forms.CharField(
        label=gettext_lazy("Heading"), max_length=HEADING_MAX_LENGTH, required=False
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=SECTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Markdown works: **bold**, lists, links."),
    )


class BaseSectionFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = gettext_lazy("Remove this section")

    def sections(self) -> list[tuple[str, str]]:
        """The rows of a valid formset as (heading, body), blank and removed rows left
        out, in the order given."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE"):
                continue
            heading, body = data.get("heading") or "", data.get("body") or ""
            if heading or body:
                rows.append((heading, body))
        return rows

    def rows_typed(self) -> list[tuple[str, str]]:
        """The rows as typed (valid or not), removed and blank rows left out: the initial
        data of the form shown again with one more row."""
        rows = []
        for form in self.forms:
            if form["DELETE"].value() if "DELETE" in form.fields else False:
                continue
            heading = str(form["heading"].value() or "")
            body = str(form["body"].value() or "")
            if heading.strip() or body.strip():
                rows.append((heading, body))
        return rows


SectionFormSet = forms.formset_factory(
    SectionForm,
    formset=BaseSectionFormSet,
    extra=1,
    can_delete=True,
    max_num=SECTIONS_MAX,
    # Beyond this many rows the formset itself refuses (a clear message, not a slow page);
    # up to it, the action says how many sections a draft may have.
    absolute_max=SECTIONS_MAX + 20,
)


def section_formset(
    data: QueryDict | None = None, *, initial: Sequence[tuple[str, str]] = ()
) -> BaseSectionFormSet:
    """The sections bound to `data`, or showing `initial` (heading, body) rows and one
    empty row more."""
    if data is not None:
        return cast(BaseSectionFormSet, SectionFormSet(data, prefix=SECTIONS_PREFIX))
    rows = [{"heading": heading, "body": body} for heading, body in initial]
    return cast(BaseSectionFormSet, SectionFormSet(initial=rows or None, prefix=SECTIONS_PREFIX))


def typed(form: forms.Form) -> dict[str, Any]:
    """What was typed into a bound `form`, as the initial data of the same form shown
    again without errors."""
    return {
        name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        for name, field in form.fields.items()
    }


def with_another_row(formset: BaseSectionFormSet) -> BaseSectionFormSet:
    """The rows typed into a bound `formset` (removed and blank ones left out), shown
    again without errors with one more empty row, which gets the focus."""
    more = section_formset(initial=formset.rows_typed())
    more.forms[-1].fields["heading"].widget.attrs["autofocus"] = True
    return more


class RevisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What changed"),
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown with the new version, so readers know what to look at."),
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Question"),
        max_length=300,
        error_messages={"required": gettext_lazy("Write the question.")},
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of answer"),
        choices=QuestionKind.choices,
        initial=QuestionKind.SINGLE,
        widget=forms.RadioSelect,
    )
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "For one choice or several choices: one answer per line, 2 to 20. A scale "
            "always runs from 1 (not at all) to 5 (very much) and needs no choices."
        ),
    )

    def clean_choices(self) -> list[str]:
        text: str = self.cleaned_data.get("choices") or ""
        return [line for line in text.splitlines() if line.strip()]
