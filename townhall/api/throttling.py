"""Limits on guessing passwords through the token endpoint.

Two limits work together: DRF's ScopedRateThrottle (scope "token", rate in settings) per
client address, and a count of failed attempts per email address kept in the cache, so that
spreading guesses over many addresses does not help either.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework import exceptions

FAILURE_LIMIT = 5
FAILURE_WINDOW_SECONDS = 5 * 60


def _failure_key(email: str) -> str:
    return "api:token-failures:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def failed_attempts(email: str) -> int:
    return int(cache.get(_failure_key(email), 0))


def raise_if_too_many_failures(email: str) -> None:
    if failed_attempts(email) >= FAILURE_LIMIT:
        raise exceptions.Throttled(
            wait=FAILURE_WINDOW_SECONDS,
            detail=_(
                "Too many wrong passwords for this email address. Wait 5 minutes, then try "
                "again, or reset your password on the website."
            ),
        )


def record_failure(email: str) -> None:
    key = _failure_key(email)
    cache.add(key, 0, timeout=FAILURE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=FAILURE_WINDOW_SECONDS)


def clear_failures(email: str) -> None:
    cache.delete(_failure_key(email))
