"""Forms of the moderation pages. They carry what was typed; the actions in `moderation`
judge it (lengths, emptiness) and their refusals are shown next to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .moderation_models import (
    APPEAL_MAX_LENGTH,
    FLAG_REASON_MAX_LENGTH,
    PUBLIC_REASON_MAX_LENGTH,
    FlagCategory,
)


class FlagForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What kind of problem is it?"),
        choices=FlagCategory.choices,
        initial=FlagCategory.OTHER,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": _("Choose what kind of problem it is.")},
    )
    reason = forms.CharField(
        label=_("What is wrong with this message?"),
        help_text=_("Only the moderators read this."),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"class": "usa-textarea", "rows": 4, "maxlength": FLAG_REASON_MAX_LENGTH}
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason"),
        help_text=_("Shown to everyone in the thread and in the moderation log."),
        required=False,
        max_length=PUBLIC_REASON_MAX_LENGTH * 4,  # the action says when it is too long
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why should the message be shown again?"),
        help_text=_("The moderators read this. You can appeal once."),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"class": "usa-textarea", "rows": 5, "maxlength": APPEAL_MAX_LENGTH}
        ),
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("restore", _("Restore the message")),
            ("uphold", _("Keep it hidden")),
        ],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": _("Choose whether to restore the message.")},
    )
    decision = forms.CharField(
        label=_("Reason for the decision"),
        help_text=_("The author is told. When the message is restored, it is also public."),
        required=False,
        max_length=PUBLIC_REASON_MAX_LENGTH * 4,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )
