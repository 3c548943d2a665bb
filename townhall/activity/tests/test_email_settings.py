"""A person chooses how often notifications come by email: immediately (the default),
a daily digest, or never."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from townhall.activity.actions import set_email_frequency
from townhall.activity.models import EmailFrequency, EmailPreference


def test_immediately_is_the_default_and_is_shown_chosen(client: Any, citizen: Any) -> None:
    client.force_login(citizen)
    page = client.get(reverse("activity:email-settings")).content.decode()
    assert 'value="immediately" checked' in page


def test_choosing_a_daily_digest_is_saved(client: Any, citizen: Any) -> None:
    client.force_login(citizen)
    response = client.post(reverse("activity:email-settings"), {"frequency": "daily"}, follow=True)
    assert "Your email choice is saved." in response.content.decode()
    assert EmailPreference.frequency_of(citizen) == EmailFrequency.DAILY
    assert 'value="daily" checked' in response.content.decode()


def test_a_nonsense_choice_is_refused_next_to_the_field(client: Any, citizen: Any) -> None:
    client.force_login(citizen)
    for value in ["", "hourly", "<script>", "\x00"]:
        response = client.post(reverse("activity:email-settings"), {"frequency": value})
        assert response.status_code == 200
        assert "usa-error-message" in response.content.decode()
    assert not EmailPreference.objects.exists()


def test_the_page_needs_a_sign_in(client: Any) -> None:
    assert client.get(reverse("activity:email-settings")).status_code == 302


def test_nobody_changes_another_persons_choice(citizen: Any, citizen2: Any) -> None:
    with pytest.raises(PermissionDenied):
        set_email_frequency(by=citizen2, user=citizen, frequency=EmailFrequency.OFF)
    assert not EmailPreference.objects.exists()


def test_the_account_page_and_the_notification_centre_link_to_the_choice(
    client: Any, citizen: Any
) -> None:
    client.force_login(citizen)
    target = reverse("activity:email-settings")
    assert target in client.get(reverse("identity:account")).content.decode()
    assert target in client.get(reverse("activity:notification-list")).content.decode()
