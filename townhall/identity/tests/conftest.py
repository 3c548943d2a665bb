"""Fixtures for the account tests: a clean cache and the steps people take to get in."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

DEMO_PASSWORD = "townhall-demo-password"
STRONG_PASSWORD = "lantern-orchard-ribbon-77"


@pytest.fixture
def sign_up_data() -> Callable[..., dict[str, str]]:
    """The sign-up form as a newcomer fills it in, with any field overridden."""

    def data(**overrides: str) -> dict[str, str]:
        values = {
            "email": "newcomer@example.org",
            "display_name": "Newcomer",
            "preferred_language": "en",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        }
        values.update(overrides)
        return values

    return data


@pytest.fixture
def sign_in() -> Callable[..., Any]:
    """Post the sign-in form; returns the response."""

    def post(client: Client, email: str, password: str = DEMO_PASSWORD, **extra: Any) -> Any:
        return client.post("/accounts/login/", {"login": email, "password": password}, **extra)

    return post


@pytest.fixture
def confirmation_path() -> Callable[[Any], str]:
    """The confirm-email link in a verification email, as a path on this site."""

    def find(message: Any) -> str:
        match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body)
        assert match, f"no confirmation link in: {message.body}"
        return match.group(1)

    return find
