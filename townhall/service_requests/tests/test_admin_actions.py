"""The site administration shows requests read-only and adds saved replies and routing
rules through the actions, so what it does is logged like everything else."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from townhall.activity.models import Activity
from townhall.service_requests.models import RoutingRule, SavedReply

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Any, site_admin: Any) -> Any:
    client.force_login(site_admin)
    return client


def test_administrators_find_a_request_by_its_reference_but_cannot_edit_it(
    admin_client: Any, file_pothole: Any, django_assert_max_num_queries: Any
) -> None:
    requests = [file_pothole() for _ in range(3)]
    url = reverse("admin:service_requests_servicerequest_changelist")
    with django_assert_max_num_queries(12):
        page = admin_client.get(url, {"q": requests[1].reference})
    assert page.status_code == 200
    assert requests[1].reference in page.content.decode()
    assert requests[0].reference not in page.content.decode()
    assert admin_client.get(reverse("admin:service_requests_servicerequest_add")).status_code == 403
    detail = admin_client.get(
        reverse("admin:service_requests_servicerequest_change", args=[requests[0].pk])
    )
    assert detail.status_code == 200 and b'name="description"' not in detail.content


def test_a_saved_reply_added_in_the_admin_goes_through_the_action(
    admin_client: Any, team: Any
) -> None:
    response = admin_client.post(
        reverse("admin:service_requests_savedreply_add"),
        {"team": team.pk, "title": "Crew booked", "body": "A crew comes this week."},
    )
    assert response.status_code == 302
    assert SavedReply.objects.get().title == "Crew booked"
    assert Activity.objects.filter(verb="saved_reply.created").exists()


def test_a_routing_rule_added_in_the_admin_goes_through_the_action(
    admin_client: Any, agency: Any, team: Any
) -> None:
    response = admin_client.post(
        reverse("admin:service_requests_routingrule_add"),
        {"agency": agency.pk, "team": team.pk, "order": "1", "keywords": '["pothole"]'},
    )
    assert response.status_code == 302
    assert RoutingRule.objects.get().keywords == ["pothole"]
    assert Activity.objects.filter(verb="routing_rule.added").exists()
