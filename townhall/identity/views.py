"""The account pages: what we hold about you, and editing your profile.

Sign-in, sign-up, email, password and two-factor pages are allauth's (under
/accounts/), drawn with our templates in townhall/templates/{account,mfa,allauth}/.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from . import actions
from .forms import ProfileForm
from .languages import use_language
from .models import AssuranceRecord, User


def _own_account(request: HttpRequest) -> User:
    """The signed-in person's own account: nobody reaches another's through these pages."""
    return get_object_or_404(User.objects.visible_to(request.user), pk=request.user.pk)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    account = _own_account(request)
    has_second_factor = Authenticator.objects.filter(
        user=account, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
    records = AssuranceRecord.objects.visible_to(request.user).filter(user=account)
    revoked = records.filter(revoked_at__isnull=False).order_by("-revoked_at")[:3]
    providers = SocialApp.objects.filter(
        provider="openid_connect", sites__id=settings.SITE_ID
    ).order_by("name")
    connected = set(SocialAccount.objects.filter(user=account).values_list("provider", flat=True))
    return render(
        request,
        "identity/account.html",
        {
            "account": account,
            "has_second_factor": has_second_factor,
            "assurance_record": actions.current_assurance_record(account),
            "revoked_records": list(revoked),
            "identity_providers": [app for app in providers if app.provider_id not in connected],
        },
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    account = _own_account(request)
    # The form edits a copy, so a rejected form never leaves half-changed values behind.
    form = ProfileForm(request.POST or None, instance=_own_account(request))
    if request.method == "POST" and form.is_valid():
        account = actions.update_profile(
            by=request.user,
            user=account,
            display_name=form.cleaned_data["display_name"],
            legal_name=form.cleaned_data["legal_name"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        response = redirect("identity:account")
        use_language(request, response, account.preferred_language)
        messages.success(request, gettext("Your profile is saved."))
        return response
    return render(request, "identity/profile_form.html", {"form": form, "account": account})
