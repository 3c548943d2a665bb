"""Which second factors count for an account, as the account page tells its owner.

The rule is the agencies' (agencies/second_factor.py, decision 0016): staff and site
administrators must use a second factor; a security key or passkey always counts, an
authenticator app only where every agency the person works for allows it. That app sits
above identity, so it registers, once at start-up, how to read the rule for an account
(`register_policy_reader`). Without it, an account is a citizen's: nothing is required
and any factor counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator


@dataclass(frozen=True)
class SecondFactorPolicy:
    """What is asked of one account, what it has set up, and whether that is enough."""

    is_staff: bool  # acts for the government: staff of an agency, or a site administrator
    is_required: bool  # staff, unless a demo account on a demo server
    accepts_authenticator_app: bool
    has_security_key: bool
    has_authenticator_app: bool
    is_satisfied: bool  # has a factor that counts for this account
    agency_names: tuple[str, ...] = ()
    is_site_administrator: bool = False

    @property
    def is_on(self) -> bool:
        return self.has_security_key or self.has_authenticator_app

    @property
    def has_unaccepted_app(self) -> bool:
        """An authenticator app is set up, but its codes do not count for this account."""
        return self.has_authenticator_app and not self.accepts_authenticator_app


PolicyReader = Callable[[Any], SecondFactorPolicy]
_readers: list[PolicyReader] = []


def register_policy_reader(reader: PolicyReader) -> None:
    """Say how to read the second-factor rule of an account (agencies, at start-up)."""
    _readers[:] = [reader]


def policy_of(user: Any) -> SecondFactorPolicy:
    """The second-factor rule of `user` and how their set-up meets it."""
    if _readers:
        return _readers[0](user)
    types = set(
        Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).values_list("type", flat=True)
    )
    return SecondFactorPolicy(
        is_staff=False,
        is_required=False,
        accepts_authenticator_app=True,
        has_security_key=Authenticator.Type.WEBAUTHN in types,
        has_authenticator_app=Authenticator.Type.TOTP in types,
        is_satisfied=bool(types),
    )
