"""The citizen's forms: finding a service, filing a request in steps, replying, reopening.

Filing has three steps, each a form: `RequestDetailsForm` (what it is about: the
description, the service's questions, public or private), `RequestLocationForm` (where:
an address and/or a latitude and longitude; never a map) and `RequestSendForm` (files and
the one-time token that makes a double-clicked "Send" file once). The page carries what
earlier steps said as hidden fields, so nothing is kept on the server until the request
is sent, and going back never loses what was typed. Files cannot be carried from page to
page: they are chosen on the last step.

The forms check the shape of what people type; the rules (answers, the service area,
who may file) are the actions' and the service's, and their errors come back to the
field they are about.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import AttributeDatatype, Service, ServiceAttribute
from townhall.conversations.models import BODY_MAX_LENGTH

from .models import (
    ADDRESS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    REASON_MAX_LENGTH,
)

ANSWER_PREFIX = "answer_"
# A list question with more choices than this is a drop-down rather than radio buttons.
RADIO_CHOICES_LIMIT = 6
SEARCH_MAX_LENGTH = 100
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,100}\Z")


def new_idempotency_key() -> str:
    """A fresh one-time token for one filing form."""
    return secrets.token_urlsafe(24)


class ServiceSearchForm(forms.Form):
    """The service finder's search box: a GET form, so it works without JavaScript."""

    q = forms.CharField(
        label=_("Search for a service"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("For example “pothole”, “noise” or “records”."),
        widget=forms.TextInput(attrs={"type": "search"}),
        error_messages={
            "max_length": _("Keep your search to %(limit_value)d characters or fewer.")
        },
    )

    def terms(self) -> list[str]:
        if not self.is_valid():
            return []
        text = self.cleaned_data["q"].replace("\x00", " ")
        return text.split()[:10]


def _answer_field(attribute: ServiceAttribute) -> forms.Field:
    """The form field for one of the service's questions. Answers stay text here: the
    service's own check (`Service.validate_answers`) reads and judges them."""
    common: dict[str, Any] = {
        "label": attribute.description,
        "required": attribute.required,
        "help_text": attribute.datatype_description,
        "error_messages": {
            "required": _("Answer the question “%(question)s”.")
            % {"question": attribute.description[:80]}
        },
    }
    datatype = attribute.datatype
    if datatype in (AttributeDatatype.SINGLE_VALUE_LIST, AttributeDatatype.MULTI_VALUE_LIST):
        choices = [(str(choice["key"]), choice["name"]) for choice in attribute.values]
        common["error_messages"]["invalid_choice"] = _("Choose one of the answers offered.")
        if datatype == AttributeDatatype.MULTI_VALUE_LIST:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        if len(choices) > RADIO_CHOICES_LIMIT:
            return forms.ChoiceField(
                choices=[("", _("Choose an answer")), *choices], widget=forms.Select, **common
            )
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if datatype == AttributeDatatype.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
    if datatype == AttributeDatatype.NUMBER:
        return forms.CharField(
            max_length=64, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
        )
    if datatype == AttributeDatatype.DATE:
        return forms.CharField(
            max_length=64, widget=forms.DateInput(attrs={"type": "date"}), **common
        )
    if datatype == AttributeDatatype.DATETIME:
        return forms.CharField(
            max_length=64, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    return forms.CharField(**common)


class RequestDetailsForm(forms.Form):
    """Step 1: the request in the citizen's words, the service's questions, who can see it."""

    description = forms.CharField(
        label=_("Describe your request"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Describe your request in a few words."),
            "max_length": _(
                "Keep the description to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        attributes = list(service.attributes.all())
        self.questions = [attribute for attribute in attributes if attribute.variable]
        self.notes = [attribute for attribute in attributes if not attribute.variable]
        description = self.fields["description"]
        if service.public_by_default and not service.allows_private:
            description.help_text = _(
                "Your request and its answer will be published. Leave out anything personal."
            )
        else:
            description.help_text = _("What happened, or what you need, in your own words.")
        for attribute in self.questions:
            self.fields[ANSWER_PREFIX + attribute.code] = _answer_field(attribute)
        if service.allows_private:
            self.fields["visibility"] = forms.ChoiceField(
                label=_("Who can see your request?"),
                choices=[
                    (
                        "public",
                        _("Anyone: it is published so others can follow it and say “me too”"),
                    ),
                    ("private", _("Only me and the staff handling it")),
                ],
                initial="public" if service.public_by_default else "private",
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose who can see your request."),
                    "invalid_choice": _("Choose who can see your request."),
                },
            )

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[ANSWER_PREFIX + attribute.code] for attribute in self.questions]

    def raw_answers(self) -> dict[str, Any]:
        """The answers as typed ({question code: text or list}), unanswered ones left out."""
        answers: dict[str, Any] = {}
        for attribute in self.questions:
            value = self.cleaned_data.get(ANSWER_PREFIX + attribute.code)
            if value not in (None, "", []):
                answers[attribute.code] = value
        return answers

    def is_public(self) -> bool | None:
        """True or False when the citizen chose; None leaves it to the service."""
        if "visibility" not in self.fields:
            return None
        return bool(self.cleaned_data.get("visibility") == "public")

    def clean_description(self) -> str:
        return str(self.cleaned_data["description"]).strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(field.errors for field in self.answer_fields()):
            return cleaned
        try:
            self.service.validate_answers(self.raw_answers())
        except ValidationError as error:
            self.add_action_errors(error)
        return cleaned

    def add_action_errors(self, error: ValidationError) -> None:
        """Put the errors of an answers check on the questions they are about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for code, messages in error.message_dict.items():
            field = ANSWER_PREFIX + code
            self.add_error(field if field in self.fields else None, messages)

    def answers_for_review(self) -> list[tuple[str, str]]:
        """(question, answer as people read it) for the review page."""
        rows = []
        for attribute in self.questions:
            value = self.cleaned_data.get(ANSWER_PREFIX + attribute.code)
            if value in (None, "", []):
                continue
            names = {str(choice["key"]): choice["name"] for choice in attribute.values}
            if isinstance(value, list):
                shown = ", ".join(str(names.get(key, key)) for key in value)
            else:
                shown = names.get(value, value)
            rows.append((attribute.description, shown))
        return rows


def _coordinate(value: str, *, limit: int, name: Any) -> Decimal | None:
    text = value.strip().replace(",", ".") if value else ""
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(
            _("Enter the %(name)s as a number, such as %(example)s."),
            params={"name": name, "example": "39.7817" if limit == 90 else "-89.6501"},
        )
    if abs(number) > limit:
        raise ValidationError(
            _("The %(name)s must be between -%(limit)d and %(limit)d."),
            params={"name": name, "limit": limit},
        )
    return number.quantize(Decimal("0.000001"))


class RequestLocationForm(forms.Form):
    """Step 2: where it is. An address, or a latitude and longitude (a phone can fill
    these in with "Use my location"), or both. A map is never required."""

    address = forms.CharField(
        label=_("Address or description of the place"),
        required=False,
        max_length=ADDRESS_MAX_LENGTH,
        help_text=_("For example “outside 12 Monroe St” or “corner of 5th and Adams”."),
        error_messages={
            "max_length": _("Keep the address to %(limit_value)d characters or fewer.")
        },
    )
    latitude = forms.CharField(
        label=_("Latitude"),
        required=False,
        max_length=32,
        help_text=_("Degrees north, such as 39.7817."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        required=False,
        max_length=32,
        help_text=_("Degrees east; west is negative, such as -89.6501."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        if service.location_required:
            self.fields["address"].help_text = _(
                "Give an address or describe the place, or enter its latitude and longitude "
                "below. For example “outside 12 Monroe St”."
            )

    def clean_address(self) -> str:
        return " ".join(str(self.cleaned_data["address"]).split())

    def clean_latitude(self) -> Decimal | None:
        return _coordinate(self.cleaned_data["latitude"], limit=90, name=_("latitude"))

    def clean_longitude(self) -> Decimal | None:
        return _coordinate(self.cleaned_data["longitude"], limit=180, name=_("longitude"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if latitude is not None and longitude is None:
            self.add_error("longitude", _("Enter the longitude too, or clear the latitude."))
        elif longitude is not None and latitude is None:
            self.add_error("latitude", _("Enter the latitude too, or clear the longitude."))
        elif self.service.location_required and latitude is None and not cleaned.get("address"):
            self.add_error(
                "address",
                _("Say where it is: give an address or describe the place."),
            )
        return cleaned

    def add_action_errors(self, messages: Iterable[str]) -> None:
        """A location the action refused (outside the service area, say): on the address
        when no coordinates were given, else on the latitude."""
        has_point = self.cleaned_data.get("latitude") is not None
        self.add_error("latitude" if has_point else "address", list(messages))


# What the file picker offers first; `check_uploads` judges the content whatever the name.
ACCEPTED_FILES = ".jpg,.jpeg,.png,.gif,.webp,.pdf,.txt,.csv"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe). The checks that matter
    (size, kind, content) are `conversations.attachments.check_uploads`'."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        if not data:
            return []
        return [super().clean(data, initial)]


def _files_help() -> str:
    return _(
        "Photos (JPEG, PNG, GIF or WebP), PDF documents or plain text: up to %(count)d "
        "files of at most %(size)d MB each. We remove the location and camera details "
        "hidden in photos."
    ) % {
        "count": settings.ATTACHMENT_MAX_FILES,
        "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
    }


_EXPIRED = _("This form has expired. Check your request and send it again.")


class RequestSendForm(forms.Form):
    """Step 3: files, and the one-time token that files a double-clicked "Send" once."""

    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=IDEMPOTENCY_KEY_MAX_LENGTH,
        validators=[RegexValidator(IDEMPOTENCY_KEY_PATTERN, message=_EXPIRED)],
        error_messages={"required": _EXPIRED, "max_length": _EXPIRED},
    )
    attachments = MultipleFileField(label=_("Add photos or documents"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _files_help()


class ReplyForm(forms.Form):
    """The requester's reply on their own request (an answer to a question, say)."""

    body = forms.CharField(
        label=_("Your reply"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text; you can use Markdown for lists and links."),
        error_messages={
            "required": _("Write your reply before sending it."),
            "max_length": _(
                "Keep your reply to %(limit_value)d characters or fewer (it has %(show_value)d)."
            ),
        },
    )
    attachments = MultipleFileField(label=_("Add photos or documents"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _files_help()

    def clean_body(self) -> str:
        return str(self.cleaned_data["body"]).strip()


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you reopening it?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the request: say what is still missing or wrong."),
        error_messages={
            "required": _("Say why you are reopening the request."),
            "max_length": _(
                "Keep the reason to %(limit_value)d characters or fewer (it has %(show_value)d)."
            ),
        },
    )

    def clean_reason(self) -> str:
        return str(self.cleaned_data["reason"]).strip()
