"""The account pages: what we hold about you, and editing your profile.

Sign-in, sign-up, email, password and two-factor pages are allauth's (under
/accounts/), drawn with our templates in townhall/templates/{account,mfa,allauth}/.
"""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialAccount, SocialApp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from . import actions
from .factor_policy import policy_of
from .forms import InPersonCheckForm, ProfileForm, VerifierLookupForm
from .languages import use_language
from .models import AssuranceRecord, User
from .sessions import return_to


def _own_account(request: HttpRequest) -> User:
    """The signed-in person's own account: nobody reaches another's through these pages."""
    return get_object_or_404(User.objects.visible_to(request.user), pk=request.user.pk)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    account = _own_account(request)
    second_factor = policy_of(account)
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
            "has_second_factor": second_factor.is_on,
            "second_factor": second_factor,
            "assurance_record": actions.current_assurance_record(account),
            "revoked_records": list(revoked),
            "identity_providers": [app for app in providers if app.provider_id not in connected],
            "return_to": return_to(request),
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


def _verifier_personas(user: Any) -> list[Any]:
    """The verifier's active work personas (the staff memberships they can act as)."""
    return list(
        user.staff_memberships.filter(is_active=True)
        .select_related("agency")
        .order_by("agency__name", "pk")
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def verify_in_person(request: HttpRequest) -> HttpResponse:
    """A verifier looks a person up by exact email and records the identity document they
    saw (its kind only). Anyone without the permission gets a 404: the page does not say
    whether an address has an account."""
    verifier: Any = request.user
    if not verifier.has_perm("identity.verify_in_person"):
        raise Http404
    findable = User.objects.findable_for_in_person_check(verifier)
    personas = _verifier_personas(verifier)
    person = None
    check_form = None
    if request.method == "POST":
        check_form = InPersonCheckForm(request.POST, personas=personas)
        email = str(request.POST.get("email", ""))[:254].strip()
        person = findable.filter(email__iexact=email).first() if email else None
        lookup = VerifierLookupForm(initial={"email": email})
        if person is not None and check_form.is_valid():
            try:
                actions.verify_in_person(
                    by=verifier,
                    user=person,
                    document_type=check_form.cleaned_data["document_type"],
                    persona=check_form.persona(),
                )
            except ValidationError as error:
                check_form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    gettext("%(name)s is now identity-verified. We have told them.")
                    % {"name": person.display_name},
                )
                return redirect("identity:verify-in-person")
    else:
        lookup = VerifierLookupForm(request.GET or None)
        if lookup.is_valid():
            person = findable.filter(email__iexact=lookup.cleaned_data["email"]).first()
            if person is not None:
                check_form = InPersonCheckForm(initial={"email": person.email}, personas=personas)
    return render(
        request,
        "identity/verify_in_person.html",
        {
            "lookup": lookup,
            "person": person,
            "looked_up": request.method == "POST" or lookup.is_bound,
            "check_form": check_form if person is not None else None,
            "current_record": actions.current_assurance_record(person) if person else None,
        },
        status=200 if person is not None or request.method != "POST" else 400,
    )
