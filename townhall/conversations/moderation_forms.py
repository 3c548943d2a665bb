"""Forms of the moderation pages. They carry what was typed; the actions in `moderation`
judge it (lengths, emptiness) and their refusals are shown next to the fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .moderation_models import (
    APPEAL_MAX_LENGTH,
    FLAG_REASON_MAX_LENGTH,
    PUBLIC_REASON_MAX_LENGTH,
    FlagCategory,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


@dataclass(frozen=True)
class AppealWording:
    """What the appeal pages say about what was hidden (a message, a consultation
    comment): whole sentences, so that each stays one string to translate."""

    question: StrOrPromise  # the appeal's label: why should it be shown again?
    restore: StrOrPromise  # the decision's choice to show it again
    choose: StrOrPromise  # when the moderator chose neither
    decision_help: StrOrPromise  # the decision's help text
    restored: StrOrPromise  # told to the moderator: the appeal accepted
    upheld: StrOrPromise  # told to the moderator: the appeal refused


MESSAGE_WORDING = AppealWording(
    question=_("Why should the message be shown again?"),
    restore=_("Restore the message"),
    choose=_("Choose whether to restore the message."),
    decision_help=_("The author is told. When the message is restored, it is also public."),
    restored=_("The appeal is accepted and the message restored."),
    upheld=_("The appeal is refused; the message stays hidden."),
)


class AppealForm(forms.Form):
    """The author's appeal, worded for what was hidden."""

    text = forms.CharField(
        help_text=_("The moderators read this. You can appeal once."),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"class": "usa-textarea", "rows": 5, "maxlength": APPEAL_MAX_LENGTH}
        ),
    )

    def __init__(self, *args: Any, wording: AppealWording, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = wording.question


class DecisionForm(forms.Form):
    """A moderator's decision on an appeal, worded for what was hidden."""

    outcome = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    decision = forms.CharField(
        label=_("Reason for the decision"),
        required=False,
        max_length=PUBLIC_REASON_MAX_LENGTH * 4,  # the action says when it is too long
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )

    def __init__(self, *args: Any, wording: AppealWording, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outcome = cast(forms.ChoiceField, self.fields["outcome"])
        outcome.choices = [("restore", wording.restore), ("uphold", _("Keep it hidden"))]
        outcome.error_messages["required"] = wording.choose
        self.fields["decision"].help_text = wording.decision_help
