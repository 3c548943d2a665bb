from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Agency, StaffMembership


class StaffDirectoryFilterForm(forms.Form):
    """The staff directory's filter: a plain GET form, so it works without JavaScript."""

    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All agencies"),
        error_messages={"invalid_choice": _("Choose an agency from the list.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = Agency.objects.published().only("pk", "name", "slug")
        agency_field.widget.attrs["class"] = "usa-select"


class StaffProfileForm(forms.Form):
    """What a staff member may change on their own work profile."""

    bio = forms.CharField(
        label=_("Short biography"),
        required=False,
        max_length=StaffMembership._meta.get_field("bio").max_length,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 5}),
        help_text=_("What you work on, in a few sentences. Shown as plain text."),
    )
    is_public_profile = forms.BooleanField(
        label=_("Show my profile in the public staff directory"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )

    def clean_bio(self) -> str:
        return self.cleaned_data["bio"].strip()
