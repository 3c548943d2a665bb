"""Forms of the consultation pages. They check shape only; the actions judge the rest and
their refusals are shown next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    COMMENT_MAX_LENGTH,
    PASSAGE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    RESPONSE_MAX_LENGTH,
    SECTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Outcome,
    Stance,
)


def add_errors(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """Show an action's refusal next to the field it is about (or above the form)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            form.add_error(key if key in form.fields else None, messages)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error) or _("You cannot do that here."))


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "class": "usa-textarea"}),
        help_text=gettext_lazy("Markdown works: **bold**, lists, links."),
    )
    passage = forms.CharField(
        label=gettext_lazy("Passage you comment on (optional)"),
        required=False,
        max_length=PASSAGE_MAX_LENGTH,
        strip=False,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
        help_text=gettext_lazy("Copy the words exactly as they are written in the section."),
    )


class SupportForm(forms.Form):
    stance = forms.ChoiceField(label=gettext_lazy("Your stance"), choices=Stance.choices)
    reason = forms.CharField(
        label=gettext_lazy("Why (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )


class AmendmentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("The text you propose instead"),
        max_length=SECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "class": "usa-textarea"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "usa-textarea"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )


class ThemeForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Theme"),
        max_length=TITLE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )
    comments = forms.CharField(
        label=gettext_lazy("Comment numbers"),
        required=False,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
        help_text=gettext_lazy("The numbers of the comments it groups, separated by commas."),
    )

    def clean_comments(self) -> list[int]:
        text: str = self.cleaned_data.get("comments") or ""
        numbers: list[int] = []
        for part in text.replace(" ", ",").split(","):
            part = part.strip().lstrip("#")
            if not part:
                continue
            if not part.isdigit() or len(part) > 18:
                raise ValidationError(_("Write comment numbers such as 12, 15, 31."))
            numbers.append(int(part))
        return numbers[:1000]


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Outcome.choices)
    response = forms.CharField(
        label=gettext_lazy("Response and reason"),
        max_length=RESPONSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "class": "usa-textarea"}),
    )


class PublishForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("Summary of the response"),
        max_length=RESPONSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "class": "usa-textarea"}),
        help_text=gettext_lazy("What you heard and what changes in the final text (Markdown)."),
    )


def form_kwargs(request: Any) -> dict[str, Any]:
    return {"data": request.POST} if request.method == "POST" else {}
