"""Forms of the joined-up view and My government. They validate; the actions write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NOTE_MAX_LENGTH, AccessReason
from .queries import CHANNELS


class ReasonForm(forms.Form):
    """Why a staff member opens a citizen's record (asked once a day)."""

    reason = forms.ChoiceField(
        label=_("Why are you opening this record?"),
        choices=[("", _("Choose a reason")), *AccessReason.choices],
        help_text=_("The citizen sees your work name, your agency and this reason."),
        error_messages={
            "required": _("Choose why you are opening this record."),
            "invalid_choice": _("Choose one of the reasons in the list."),
        },
    )
    subject = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)


def channel_choices() -> list[tuple[str, Any]]:
    labels = {
        "requests": _("Requests"),
        "conversations": _("Conversations"),
        "discussions": _("Discussion posts"),
        "comments": _("Consultation comments"),
        "commitments": _("Promises"),
        "notes": _("Notes shared by staff"),
    }
    return [("", _("Everything")), *((name, labels[name]) for name in CHANNELS)]


class TimelineFilterForm(forms.Form):
    channel = forms.ChoiceField(label=_("Show"), required=False, choices=channel_choices)
    agency = forms.ChoiceField(label=_("Agency"), required=False)

    def __init__(self, *args: Any, agencies: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [  # type: ignore[attr-defined]
            ("", _("Every agency")),
            *((agency.slug, agency.name) for agency in agencies),
        ]


class SharedNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note for staff of every agency"),
        help_text=_("The citizen can read it too. Write only what you would say to them."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX_LENGTH,
        error_messages={"required": _("Write a note.")},
    )


class ConsentForm(forms.Form):
    join_up = forms.BooleanField(
        label=_("Let staff of every agency see my records together"),
        required=False,
        help_text=_(
            "When this is on, a staff member helping you can see your private requests, "
            "conversations and promises with other agencies too. When it is off, each "
            "agency sees only its own records and what is public. Every look is listed "
            "below either way, and you can switch this off at any time."
        ),
    )
