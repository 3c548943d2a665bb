"""“Me too”: other citizens support a public request and follow it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.activity.models import Activity, Visibility
from townhall.service_requests import actions
from townhall.service_requests.actions import support
from townhall.service_requests.models import Support

pytestmark = pytest.mark.django_db


def test_a_citizen_supports_a_public_request_once(foi_request: Any, citizen2: Any) -> None:
    support = actions.support_request(by=citizen2, request=foi_request)
    again = actions.support_request(by=citizen2, request=foi_request)
    assert again.pk == support.pk
    foi_request.refresh_from_db()
    assert foi_request.supporter_count == 1
    entry = Activity.objects.get(verb="request.supported")
    assert entry.summary == "Bea Lopez said “me too”" and entry.visibility == Visibility.PUBLIC


def test_withdrawing_support_counts_down_and_twice_is_harmless(
    foi_request: Any, citizen2: Any
) -> None:
    actions.support_request(by=citizen2, request=foi_request)
    actions.withdraw_support(by=citizen2, request=foi_request)
    actions.withdraw_support(by=citizen2, request=foi_request)
    foi_request.refresh_from_db()
    assert foi_request.supporter_count == 0
    assert not Support.objects.exists()
    assert Activity.objects.filter(verb="request.support_withdrawn").count() == 1


def test_a_private_request_cannot_be_supported(pothole_request: Any, citizen2: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.support_request(by=citizen2, request=pothole_request)


def test_you_cannot_support_your_own_request(foi_request: Any, citizen: Any) -> None:
    with pytest.raises(ValidationError, match="your own request"):
        actions.support_request(by=citizen, request=foi_request)


def test_a_closed_request_cannot_be_supported(foi_request: Any, citizen2: Any, sam: Any) -> None:
    actions.decline_request(by=sam, request=foi_request, reason="Not held")
    with pytest.raises(ValidationError, match="no longer be supported"):
        actions.support_request(by=citizen2, request=foi_request)


def test_anonymous_visitors_cannot_support(foi_request: Any) -> None:
    with pytest.raises(PermissionDenied, match="Sign in"):
        actions.support_request(by=AnonymousUser(), request=foi_request)


def test_a_support_racing_itself_is_counted_once(
    foi_request: Any, citizen2: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two clicks at once: both find no support yet, the second insert hits the unique
    constraint, and the first support comes back without being counted again."""
    first = actions.support_request(by=citizen2, request=foi_request)
    monkeypatch.setattr(support, "_existing_support", lambda request, user: None)
    again = actions.support_request(by=citizen2, request=foi_request)
    assert again.pk == first.pk
    foi_request.refresh_from_db()
    assert foi_request.supporter_count == 1
    assert Activity.objects.filter(verb="request.supported").count() == 1
