"""The consultations REST API: the names other programs rely on, taking part, refusals."""

from __future__ import annotations

import pytest

from townhall.consultations import actions
from townhall.consultations.models import Comment, Support
from townhall.identity.models import AssuranceLevel

pytestmark = pytest.mark.django_db

BASE = "/api/v1/consultations/"


@pytest.fixture
def api(db):
    """An API client sending a fresh Bearer token of an account."""
    from rest_framework.test import APIClient

    from townhall.identity.actions import issue_api_token

    def make(user):
        _token, key = issue_api_token(by=user, user=user, name="Test", via="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


def test_list_by_status_has_the_promised_names(client, make_consultation, close):
    open_one = make_consultation(title="Open one")
    upcoming = make_consultation(title="Soon", opens_in=5, closes_in=20)
    closed = close(make_consultation(title="Done"))
    response = client.get(BASE, {"status": "open"})
    assert response.status_code == 200
    body = response.json()
    assert [c["id"] for c in body["results"]] == [open_one.pk]
    item = body["results"][0]
    for key in ("id", "url", "status", "closes_at", "sections", "exports"):
        assert key in item
    assert item["status"] == "open"
    assert item["url"].endswith(f"/consultations/{open_one.pk}/")
    assert set(item["sections"][0]) >= {"id", "heading", "body_html"}
    assert item["exports"]["csv"].endswith(f"/consultations/{open_one.pk}/export.csv")
    assert item["exports"]["json"].endswith(f"/consultations/{open_one.pk}/export.json")
    assert [c["id"] for c in client.get(BASE, {"status": "upcoming"}).json()["results"]] == [
        upcoming.pk
    ]
    assert [c["id"] for c in client.get(BASE, {"status": "closed"}).json()["results"]] == [
        closed.pk
    ]
    assert "next" in body  # cursor-paginated
    bad = client.get(BASE, {"status": "nonsense"})
    assert bad.status_code == 400
    assert bad.json()["status"] == 400


def test_list_costs_a_fixed_number_of_queries(
    client, make_consultation, django_assert_max_num_queries
):
    for n in range(8):
        make_consultation(title=f"Plan {n}")
    with django_assert_max_num_queries(6):
        assert len(client.get(BASE).json()["results"]) == 8


def test_detail_has_sections_with_counts(client, citizen, consultation, sections):
    actions.set_support(by=citizen, section=sections[0], stance="oppose")
    body = client.get(f"{BASE}{consultation.pk}/").json()
    assert body["id"] == consultation.pk
    assert body["sections"][0]["oppositions"] == 1
    assert client.get(f"{BASE}999999/").status_code == 404


def test_post_comment_on_a_passage_returns_201_with_the_comment(
    api, citizen, consultation, sections, client
):
    response = api(citizen).post(
        f"{BASE}{consultation.pk}/comments/",
        {"section": sections[1].pk, "body": "Good **idea**", "passage": "drops to 20 mph"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["section"] == sections[1].pk
    assert body["passage"] == "drops to 20 mph"
    assert "<strong>idea</strong>" in body["body_html"]
    assert body["author"] == "Alex Park"
    listed = client.get(f"{BASE}{consultation.pk}/comments/").json()["results"]
    assert [c["id"] for c in listed] == [body["id"]]


def test_whole_consultation_comment_with_null_section(api, citizen, consultation):
    response = api(citizen).post(
        f"{BASE}{consultation.pk}/comments/",
        {"section": None, "body": "Overall fine"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["section"] is None


def test_passage_not_in_the_section_is_a_400_on_passage(api, citizen, consultation, sections):
    response = api(citizen).post(
        f"{BASE}{consultation.pk}/comments/",
        {"section": sections[0].pk, "body": "x", "passage": "not there at all"},
        format="json",
    )
    assert response.status_code == 400
    assert "passage" in response.json()["errors"]
    assert not Comment.objects.exists()


def test_assurance_too_low_is_a_403_naming_the_level(api, citizen, make_consultation):
    consultation = make_consultation(required_assurance=AssuranceLevel.IDENTITY_VERIFIED)
    section = consultation.current_version.sections.first()
    response = api(citizen).post(
        f"{BASE}{consultation.pk}/supports/",
        {"section": section.pk, "stance": "support"},
        format="json",
    )
    assert response.status_code == 403
    body = response.json()
    assert body["required_assurance_level"] == "identity_verified"
    assert "Identity verified" in body["detail"]
    assert body["status"] == 403


def test_comment_after_close_is_refused(api, citizen, consultation, close):
    close(consultation)
    response = api(citizen).post(
        f"{BASE}{consultation.pk}/comments/", {"section": None, "body": "late"}, format="json"
    )
    assert response.status_code == 400
    assert "closed" in str(response.json()["errors"])


def test_supports_one_per_account(api, citizen, consultation, sections):
    client = api(citizen)
    first = client.post(
        f"{BASE}{consultation.pk}/supports/",
        {"section": sections[0].pk, "stance": "support", "reason": "Yes"},
        format="json",
    )
    assert first.status_code == 201
    second = client.post(
        f"{BASE}{consultation.pk}/supports/",
        {"section": sections[0].pk, "stance": "oppose", "reason": "No"},
        format="json",
    )
    assert second.status_code == 200
    assert second.json()["stance"] == "oppose"
    assert Support.objects.count() == 1
    bad = client.post(
        f"{BASE}{consultation.pk}/supports/",
        {"section": sections[0].pk, "stance": "meh"},
        format="json",
    )
    assert bad.status_code == 400


def test_amendment_shows_a_diff_and_old_versions_are_refused(
    api, citizen, staff_member, consultation, sections
):
    client = api(citizen)
    response = client.post(
        f"{BASE}{consultation.pk}/amendments/",
        {"section": sections[2].pk, "text": "Every school gets a raised crossing this year."},
        format="json",
    )
    assert response.status_code == 201
    assert "<ins>" in response.json()["diff_html"]
    actions.publish_version(by=staff_member.user, consultation=consultation, sections=[("A", "B")])
    old = client.post(
        f"{BASE}{consultation.pk}/amendments/",
        {"section": sections[2].pk, "text": "Something"},
        format="json",
    )
    assert old.status_code == 400
    assert "earlier version" in str(old.json()["errors"])


def test_visitor_cannot_post(client, consultation):
    response = client.post(
        f"{BASE}{consultation.pk}/comments/", {"body": "hi"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)


def test_malformed_input_is_a_400(api, citizen, consultation):
    client = api(citizen)
    for payload in (
        {"section": "abc", "body": "x"},
        {"body": {"a": 1}, "section": None},
        {"section": -1, "body": "x"},
        [1, 2],
    ):
        response = client.post(f"{BASE}{consultation.pk}/comments/", payload, format="json")
        assert response.status_code == 400, payload
    response = client.post(
        f"{BASE}{consultation.pk}/comments/", {"section": 99999999, "body": "x"}, format="json"
    )
    assert response.status_code == 400


def test_hidden_comment_keeps_its_place_without_its_body(client, citizen, consultation, site_admin):
    comment = actions.post_comment(by=citizen, consultation=consultation, body="Secret rude")
    actions.hide_comment(by=site_admin, comment=comment, reason="insults")
    item = client.get(f"{BASE}{consultation.pk}/comments/").json()["results"][0]
    assert item["hidden"] is True
    assert item["body_html"] == ""
    assert "insults" in item["hidden_notice"]


def test_response_is_404_until_published_then_lists_outcomes(
    client, citizen, staff_member, consultation, sections, close
):
    amendment = actions.propose_amendment(by=citizen, section=sections[0], text="Other words.")
    assert client.get(f"{BASE}{consultation.pk}/response/").status_code == 404
    listed = client.get(f"{BASE}{consultation.pk}/amendments/").json()
    assert listed[0]["outcome"] == ""
    actions.answer_amendment(
        by=staff_member.user, amendment=amendment, outcome="not_accepted", response="No."
    )
    assert client.get(f"{BASE}{consultation.pk}/amendments/").json()[0]["outcome"] == ""
    close(consultation)
    actions.publish_response(by=staff_member.user, consultation=consultation, summary="Done")
    body = client.get(f"{BASE}{consultation.pk}/response/").json()
    assert body["amendments"][0]["outcome"] == "not_accepted"
    assert body["url"].endswith("/response/")
