from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupDetailsForm(forms.Form):
    """The fields allauth's sign-up form adds to email and password."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown next to what you write in public. It need not be your real name."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES, initial="en"
    )

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the name others will see."))
        return name

    def signup(self, request: object, user: User) -> None:
        """allauth saves the user itself; the adapter has already copied our fields."""


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "legal_name", "preferred_language"]

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the name others will see."))
        return name


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("So you can tell your tokens apart, for example “my laptop script”."),
    )
