"""The routing rules page: staff read their agencies' rules, managers add and remove them,
and a rule added here routes the next request filed."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.agencies import actions as agency_actions
from townhall.agencies.models import ServiceKind
from townhall.service_requests import actions
from townhall.service_requests.models import RoutingRule

from .conftest_inbox import inbox_url, messages_of, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(staff_client_for: Any, manager: Any) -> Any:
    return staff_client_for(manager.user)


def _form(team: Any, **extra: Any) -> dict[str, Any]:
    fields = {"team": team.pk, "service": "", "keywords": "", "order": "0"}
    fields.update(extra)
    return fields


def test_manager_adds_a_keyword_rule_and_the_next_request_goes_to_the_team(
    manager_client: Any, team: Any, file_pothole: Any
) -> None:
    response = manager_client.post(
        inbox_url("routing"), _form(team, keywords="sinkhole, cyclists ,Cyclists"), follow=True
    )

    assert messages_of(response) == ["New requests that match now go to the team."]
    rule = RoutingRule.objects.get()
    assert (rule.team, rule.keywords) == (team, ["sinkhole", "cyclists"])
    assert "Any of the words: sinkhole, cyclists" in page_text(response)
    filed = file_pothole()  # "... cyclists swerve around it."
    assert filed.team == team


def test_an_area_rule_needs_all_four_edges_in_order(manager_client: Any, team: Any) -> None:
    half = manager_client.post(inbox_url("routing"), _form(team, south="39.7", west="-89.7"))
    assert half.status_code == 200
    assert "Give all four edges of the area, or none." in page_text(half)

    upside_down = manager_client.post(
        inbox_url("routing"), _form(team, south="40", west="-89.7", north="39", east="-89.6")
    )
    assert "The south edge must be below the north" in page_text(upside_down)

    nonsense = manager_client.post(
        inbox_url("routing"), _form(team, south="north", west="-89.7", north="39", east="-89")
    )
    assert "Give the edge as a number of degrees" in page_text(nonsense)
    assert not RoutingRule.objects.exists()

    whole = manager_client.post(
        inbox_url("routing"),
        _form(team, south="39.7", west="-89.7", north="39.9", east="-89.6"),
        follow=True,
    )
    assert "Inside the area 39.700000, -89.700000 to 39.900000, -89.600000" in page_text(whole)


def test_a_rule_without_any_condition_is_refused_with_a_message(
    manager_client: Any, team: Any
) -> None:
    response = manager_client.post(inbox_url("routing"), _form(team))

    assert response.status_code == 200
    assert "Give at least one condition: a service, keywords or an area." in page_text(response)
    assert not RoutingRule.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"order": "-1"},
        {"order": "lots"},
        {"keywords": "x" * 51},
        {"keywords": "a,\x00b"},
        {"team": "999999"},
        {"team": "1 OR 1=1"},
    ],
)
def test_bad_input_is_explained_and_saves_nothing(
    manager_client: Any, team: Any, pothole_service: Any, extra: dict[str, Any]
) -> None:
    fields = _form(team, service=pothole_service.pk)
    fields.update(extra)
    response = manager_client.post(inbox_url("routing"), fields)

    assert response.status_code == 200
    assert "There is a problem" in page_text(response)
    assert not RoutingRule.objects.exists()


def test_the_same_form_sent_twice_adds_one_rule(
    manager_client: Any, team: Any, pothole_service: Any
) -> None:
    fields = _form(team, service=pothole_service.pk, submission="f" * 32)

    manager_client.post(inbox_url("routing"), fields, follow=True)
    again = manager_client.post(inbox_url("routing"), fields, follow=True)

    assert messages_of(again) == ["That form was sent twice; it was done once."]
    assert RoutingRule.objects.count() == 1


def test_manager_removes_a_rule_and_removing_again_is_harmless(
    manager_client: Any, manager: Any, agency: Any, team: Any, pothole_service: Any
) -> None:
    rule = actions.add_routing_rule(by=manager.user, agency=agency, team=team, keywords="x")

    first = manager_client.post(inbox_url("routing"), {"remove": rule.pk}, follow=True)
    second = manager_client.post(inbox_url("routing"), {"remove": rule.pk}, follow=True)

    assert messages_of(first) == ["The routing rule is removed."]
    assert messages_of(second) == ["That routing rule is already removed."]
    assert not RoutingRule.objects.exists()
    assert "no routing rules yet" in page_text(second)


def test_staff_member_reads_the_rules_but_cannot_change_them(
    sam_client: Any, manager: Any, agency: Any, team: Any
) -> None:
    rule = actions.add_routing_rule(by=manager.user, agency=agency, team=team, keywords="tree")

    page = sam_client.get(inbox_url("routing"))
    assert "Any of the words: tree" in page_text(page)
    assert "Add a routing rule" not in page_text(page)
    assert "Remove rule" not in page_text(page)

    added = sam_client.post(inbox_url("routing"), _form(team, keywords="leaf"))
    removed = sam_client.post(inbox_url("routing"), {"remove": rule.pk})
    assert added.status_code == removed.status_code == 403
    assert "Only managers and administrators of an agency can change its routing." in (
        page_text(added)
    )
    assert list(RoutingRule.objects.values_list("keywords", flat=True)) == [["tree"]]


def test_rules_of_another_agency_are_not_shown_nor_removable(
    manager_client: Any, other_agency: Any, site_admin: Any, team: Any
) -> None:
    rangers = agency_actions.create_team(by=site_admin, agency=other_agency, name="Rangers")
    theirs = actions.add_routing_rule(
        by=site_admin, agency=other_agency, team=rangers, keywords="campfire"
    )

    page = manager_client.get(inbox_url("routing"))
    assert "campfire" not in page_text(page)
    assert "Rangers" not in page_text(page)
    gone = manager_client.post(inbox_url("routing"), {"remove": theirs.pk}, follow=True)
    assert messages_of(gone) == ["That routing rule is already removed."]
    other_team = manager_client.post(inbox_url("routing"), _form(rangers, keywords="x"))
    assert "Choose a team from the list." in page_text(other_team)
    assert RoutingRule.objects.filter(pk=theirs.pk).exists()
    assert RoutingRule.objects.count() == 1


def test_a_service_of_another_agency_is_refused(
    manager_client: Any, team: Any, other_agency: Any, site_admin: Any
) -> None:
    parks = agency_actions.add_service(
        by=site_admin,
        agency=other_agency,
        code="park-bench",
        name="Broken park bench",
        kind=ServiceKind.PROBLEM_REPORT,
        acknowledge_working_days=2,
        respond_working_days=10,
    )
    response = manager_client.post(inbox_url("routing"), _form(team, service=parks.pk))

    assert "Choose a service from the list." in page_text(response)
    assert not RoutingRule.objects.exists()


def test_citizen_and_visitor_cannot_open_the_page(client: Any, citizen: Any) -> None:
    anonymous = client.get(inbox_url("routing"))
    assert anonymous.status_code == 302
    client.force_login(citizen)
    assert client.get(inbox_url("routing")).status_code == 403


def test_the_page_costs_the_same_queries_for_many_rules(
    manager_client: Any,
    manager: Any,
    agency: Any,
    team: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(30):
        actions.add_routing_rule(
            by=manager.user, agency=agency, team=team, keywords=f"word{number}", order=number
        )
    with django_assert_max_num_queries(14):
        response = manager_client.get(inbox_url("routing"))
    assert page_text(response).count("Remove rule") == 30
