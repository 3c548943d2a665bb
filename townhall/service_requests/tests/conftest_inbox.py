"""Fixtures and helpers of the staff inbox tests (imported by the test_inbox_* modules).

Data is built through actions, the way the product builds it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from townhall.service_requests import actions


def inbox_url(name: str, sr: Any = None, **kwargs: Any) -> str:
    if sr is not None:
        kwargs["reference"] = sr.reference
    return reverse(f"inbox:{name}", kwargs=kwargs or None)


def page_text(response: Any) -> str:
    """The page's text without tags, with runs of whitespace made single spaces."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def sam(staff_member: Any, team: Any) -> Any:
    """Sam Rivera, Road Maintenance Supervisor at Public Works, on the Streets team."""
    staff_member.teams.add(team)
    return staff_member


@pytest.fixture
def sam_client(sign_in_staff: Any, sam: Any) -> Client:
    return sign_in_staff(sam.user)


@pytest.fixture
def staff_client_for(sign_in_staff: Any) -> Any:
    """A fresh signed-in client for any staff account (several people at once)."""
    from allauth.mfa.models import Authenticator

    def make(user: Any) -> Client:
        Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {}}
        )
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def pothole(file_pothole: Any) -> Any:
    """A private pothole report by Alex, just filed."""
    return file_pothole()


@pytest.fixture
def foi_request(citizen: Any, foi_service: Any) -> Any:
    return actions.file_request(
        by=citizen,
        service=foi_service,
        description="All road repair contracts signed in 2025, with their amounts.",
    )
