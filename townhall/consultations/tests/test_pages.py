"""Consultation pages: what citizens, staff and visitors see and do."""

from __future__ import annotations

import csv
import io
import json

import pytest

from townhall.consultations import actions
from townhall.consultations.models import Comment, Outcome, Stance, Support
from townhall.identity.models import AssuranceLevel

pytestmark = pytest.mark.django_db


def _url(consultation, suffix=""):
    return f"/consultations/{consultation.pk}/{suffix}"


def test_list_groups_open_upcoming_closed_with_days_left(
    client, make_consultation, close, other_agency
):
    make_consultation(title="Open plan", closes_in=10)
    make_consultation(title="Future plan", opens_in=3, closes_in=30)
    close(make_consultation(title="Past plan"))
    page = client.get("/consultations/").content.decode()
    assert page.index("Open plan") < page.index("Future plan") < page.index("Past plan")
    assert "days left" in page
    assert client.get("/consultations/", {"agency": "public-works"}).status_code == 200
    parks = client.get("/consultations/", {"agency": other_agency.slug}).content.decode()
    assert "Open plan" not in parks
    assert client.get("/consultations/", {"agency": "nope"}).status_code == 404


def test_detail_shows_sections_counts_and_highlights_passages(
    client, citizen, consultation, sections
):
    actions.post_comment(
        by=citizen,
        consultation=consultation,
        section=sections[1],
        passage="drops to 20 mph",
        body="Yes",
    )
    actions.set_support(by=citizen, section=sections[1], stance=Stance.OPPOSE)
    page = client.get(_url(consultation)).content.decode()
    assert "Speed limits" in page
    assert "<mark>drops to 20 mph</mark>" in page
    assert "1 opposition" in page
    assert "Sign in to take part" in page


