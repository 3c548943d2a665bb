from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Agency

from .deadlines import MAX_WORKING_DAYS, MIN_WORKING_DAYS


class DueDateForm(forms.Form):
    """ "When is my answer due?": a plain GET form, so it works without JavaScript."""

    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        to_field_name="slug",
        empty_label=_("Choose an agency"),
        help_text=_("We use its holidays, its time zone and the days it was closed."),
        error_messages={
            "required": _("Choose the agency you asked."),
            "invalid_choice": _("Choose an agency from the list."),
        },
    )
    received_date = forms.DateField(
        label=_("Date your request was received"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("As shown on your confirmation, for example 2026-11-20."),
        error_messages={
            "required": _("Enter the date your request was received."),
            "invalid": _("Enter a real date, for example 2026-11-20."),
        },
    )
    received_time = forms.TimeField(
        label=_("Time it was received"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "In the agency's local time. It does not change the answer: a request counts "
            "from the day it arrived, even late at night."
        ),
        error_messages={"invalid": _("Enter a time such as 14:30.")},
    )
    working_days = forms.IntegerField(
        label=_("Number of working days"),
        min_value=MIN_WORKING_DAYS,
        max_value=MAX_WORKING_DAYS,
        help_text=_("From the service's standard: 20 for a freedom-of-information request."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Enter the number of working days."),
            "invalid": _("Enter a whole number of working days, such as 20."),
            "min_value": _("Enter at least %(limit_value)s working day."),
            "max_value": _("Enter at most %(limit_value)s working days."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"received_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = Agency.objects.published().only(
            "pk", "name", "slug", "jurisdiction", "time_zone"
        )
