"""Forms of the public discussion pages. They check the shape of what was typed; the
actions in `discussions` decide what is allowed (and check titles and bodies again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .discussions import MENTION_HELP
from .forms import style_widgets
from .models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, TOPIC_MAX_LENGTH


def _body_field() -> forms.CharField:
    return forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("You can use Markdown: **bold**, *italics*, lists and links.")
        + " "
        + MENTION_HELP,
        error_messages={
            "required": _("Write a message."),
            "max_length": _(
                "Your message is %(show_value)s characters long; messages can be at most "
                "%(limit_value)s characters."
            ),
        },
    )


class DiscussionStartForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=SUBJECT_MAX_LENGTH,
        help_text=_("A few words, such as “Snow clearing on the east side”."),
        error_messages={
            "required": _("Say in a few words what it is about."),
            "max_length": _("Keep the title to %(limit_value)s characters or fewer."),
        },
    )
    topic = forms.CharField(
        label=_("Topic (optional)"),
        max_length=TOPIC_MAX_LENGTH,
        required=False,
        help_text=_("A label that groups discussions, such as “Snow”."),
        error_messages={"max_length": _("Keep the topic to %(limit_value)s characters or fewer.")},
    )
    body = _body_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class DiscussionMessageForm(forms.Form):
    """A message or a reply (`parent`); staff of the agency may mark it the official answer."""

    body = _body_field()
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    official = forms.BooleanField(
        label=_("This is the official answer of my agency"),
        required=False,
        help_text=_("Shown with an “Official answer” badge naming you."),
    )

    def __init__(self, *args: Any, may_answer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_answer:
            del self.fields["official"]
        style_widgets(self)
        if "official" in self.fields:
            self.fields["official"].widget.attrs["class"] = "usa-checkbox__input"
