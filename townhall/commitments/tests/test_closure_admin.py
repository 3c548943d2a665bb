"""Closure days added and removed in the site administration go through the actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from townhall.activity.models import Activity
from townhall.commitments import actions
from townhall.commitments.models import AgencyClosure


@pytest.fixture
def admin_client(client: Any, site_admin: Any) -> Any:
    client.force_login(site_admin)
    return client


def test_adding_a_closure_in_the_admin_is_logged(admin_client: Any, agency: Any) -> None:
    response = admin_client.post(
        reverse("admin:commitments_agencyclosure_add"),
        {"agency": agency.pk, "date": "2026-12-22", "reason": "Snow day"},
    )
    assert response.status_code == 302, response.content[:2000]
    closure = AgencyClosure.objects.get()
    assert (closure.agency, closure.date, closure.reason) == (
        agency,
        date(2026, 12, 22),
        "Snow day",
    )
    assert Activity.objects.get(verb="closure.added").target == closure


def test_the_admin_refuses_a_second_closure_on_the_same_day(
    admin_client: Any, agency: Any, site_admin: Any
) -> None:
    actions.add_closure(by=site_admin, agency=agency, date=date(2026, 12, 22), reason="Snow")
    response = admin_client.post(
        reverse("admin:commitments_agencyclosure_add"),
        {"agency": agency.pk, "date": "2026-12-22", "reason": "Again"},
    )
    assert response.status_code == 200
    assert AgencyClosure.objects.count() == 1


def test_deleting_closures_in_the_admin_is_logged(
    admin_client: Any, agency: Any, site_admin: Any
) -> None:
    first = actions.add_closure(by=site_admin, agency=agency, date=date(2026, 12, 22), reason="A")
    second = actions.add_closure(by=site_admin, agency=agency, date=date(2026, 12, 23), reason="B")
    response = admin_client.post(
        reverse("admin:commitments_agencyclosure_delete", args=[first.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    response = admin_client.post(
        reverse("admin:commitments_agencyclosure_changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AgencyClosure.objects.exists()
    assert Activity.objects.filter(verb="closure.removed").count() == 2


def test_the_closure_list_loads_with_a_fixed_number_of_queries(
    admin_client: Any,
    agency: Any,
    other_agency: Any,
    site_admin: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for day in range(1, 8):
        for each in (agency, other_agency):
            actions.add_closure(by=site_admin, agency=each, date=date(2027, 1, day), reason="Ice")
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:commitments_agencyclosure_changelist"))
    assert response.status_code == 200
    assert response.content.decode().count("Ice") >= 14
