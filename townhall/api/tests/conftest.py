"""Fixtures for the API tests: a fresh cache (throttles count in it), clients and tokens."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

PASSWORD = "townhall-demo-password"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def issue_token() -> Any:
    """Issue a token for an account through the action; returns the key."""
    from townhall.identity.actions import issue_api_token

    def issue(user: Any, name: str = "Test token") -> str:
        _token, key = issue_api_token(by=user, user=user, name=name, via="test")
        return key

    return issue


@pytest.fixture
def bearer_client(issue_token: Any) -> Any:
    """An APIClient that sends `Authorization: Bearer <a fresh token of user>`."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
        return client

    return make


@pytest.fixture
def demo_staff(make_user: Any, agency: Any, site_admin: Any) -> Any:
    """A demo city staff member's account (is_demo), in Public Works."""
    from townhall.agencies import actions

    user = make_user("demo.staff@example.org", "Dana Demo", is_demo=True)
    actions.add_staff_member(
        by=site_admin, agency=agency, user=user, public_name="Dana Demo", job_title="Clerk"
    )
    return user


@pytest.fixture
def as_user(bearer_client: Any) -> Any:
    """An API client sending a fresh Bearer token of an account (or of a membership's)."""

    def make(who: Any) -> Any:
        return bearer_client(getattr(who, "user", who))

    return make
