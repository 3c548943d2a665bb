from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EmailFrequency


class EmailPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Email me about my notifications"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_("Every notification also appears in the notification centre."),
    )