def test_detail_query_count_does_not_grow_with_comments(
    client, citizen, citizen2, consultation, sections, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            parent = actions.post_comment(
                by=citizen, consultation=consultation, section=sections[i % 3], body=f"Comment {i}"
            )
            actions.post_comment(
                by=citizen2, consultation=consultation, parent=parent, body=f"Re {i}"
            )

    client.force_login(citizen)
    add(5)
    with django_assert_max_num_queries(30) as few:
        assert client.get(_url(consultation)).status_code == 200
    add(45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url(consultation))
    assert response.status_code == 200
    assert "Next" in response.content.decode()


def test_comment_form_posts_and_a_bad_passage_is_shown_next_to_the_form(
    client, citizen, consultation, sections
):
    client.force_login(citizen)
    bad = client.post(
        _url(consultation, "comments/"),
        {"section": sections[0].pk, "body": "Hmm", "passage": "not in the text"},
    )
    assert bad.status_code == 400
    assert "This passage is not in the section" in bad.content.decode()
    assert not Comment.objects.exists()
    good = client.post(
        _url(consultation, "comments/"),
        {"section": sections[0].pk, "body": "Fine", "passage": "safe to cross"},
    )
    assert good.status_code == 302
    comment = Comment.objects.get()
    assert client.get(good["Location"]).status_code == 200
    assert comment.passage == "safe to cross"


def test_hostile_comment_is_shown_escaped(client, citizen, consultation):
    actions.post_comment(
        by=citizen, consultation=consultation, body='<script>alert("x")</script><b onclick=x>hi</b>'
    )
    page = client.get(_url(consultation)).content.decode()
    assert '<script>alert("x")' not in page
    assert "onclick=x>" not in page


def test_citizen_below_level_sees_the_level_named(client, citizen, make_consultation):
    consultation = make_consultation(required_assurance=AssuranceLevel.IDENTITY_VERIFIED)
    client.force_login(citizen)
    page = client.get(_url(consultation)).content.decode()
    assert "Identity verified" in page
    response = client.post(_url(consultation, "comments/"), {"body": "Let me in"})
    assert response.status_code == 400
    assert "Identity verified" in response.content.decode()


def test_support_and_oppose_buttons(client, citizen, consultation, sections):
    client.force_login(citizen)
    url = _url(consultation, f"sections/{sections[0].pk}/support/")
    assert client.post(url, {"stance": "support"}).status_code == 302
    assert client.post(url, {"stance": "oppose", "reason": "No"}).status_code == 302
    assert Support.objects.get().stance == "oppose"
    assert client.post(url, {"stance": "bogus"}).status_code == 400


def test_amendment_form_and_diff_page(client, citizen, consultation, sections):
    client.force_login(citizen)
    response = client.post(
        _url(consultation, f"sections/{sections[2].pk}/amendments/"),
        {"text": "Every school gets a raised crossing this year.", "reason": "Sooner"},
    )
    assert response.status_code == 302
    page = client.get(_url(consultation, "amendments/")).content.decode()
    assert "<del>" in page and "<ins>" in page
    assert "this year." in page


def test_versions_and_their_readable_diff(client, staff_member, consultation):
    actions.publish_version(
        by=staff_member.user,
        consultation=consultation,
        sections=[
            ("Purpose", "This plan makes every street in Springfield safe to cross by 2028.")
        ],
        note="Sooner",
    )
    assert "Version 2" in client.get(_url(consultation, "versions/")).content.decode()
    page = client.get(_url(consultation, "versions/2/")).content.decode()
    assert "removed:" in page and "2028" in page
    assert "Section removed" in page
    assert client.get(_url(consultation, "versions/1/")).status_code == 404
    assert client.get(_url(consultation, "versions/9/")).status_code == 404


def test_staff_respond_flow_and_the_citizen_sees_what_became_of_their_comment(
    client, citizen, staff_member, consultation, sections, close, staff_client_for
):
    comment = actions.post_comment(
        by=citizen, consultation=consultation, section=sections[1], body="Slow down"
    )
    amendment = actions.propose_amendment(
        by=citizen, section=sections[2], text="All schools this year."
    )
    staff = staff_client_for(staff_member.user)
    assert staff.get(_url(consultation, "respond/")).status_code == 200
    assert (
        staff.post(
            _url(consultation, "respond/themes/"), {"title": "Speed", "comments": f"{comment.pk}"}
        ).status_code
        == 302
    )
    theme = consultation.themes.get()
    assert (
        staff.post(
            _url(consultation, f"respond/themes/{theme.pk}/"),
            {"outcome": Outcome.ACCEPTED, "response": "We keep **20 mph**."},
        ).status_code
        == 302
    )
    assert (
        staff.post(
            _url(consultation, f"respond/amendments/{amendment.pk}/"),
            {"outcome": Outcome.NOT_ACCEPTED, "response": "No budget this year."},
        ).status_code
        == 302
    )
    early = staff.post(_url(consultation, "respond/publish/"), {"summary": "Thanks"})
    assert early.status_code == 400
    assert "after the consultation closes" in early.content.decode()
    close(consultation)
    assert (
        staff.post(_url(consultation, "respond/publish/"), {"summary": "Thanks"}).status_code == 302
    )
    assert citizen.notifications.filter(reason__contains="answered").exists()
    client.force_login(citizen)
    mine = client.get(_url(consultation, "mine/")).content.decode()
    assert "Speed" in mine and "<strong>20 mph</strong>" in mine
    assert "Not accepted" in mine
    report = client.get(_url(consultation, "response/")).content.decode()
    assert "No budget this year." in report


def test_other_agency_staff_and_citizens_cannot_open_the_respond_page(
    client, citizen, other_staff, consultation, staff_client_for, close
):
    other = staff_client_for(other_staff.user)
    assert other.get(_url(consultation, "respond/")).status_code == 403
    close(consultation)
    assert other.post(_url(consultation, "respond/publish/"), {"summary": "x"}).status_code == 403
    client.force_login(citizen)
    assert client.get(_url(consultation, "respond/")).status_code == 403
    consultation.refresh_from_db()
    assert not consultation.has_response


def test_response_page_is_404_until_published(client, consultation):
    assert client.get(_url(consultation, "response/")).status_code == 404


def test_exports_have_public_content_and_no_emails(
    client, citizen, citizen2, consultation, sections, site_admin
):
    actions.post_comment(
        by=citizen, consultation=consultation, section=sections[0], body="=SUM(A1)"
    )
    hidden = actions.post_comment(by=citizen2, consultation=consultation, body="rude")
    actions.hide_comment(by=site_admin, comment=hidden, reason="insults")
    actions.set_support(by=citizen2, section=sections[0], stance=Stance.SUPPORT, reason="Good")
    data = json.loads(client.get(_url(consultation, "export.json")).content)
    assert [c["author"] for c in data["comments"]] == ["Alex Park"]
    assert data["supports"][0]["stance"] == "support"
    raw = client.get(_url(consultation, "export.csv")).content.decode()
    assert "@example.org" not in raw and "rude" not in raw
    rows = list(csv.reader(io.StringIO(raw)))
    assert rows[0][0] == "kind"
    assert rows[1][9] == "'=SUM(A1)"


def test_summary_page_has_charts_and_tables(client, citizen, consultation, sections):
    actions.post_comment(
        by=citizen, consultation=consultation, section=sections[1], passage="30 mph", body="A"
    )
    page = client.get(_url(consultation, "summary/")).content.decode()
    assert "<svg" in page and "<table" in page
    assert "<mark>30 mph</mark>" in page


def test_flag_and_hide_through_pages(
    client, citizen, citizen2, consultation, site_admin, staff_client_for
):
    comment = actions.post_comment(by=citizen, consultation=consultation, body="Rude")
    client.force_login(citizen2)
    assert (
        client.post(
            _url(consultation, f"comments/{comment.pk}/report/"), {"reason": "Rude"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            _url(consultation, f"comments/{comment.pk}/report/"), {"reason": "Again"}
        ).status_code
        == 400
    )
    admin = staff_client_for(site_admin)
    admin.post(_url(consultation, f"comments/{comment.pk}/moderate/"), {"reason": "insults"})
    comment.refresh_from_db()
    assert comment.is_hidden
    page = client.get(_url(consultation)).content.decode()
    assert "Hidden by moderator" in page and "Rude</p>" not in page


def test_unpublished_draft_is_404_for_visitors(client, make_consultation):
    import datetime as dt

    from django.utils import timezone

    draft = make_consultation(published_at=timezone.now() + dt.timedelta(days=2))
    assert client.get(_url(draft)).status_code == 404
    assert client.get("/api/v1/consultations/").json()["results"] == []


def test_garbage_parameters_do_not_break_pages(client, consultation):
    assert client.get(_url(consultation), {"page": "abc", "section": "x" * 50}).status_code == 200
    assert client.get(_url(consultation), {"page": "999999"}).status_code == 200


def test_an_answer_without_its_reason_is_refused_at_the_form_and_stores_nothing(
    citizen, staff_member, consultation, sections, staff_client_for
):
    comment = actions.post_comment(
        by=citizen, consultation=consultation, section=sections[1], body="Slow down"
    )
    amendment = actions.propose_amendment(
        by=citizen, section=sections[2], text="All schools this year."
    )
    staff = staff_client_for(staff_member.user)
    staff.post(
        _url(consultation, "respond/themes/"), {"title": "Speed", "comments": f"{comment.pk}"}
    )
    theme = consultation.themes.get()
    for path in (f"respond/themes/{theme.pk}/", f"respond/amendments/{amendment.pk}/"):
        response = staff.post(_url(consultation, path), {"outcome": "", "response": ""})
        assert response.status_code == 400, path
        text = response.content.decode()
        assert 'role="alert"' in text and "Response and reason: This field is required." in text
    theme.refresh_from_db()
    amendment.refresh_from_db()
    assert not theme.response and not amendment.response
