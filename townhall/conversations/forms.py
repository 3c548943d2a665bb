"""Forms of the conversation pages. They check the shape of what was typed; the actions
decide what is allowed (and check bodies, subjects and promises again)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.commitments.models import DESCRIPTION_MAX_LENGTH

from .models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH

# What the file picker offers first; `attachments.check_uploads` judges the content.
ACCEPTED_FILES = ".jpg,.jpeg,.png,.gif,.webp,.pdf,.txt,.csv"
# A promise is due at the end of its day in the agency's time zone.
END_OF_DAY = time(23, 59, 59)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        if not data:
            return []
        return [super().clean(data, initial)]


def style_widgets(form: forms.Form) -> None:
    """The US Web Design System's classes on each input."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("class", "usa-textarea")
        elif isinstance(widget, forms.FileInput):
            continue
        else:
            widget.attrs.setdefault("class", "usa-input")


def _files_help() -> str:
    return str(
        _(
            "Photos (JPEG, PNG, GIF or WebP), PDF documents or plain text: up to %(count)d "
            "files of at most %(size)d MB each."
        )
    ) % {
        "count": settings.ATTACHMENT_MAX_FILES,
        "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
    }


def _body_field(label: Any, required_message: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("You can use Markdown: **bold**, *italics*, lists and links."),
        error_messages={
            "required": required_message,
            "max_length": _(
                "Your message is %(show_value)s characters long; messages can be at most "
                "%(limit_value)s characters."
            ),
        },
    )


class MessageForm(forms.Form):
    body = _body_field(_("Message"), _("Write a message."))
    attachments = MultipleFileField(label=_("Attach files"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _files_help()
        style_widgets(self)


class ConversationStartForm(MessageForm):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX_LENGTH,
        help_text=_("A few words, such as “Pothole on Monroe Street”."),
        error_messages={
            "required": _("Say in a few words what it is about."),
            "max_length": _("Keep the subject to %(limit_value)s characters or fewer."),
        },
    )
    field_order = ["subject", "body", "attachments"]


class StaffReplyForm(MessageForm):
    """A staff member's reply, signed with their work persona, with an optional promise."""

    promise = forms.CharField(
        label=_("Promise (optional)"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_("Only if you promise something, such as “I will call you”."),
        error_messages={
            "max_length": _("Keep the promise to %(limit_value)s characters or fewer.")
        },
    )
    promise_date = forms.DateField(
        label=_("Promised by (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Due at the end of that day, in the agency's local time."),
        error_messages={"invalid": _("Enter a real date, for example 2026-11-20.")},
    )

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        style_widgets(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        promise = " ".join((cleaned.get("promise") or "").split())
        day = cleaned.get("promise_date")
        cleaned["promise"], cleaned["promise_due_at"] = promise, None
        if "promise" in self.errors or "promise_date" in self.errors:
            return cleaned
        if promise and day is None:
            self.add_error("promise_date", _("Give the date by which you promise it."))
        elif day is not None and not promise:
            self.add_error("promise", _("Say what you promise by that date."))
        elif promise and day is not None:
            due_at = promise_due_at(day, self.time_zone)
            if due_at <= timezone.now():
                self.add_error("promise_date", _("A promise must be due in the future."))
            else:
                cleaned["promise_due_at"] = due_at
        return cleaned


class MessageEditForm(forms.Form):
    body = _body_field(_("Message"), _("Write a message."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


def promise_due_at(day: date, time_zone: str) -> datetime:
    """The end of `day` in the agency's time zone."""
    try:
        zone = ZoneInfo(time_zone)
    except (ValueError, KeyError, OSError):
        zone = ZoneInfo("UTC")
    return datetime.combine(day, END_OF_DAY, tzinfo=zone)
