from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone, and I want to erase my account."),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you want to erase it.")},
    )
