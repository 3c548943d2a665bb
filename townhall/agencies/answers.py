"""Checking a citizen's answers to a service's questions (its Open311 attributes).

Pure code, no database: the filing form, the REST API and the Open311 adapter all hand the
answers they received to `clean_answers` (through `Service.validate_answers`) and store
what it returns. The result is plain JSON: strings, numbers and lists of strings.

What comes back, per datatype:

- ``string`` / ``text``: the text, stripped (one line of up to 500 characters, or up to
  10,000 characters).
- ``number``: an int when the number is whole, otherwise a float.
- ``date``: ``YYYY-MM-DD``. Open311 has no date type; the adapter offers it as ``datetime``,
  so a date and time is accepted too and taken as the day it names (offset ignored).
- ``datetime``: ISO 8601 with an offset; a time without one is read in the agency's zone.
- ``singlevaluelist``: the chosen key.
- ``multivaluelist``: the chosen keys, in the order the service lists them.

Empty answers (nothing, "", blanks, []) count as not answered; unanswered optional
questions are left out. Errors are one `ValidationError` with a message per attribute code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

STRING_MAX_LENGTH = 500
TEXT_MAX_LENGTH = 10_000
NUMBER_MAX_MAGNITUDE = 10**15
MAX_ANSWERS = 200  # more answers than any service has questions is not a form, it is noise
LIST_TYPES = frozenset({"singlevaluelist", "multivaluelist"})


class Question(Protocol):
    """What `clean_answers` needs of an attribute (a `ServiceAttribute` has it all)."""

    code: str
    description: str
    datatype: str
    required: bool
    variable: bool
    values: Sequence[Mapping[str, str]]


class _Refused(Exception):
    """One answer is not acceptable; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return len(value) == 0
    return False


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise _Refused(_("Answer with text."))
    text = value.strip()
    if "\x00" in text:
        raise _Refused(_("The answer contains a character that cannot be stored."))
    if len(text) > limit:
        raise _Refused(
            _("Keep the answer to %(limit)s characters or fewer (it has %(length)s).")
            % {"limit": f"{limit:,}", "length": f"{len(text):,}"}
        )
    return text


def _number(value: Any) -> int | float:
    message = _("Answer with a number, such as 3 or 2.5.")
    if isinstance(value, bool):
        raise _Refused(message)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _Refused(message)
        number = Decimal(repr(value))
    elif isinstance(value, str) and len(value) <= 64:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise _Refused(message) from None
        if not number.is_finite():
            raise _Refused(message)
    else:
        raise _Refused(message)
    if abs(number) > NUMBER_MAX_MAGNITUDE:
        raise _Refused(_("The number is too large."))
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _date(value: Any) -> str:
    """A day. A date and time is taken as the day it names: Open311 clients see a date
    question as `datetime` and may send a time with it."""
    message = _("Answer with a date, such as 2026-03-31.")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or len(value) > 64:
        raise _Refused(message)
    text = value.strip()
    try:
        parsed = parse_date(text)
        moment = None if parsed is not None else parse_datetime(text)
    except ValueError:  # well formed but not a real day (2026-02-30)
        raise _Refused(_("“%(value)s” is not a real date.") % {"value": text}) from None
    if parsed is not None:
        return parsed.isoformat()
    if moment is not None:
        return moment.date().isoformat()
    raise _Refused(message)


def _datetime(value: Any, time_zone: ZoneInfo) -> str:
    message = _("Answer with a date and time, such as 2026-03-31T14:30:00-05:00.")
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) <= 64:
        text = value.strip()
        try:
            if parse_date(text) is not None:  # a day alone says nothing about the time
                raise _Refused(message)
            parsed = parse_datetime(text)
        except ValueError:
            raise _Refused(
                _("“%(value)s” is not a real date and time.") % {"value": value.strip()}
            ) from None
        if parsed is None:
            raise _Refused(message)
        moment = parsed
    else:
        raise _Refused(message)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=time_zone)
    return moment.isoformat()


def _key(value: Any) -> str:
    """A list answer is a key: a string, or a whole number standing for one."""
    if isinstance(value, bool):
        raise _Refused(_("Answer with the key of a choice."))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    raise _Refused(_("Answer with the key of a choice."))


def _not_a_choice(key: str, keys: list[str]) -> _Refused:
    return _Refused(
        _("“%(value)s” is not one of the choices: %(choices)s.")
        % {"value": _shorten(key, 40), "choices": ", ".join(keys)}
    )


def _single(value: Any, keys: list[str]) -> str:
    if isinstance(value, list | tuple):
        if len(value) > 1:
            raise _Refused(_("Choose only one answer."))
        value = value[0]
    key = _key(value)
    if key not in keys:
        raise _not_a_choice(key, keys)
    return key


def _multiple(value: Any, keys: list[str]) -> list[str]:
    items = list(value) if isinstance(value, list | tuple) else [value]
    chosen = set()
    for item in items:
        key = _key(item)
        if key not in keys:
            raise _not_a_choice(key, keys)
        chosen.add(key)
    return [key for key in keys if key in chosen]


def _clean_one(question: Question, value: Any, time_zone: ZoneInfo) -> Any:
    datatype = question.datatype
    if datatype == "string":
        return _text(value, STRING_MAX_LENGTH)
    if datatype == "text":
        return _text(value, TEXT_MAX_LENGTH)
    if datatype == "number":
        return _number(value)
    if datatype == "date":
        return _date(value)
    if datatype == "datetime":
        return _datetime(value, time_zone)
    keys = [str(choice["key"]) for choice in question.values]
    if datatype == "singlevaluelist":
        return _single(value, keys)
    if datatype == "multivaluelist":
        return _multiple(value, keys)
    raise ValueError(f"Unknown datatype {datatype!r} for attribute {question.code!r}.")


def clean_answers(
    questions: Iterable[Question], answers: Mapping[Any, Any] | None, *, time_zone: str | ZoneInfo
) -> dict[str, Any]:
    """Check `answers` ({attribute code: value}) against `questions`, in their order.

    Returns the cleaned answers, or raises `ValidationError` whose `message_dict` has a
    message for each attribute code that is missing, unknown or not acceptable.
    """
    if answers is None:
        answers = {}
    if not isinstance(answers, Mapping):
        raise ValidationError(
            _("Send the answers as an object of attribute codes and values."), code="invalid"
        )
    if len(answers) > MAX_ANSWERS:
        raise ValidationError(
            _("Too many answers: this service asks far fewer questions."), code="invalid"
        )
    zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
    questions = list(questions)
    by_code = {question.code: question for question in questions}
    given = {str(code): value for code, value in answers.items()}
    errors: dict[str, list[str]] = {}
    for code in given:
        question = by_code.get(code)
        if question is None:
            errors[code[:64]] = [
                _("This service asks no question with the code “%(code)s”.")
                % {"code": _shorten(code, 64)}
            ]
        elif not question.variable and not _is_empty(given[code]):
            errors[code] = [_("This is information for you to read; it takes no answer.")]
    cleaned: dict[str, Any] = {}
    for question in questions:
        if not question.variable or question.code in errors:
            continue
        value = given.get(question.code)
        if _is_empty(value):
            if question.required:
                errors[question.code] = [
                    _("Answer the question “%(question)s”.")
                    % {"question": _shorten(question.description)}
                ]
            continue
        try:
            cleaned[question.code] = _clean_one(question, value, zone)
        except _Refused as refused:
            errors[question.code] = [refused.message]
    if errors:
        raise ValidationError(errors)
    return cleaned
