"""Who must use a second factor, and which factors count: anyone who acts for the government.

That is every account with an active staff membership, and site administrators (who can
see everything). Demo accounts skip it only on a demo server
(DEMO_STAFF_SKIP_SECOND_FACTOR, on when DEBUG is). Citizens are never asked.

A security key or passkey (WebAuthn) always counts: it cannot be phished. An
authenticator app (TOTP) counts only when every agency the person works for allows it
(`Agency.allow_totp_for_staff`, off by default); never for site administrators.
Recovery codes do not count as a factor: they are a fallback. Decision 0016.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.utils.translation import gettext

from townhall.identity.factor_policy import SecondFactorPolicy

from .models import memberships_of

SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def is_staff_account(user: Any) -> bool:
    """Site administrators and people with an active staff membership. Remembered on the
    user object for the rest of the request (the middleware asks first; the navigation's
    "Inbox" link and the header's acting face ask again), with the memberships themselves
    (`_townhall_personas`, read by identity/personas.py)."""
    if not user.is_authenticated:
        return False
    known = getattr(user, "_townhall_is_staff", None)
    if known is None:
        personas = list(memberships_of(user).order_by("agency__name", "pk"))
        user._townhall_personas = personas
        known = bool(user.is_superuser or personas)
        user._townhall_is_staff = known
    return bool(known)


def has_work_persona(user: Any) -> bool:
    """Works for an agency (an active staff membership), read with `is_staff_account`'s
    remembered memberships: no query when the request already asked. A site administrator
    without a membership has none."""
    return is_staff_account(user) and bool(getattr(user, "_townhall_personas", None))


def may_skip_second_factor(user: Any) -> bool:
    return bool(settings.DEMO_STAFF_SKIP_SECOND_FACTOR and getattr(user, "is_demo", False))


def requires_second_factor(user: Any) -> bool:
    return is_staff_account(user) and not may_skip_second_factor(user)


def totp_allowed_for(user: Any) -> bool:
    """Whether an authenticator app is enough for this account: for a citizen, yes; for a
    site administrator, never; for staff, only if every agency they work for allows it."""
    if not is_staff_account(user):
        return True
    if user.is_superuser:
        return False
    allowed = list(memberships_of(user).values_list("agency__allow_totp_for_staff", flat=True))
    return bool(allowed) and all(allowed)


def factor_types(user: Any) -> set[str]:
    """The kinds of second factor the account has set up (recovery codes excluded)."""
    return set(
        Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).values_list(
            "type", flat=True
        )
    )


def has_second_factor(user: Any) -> bool:
    """Whether the account has a second factor that counts for it (see the module doc)."""
    types = factor_types(user)
    if Authenticator.Type.WEBAUTHN in types:
        return True
    return Authenticator.Type.TOTP in types and totp_allowed_for(user)


def policy_for(user: Any) -> SecondFactorPolicy:
    """The rule above for one account, as its account page tells it (identity reads it
    through `identity.factor_policy`, registered in apps.py)."""
    types = factor_types(user)
    is_staff = is_staff_account(user)
    personas = getattr(user, "_townhall_personas", None) or []
    return SecondFactorPolicy(
        is_staff=is_staff,
        is_required=requires_second_factor(user),
        accepts_authenticator_app=totp_allowed_for(user),
        has_security_key=Authenticator.Type.WEBAUTHN in types,
        has_authenticator_app=Authenticator.Type.TOTP in types,
        is_satisfied=has_second_factor(user),
        agency_names=tuple(persona.agency.name for persona in personas),
        is_site_administrator=bool(user.is_superuser),
    )


class StaffAuthenticateForm(AuthenticateForm):
    """allauth's sign-in code prompt (MFA_FORMS["authenticate"]), refusing an
    authenticator-app code from staff who have a security key and whose agencies do not
    allow the app. Staff with only an app may still use it, to get in and add a key (the
    middleware then sends them to do so). Recovery codes are still accepted."""

    def clean_code(self) -> str:
        user = self.user
        if (
            requires_second_factor(user)
            and not totp_allowed_for(user)
            and Authenticator.Type.WEBAUTHN in factor_types(user)
        ):
            clear_rate_limit = check_rate_limit(user)
            code = self.cleaned_data["code"]
            for auth in Authenticator.objects.filter(
                user=user, type=Authenticator.Type.RECOVERY_CODES
            ):
                if auth.wrap().validate_code(code):
                    auth.user = user
                    self.authenticator = auth
                    clear_rate_limit()
                    return str(code)
            raise forms.ValidationError(
                gettext(
                    "Use your security key or passkey: your agency does not accept codes "
                    "from an authenticator app. A recovery code also works."
                )
            )
        return str(super().clean_code())
