"""How allauth creates accounts and confirms emails in Townhall."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.requests import RequestSite
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import actions
from .languages import use_language
from .models import User
from .tasks import deliver_email


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """allauth's form takes up to 320 characters; our accounts hold up to 254."""
        email = super().clean_email(email)
        limit = User._meta.get_field("email").max_length or 254
        if len(email) > limit:
            raise forms.ValidationError(
                _("Enter an email address of at most %(limit)d characters.") % {"limit": limit}
            )
        return email

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render now (in the request's language), send from the task queue.

        With the database queue the task is stored in the same transaction as whatever
        caused the email, so the email goes out if and only if that change is kept.
        """
        message = self.render_mail(template_prefix, email, self._mail_context(email, context))
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next(
                (
                    str(content)
                    for content, mimetype in message.alternatives
                    if mimetype == "text/html"
                ),
                "",
            )
        deliver_email.enqueue(
            subject=str(message.subject),
            body=str(message.body),
            from_email=str(message.from_email),
            to=[str(address) for address in message.to],
            html=html,
        )

    def _mail_context(self, email: str, context: dict[str, Any]) -> dict[str, Any]:
        """allauth's context, with this site named as settings say (not the Sites table)."""
        request = allauth_context.request
        site = RequestSite(request)
        site.name = settings.SITE_NAME
        return {"request": request, "email": email, **context, "current_site": site}

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

    def post_login(
        self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
    ) -> HttpResponse:
        """Speak the person's preferred language from the moment they are in."""
        language = getattr(user, "preferred_language", "")
        if language:
            # Before allauth adds its "signed in" message, so the message is translated.
            translation.activate(language)
        response = super().post_login(request, user, **kwargs)
        if language:
            use_language(request, response, language)
        return response
