"""How allauth creates accounts, confirms emails and signs people in through identity
providers in Townhall."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.models import Site
from django.contrib.sites.requests import RequestSite
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import actions, oidc
from .languages import use_language
from .models import IdentityProviderPolicy, User
from .sessions import note_sign_in
from .tasks import deliver_email

logger = logging.getLogger("townhall.identity.sign_in")


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
        """allauth's context, with this site named as settings say (not the Sites table).

        Some notices (a factor added) are sent after the transaction commits, possibly
        outside the request: the site is then the one SITE_URL names."""
        request = allauth_context.request
        site: Any
        if request is not None:
            site = RequestSite(request)
        else:
            site = Site(domain=urlsplit(settings.SITE_URL).netloc, name=settings.SITE_NAME)
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


def _claims(sociallogin: SocialLogin) -> dict[str, Any]:
    """The ID token's claims, completed by the userinfo endpoint's (the token wins)."""
    data = sociallogin.account.extra_data or {}
    return {**(data.get("userinfo") or {}), **(data.get("id_token") or {})}


def _refusal(exception: BaseException | None, state: Any) -> str:
    """Why a sign-in through a provider failed, in words for the person (and the log)."""
    if isinstance(exception, oidc.NonceMismatch):
        return gettext(
            "The identity provider's answer did not belong to this sign-in (its nonce did "
            "not match), so we did not accept it."
        )
    if isinstance(exception, requests.RequestException):
        return gettext(
            "The identity provider did not answer. It may be down for a moment: try again "
            "in a few minutes."
        )
    if isinstance(exception, OAuth2Error):
        return gettext(
            "The identity provider's answer failed our security checks (its signature, "
            "issuer, audience or expiry), so we did not accept it."
        )
    if state is None:
        return gettext(
            "This sign-in did not start on this site, or it took too long (the security "
            "check on its state failed), so we stopped it."
        )
    return gettext("The identity provider did not sign you in.")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through OpenID Connect providers (`oidc.py` has the protocol additions)."""

    def get_provider(self, request: HttpRequest, provider: Any, client_id: Any = None) -> Any:
        found = super().get_provider(request, provider, client_id=client_id)
        if type(found) is OpenIDConnectProvider:
            return oidc.TownhallOIDCProvider(request, app=found.app)
        return found

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Refuse an ID token whose nonce is missing or not the one this sign-in sent."""
        provider = sociallogin.provider
        if isinstance(provider, OpenIDConnectProvider):
            id_token = (sociallogin.account.extra_data or {}).get("id_token")
            if not oidc.nonce_matches(sociallogin.state, id_token):
                raise ImmediateHttpResponse(
                    render_authentication_error(
                        request,
                        provider,
                        exception=oidc.NonceMismatch("nonce missing or not this sign-in's"),
                        extra_context={"state": sociallogin.state},
                    )
                )

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """Log the refusal for administrators and tell the person why, plainly."""
        context = extra_context if extra_context is not None else {}
        state = context.get("state")
        reason = _refusal(exception, state)
        context["townhall_reason"] = reason
        logger.warning(
            "identity provider sign-in refused: provider=%s error=%s exception=%s reason=%s",
            getattr(getattr(provider, "app", None), "provider_id", provider),
            error,
            type(exception).__name__ if exception else "",
            reason,
        )

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: Any) -> Any:
        """The provider's name claim is a legal name: it never becomes the public name."""
        user = super().populate_user(request, sociallogin, data)
        claims = _claims(sociallogin)
        policy = IdentityProviderPolicy.objects.filter(
            provider_id=sociallogin.account.provider
        ).first()
        name = claims.get(policy.name_claim if policy else "name")
        if isinstance(name, str):
            user.legal_name = name.strip()[:200]
        username = claims.get("preferred_username")
        email = user.email or ""
        public = username if isinstance(username, str) and username.strip() else ""
        user.display_name = (public or email.split("@")[0] or "Citizen").strip()[:80]
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form=form)
        if form is None:  # With a form, the account adapter's save_user logged it.
            actions.record_sign_up(user=user)
        return user


def record_provider_assurance(sociallogin: SocialLogin, user: Any) -> None:
    """After a sign-in or a connection through an OpenID Connect provider: raise the
    account's level as far as the provider's claims, under its policy, support."""
    provider = sociallogin.provider
    if not isinstance(provider, OpenIDConnectProvider) or user is None:
        return
    actions.record_provider_sign_in(
        user=user,
        provider_id=provider.app.provider_id,
        provider_name=provider.app.name,
        claims=_claims(sociallogin),
    )


def _on_any_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Start the session's clocks (staff session limits); a level that has expired since
    the last visit is lowered as the person comes in."""
    note_sign_in(request)
    if actions.has_lapsed_assurance(user):
        actions.refresh_assurance(user=user)


def _on_user_logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None:
        record_provider_assurance(sociallogin, user)


def _on_social_account_added(sender: Any, request: HttpRequest, sociallogin: Any, **_: Any) -> None:
    record_provider_assurance(sociallogin, sociallogin.user)


def connect_signals() -> None:
    """allauth's sign-in and connect signals hand the claims to `record_provider_assurance`."""
    from allauth.account.signals import user_logged_in
    from allauth.socialaccount.signals import social_account_added
    from django.contrib.auth.signals import user_logged_in as any_sign_in

    any_sign_in.connect(_on_any_sign_in, dispatch_uid="townhall.identity.lapsed_assurance")

    user_logged_in.connect(_on_user_logged_in, dispatch_uid="townhall.identity.provider_login")
    social_account_added.connect(
        _on_social_account_added, dispatch_uid="townhall.identity.provider_connect"
    )
