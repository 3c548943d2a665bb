"""Site administrators set how long the law keeps a service's private requests; the
pages cost a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from townhall.activity.models import Activity
from townhall.privacy import actions
from townhall.privacy.models import ExportJob, ExportStatus, RetentionRule

pytestmark = pytest.mark.django_db


def test_only_site_administrators_set_retention_rules(
    site_admin: Any, staff_member: Any, citizen: Any, pothole_service: Any
) -> None:
    for person in (citizen, staff_member.user):
        with pytest.raises(PermissionDenied):
            actions.set_retention_rule(by=person, service=pothole_service, keep_days=30)
    rule = actions.set_retention_rule(
        by=site_admin, service=pothole_service, keep_days=730, legal_basis="  Records Act  §5 "
    )
    assert (rule.keep_days, rule.legal_basis) == (730, "Records Act §5")
    again = actions.set_retention_rule(by=site_admin, service=pothole_service, keep_days=0)
    assert again.pk == rule.pk and not again.requires_keeping
    assert RetentionRule.objects.count() == 1
    assert Activity.objects.public().filter(verb="privacy.retention_rule_set").count() == 2


@pytest.mark.parametrize(
    ("keep_days", "legal_basis", "field"),
    [
        (-1, "Law", "keep_days"),
        ("30", "Law", "keep_days"),
        (True, "Law", "keep_days"),
        (365 * 101, "Law", "keep_days"),
        (30, "", "legal_basis"),
        (30, "x" * 301, "legal_basis"),
    ],
)
def test_bad_retention_rules_are_refused(
    site_admin: Any, pothole_service: Any, keep_days: Any, legal_basis: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.set_retention_rule(
            by=site_admin, service=pothole_service, keep_days=keep_days, legal_basis=legal_basis
        )
    assert field in refused.value.message_dict
    assert not RetentionRule.objects.exists()


def test_the_admin_sets_a_rule_through_the_action(
    site_admin: Any, pothole_service: Any, client: Client
) -> None:
    client.force_login(site_admin)
    response = client.post(
        reverse("admin:privacy_retentionrule_add"),
        {"service": pothole_service.pk, "keep_days": 365, "legal_basis": "Records Act"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert RetentionRule.objects.get(service=pothole_service).keep_days == 365
    assert Activity.objects.filter(verb="privacy.retention_rule_set").exists()


def test_pages_cost_a_fixed_number_of_queries(
    client: Client,
    citizen: Any,
    file_pothole: Any,
    foi_service: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from townhall.service_requests.actions import file_request

    client.force_login(citizen)

    def count(url: str) -> int:
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = {url: count(url) for url in (reverse("privacy:my-data"), reverse("privacy:erase"))}
    for _ in range(4):
        file_pothole(is_public=False)
        file_request(by=citizen, service=foi_service, description="Contracts, please.")
        ExportJob.objects.create(owner=citizen, status=ExportStatus.FAILED)
    many = {url: count(url) for url in few}
    assert many == few
