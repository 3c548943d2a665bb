"""What an OpenID Connect provider's claims prove, under a provider's policy (pure code).

The result names the claims that justified each level, never their values: that is what
an `AssuranceRecord` keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class ClaimsPolicy:
    email_claim: str = "email"
    email_verified_claim: str = "email_verified"
    acr_values: tuple[str, ...] = ()
    vot_values: tuple[str, ...] = ()
    expiry_claim: str = ""
    identity_valid_days: int | None = None


@dataclass(frozen=True)
class ClaimsAssessment:
    email: str = ""
    email_verified: bool = False
    email_claims: list[str] = field(default_factory=list)
    identity_verified: bool = False
    identity_claims: list[str] = field(default_factory=list)
    identity_expires_at: datetime | None = None


def _matches_vot(vot: str, accepted: Iterable[str]) -> bool:
    parts = set(vot.split("."))
    return any(value == vot or value in parts for value in accepted)


def _expiry(claims: Mapping[str, Any], policy: ClaimsPolicy, now: datetime) -> datetime | None:
    if policy.expiry_claim:
        value = claims.get(policy.expiry_claim)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return datetime.fromtimestamp(value, tz=UTC)
            except (OverflowError, OSError, ValueError):
                return None
    if policy.identity_valid_days:
        return now + timedelta(days=policy.identity_valid_days)
    return None


def assess(
    claims: Mapping[str, Any], policy: ClaimsPolicy, *, now: datetime | None = None
) -> ClaimsAssessment:
    """Which levels the claims support.

    Email: the email claim is present and its verified claim is exactly JSON `true` (not
    "true", not 1). Identity: the `acr` claim is one of the accepted values, or the `vot`
    claim matches one (whole or as one of its dot-separated components).
    """
    now = now or datetime.now(tz=UTC)
    email = claims.get(policy.email_claim)
    email = email.strip() if isinstance(email, str) else ""
    email_verified = bool(email) and claims.get(policy.email_verified_claim) is True
    identity_claims: list[str] = []
    acr = claims.get("acr")
    if isinstance(acr, str) and acr in policy.acr_values:
        identity_claims.append("acr")
    vot = claims.get("vot")
    if isinstance(vot, str) and vot and _matches_vot(vot, policy.vot_values):
        identity_claims.append("vot")
    identity_verified = bool(identity_claims)
    expires_at = None
    if identity_verified:
        expires_at = _expiry(claims, policy, now)
        if expires_at is not None and expires_at <= now:
            identity_verified, identity_claims, expires_at = False, [], None
        elif policy.expiry_claim and policy.expiry_claim in claims:
            identity_claims.append(policy.expiry_claim)
    return ClaimsAssessment(
        email=email,
        email_verified=email_verified,
        email_claims=[policy.email_claim, policy.email_verified_claim] if email_verified else [],
        identity_verified=identity_verified,
        identity_claims=identity_claims,
        identity_expires_at=expires_at,
    )
