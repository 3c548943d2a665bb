"""How allauth creates accounts and confirms emails in Townhall."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from . import actions
from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.display_name = data.get("display_name") or user.email.split("@")[0]
        user.preferred_language = data.get("preferred_language") or "en"
        if commit:
            user.save()
            actions.record_sign_up(user=user)
        return user

    def confirm_email(self, request: HttpRequest, email_address: Any) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed and email_address.user.email.lower() == email_address.email.lower():
            actions.mark_email_verified(user=email_address.user)
        return confirmed
