from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import DocumentType, User


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


class VerifierLookupForm(forms.Form):
    """A verifier looks a person up by their exact email address."""

    email = forms.EmailField(
        label=_("Email address of the person in front of you"),
        max_length=254,
        help_text=_("Exactly the address they sign in with."),
    )


class InPersonCheckForm(forms.Form):
    """What a verifier records after seeing a person's identity document: its kind only.

    There is deliberately no field for the document's number (or any free text that
    could hold one)."""

    email = forms.EmailField(widget=forms.HiddenInput, max_length=254)
    document_type = forms.ChoiceField(
        label=_("Document you saw"),
        choices=DocumentType.choices,
        widget=forms.RadioSelect,
        help_text=_("Record only the kind of document. Never write down its number."),
    )
    acting_as = forms.TypedChoiceField(
        label=_("Acting as"), coerce=int, choices=(), widget=forms.RadioSelect
    )
    confirm = forms.BooleanField(
        label=_("I saw this document and it shows the person in front of me."),
        required=True,
    )

    def __init__(self, *args: Any, personas: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.personas = {persona.pk: persona for persona in personas}
        if len(self.personas) > 1:
            acting_as = self.fields["acting_as"]
            assert isinstance(acting_as, forms.TypedChoiceField)
            acting_as.choices = [(persona.pk, persona.signature) for persona in personas]
        else:
            del self.fields["acting_as"]

    def persona(self) -> Any:
        """The work persona chosen (or the only one; None for administrators without one)."""
        if "acting_as" in self.cleaned_data:
            return self.personas[self.cleaned_data["acting_as"]]
        return next(iter(self.personas.values()), None)
