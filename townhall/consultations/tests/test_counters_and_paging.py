"""The kept counts a consultation's page shows (comments, supports, oppositions, the size
of each section's comment pages) stay right through the actions; the pages cost a fixed
number of queries; the list of consultations pages through every status."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from townhall.consultations import actions, views
from townhall.consultations.models import Consultation, Section

LIST = "/consultations/"


@pytest.fixture(autouse=True)
def many_comments_a_minute(settings: Any) -> None:
    settings.MESSAGES_PER_MINUTE = 1000


def _counts(section: Section) -> tuple[int, int, int, int]:
    section.refresh_from_db()
    return (
        section.comment_count,
        section.top_comment_count,
        section.support_count,
        section.oppose_count,
    )


def test_counts_follow_comments_replies_hiding_and_restoring(
    consultation, sections, citizen, citizen2, site_admin
):
    first = actions.post_comment(
        by=citizen, consultation=consultation, section=sections[0], body="Too slow."
    )
    actions.post_comment(by=citizen2, consultation=consultation, parent=first, body="Agreed.")
    actions.post_comment(by=citizen2, consultation=consultation, body="On the whole plan.")
    actions.post_comment(
        by=citizen2,
        consultation=consultation,
        section=sections[1],
        passage="drops to 20 mph",
        body="Good.",
    )
    # A reply counts among the section's comments but is not a top-level one.
    assert _counts(sections[0]) == (2, 1, 0, 0)
    assert _counts(sections[1]) == (1, 1, 0, 0)
    assert _counts(sections[2]) == (0, 0, 0, 0)
    consultation.refresh_from_db()
    assert consultation.top_comment_count == 3

    # Hidden: no longer counted as shown, but it keeps its place in the pages.
    actions.hide_comment(by=site_admin, comment=first, reason="Off topic")
    assert _counts(sections[0]) == (1, 1, 0, 0)
    first.refresh_from_db()
    actions.restore_comment(by=site_admin, comment=first, reason="On topic after all")
    assert _counts(sections[0]) == (2, 1, 0, 0)


def test_the_same_comment_sent_twice_is_counted_once(consultation, sections, citizen):
    for _ in range(2):
        actions.post_comment(
            by=citizen, consultation=consultation, section=sections[2], body="Yes please."
        )
    assert _counts(sections[2]) == (1, 1, 0, 0)


def test_support_counts_follow_a_change_of_stance(consultation, sections, citizen, citizen2):
    section = sections[1]
    actions.set_support(by=citizen, section=section, stance="support")
    actions.set_support(by=citizen2, section=section, stance="support")
    assert _counts(section)[2:] == (2, 0)
    actions.set_support(by=citizen, section=section, stance="oppose", reason="Too slow")
    assert _counts(section)[2:] == (1, 1)
    actions.set_support(by=citizen, section=section, stance="oppose", reason="Still too slow")
    assert _counts(section)[2:] == (1, 1)
    actions.set_support(by=citizen, section=section, stance="support")
    assert _counts(section)[2:] == (2, 0)
    # Another section is untouched.
    assert _counts(sections[0])[2:] == (0, 0)


def test_the_migration_fills_the_section_counts_from_the_comments(
    consultation, sections, citizen, citizen2
):
    top = actions.post_comment(
        by=citizen, consultation=consultation, section=sections[0], body="One"
    )
    actions.post_comment(by=citizen2, consultation=consultation, parent=top, body="Reply")
    actions.post_comment(by=citizen2, consultation=consultation, section=sections[0], body="Two")
    actions.post_comment(by=citizen2, consultation=consultation, section=sections[2], body="3")
    Section.objects.update(top_comment_count=0)
    migration = importlib.import_module("townhall.consultations.migrations.0003_section_counters")
    migration.count_top_comments(apps, None)
    assert [_counts(s)[1] for s in sections] == [2, 0, 1]


def _section_page(consultation: Consultation, section: Section, page: int = 1) -> str:
    return f"{consultation.get_absolute_url()}?section={section.pk}&page={page}"


def test_one_sections_pages_use_the_kept_count(client, consultation, sections, citizen, citizen2):
    for i in range(27):
        top = actions.post_comment(
            by=citizen, consultation=consultation, section=sections[1], body=f"Point {i}"
        )
    actions.post_comment(by=citizen2, consultation=consultation, parent=top, body="Reply")
    actions.post_comment(by=citizen2, consultation=consultation, section=sections[0], body="Else")

    page = client.get(_section_page(consultation, sections[1])).content.decode()
    assert "27 comments" in page and "Page 1 of 2" in page
    last = client.get(_section_page(consultation, sections[1], 2)).content.decode()
    assert "Point 26" in last and "Reply" in last and "Else" not in last
    # A page past the end shows the last one; a section of nothing shows none.
    assert "Point 26" in client.get(_section_page(consultation, sections[1], 99)).content.decode()
    nowhere = client.get(f"{consultation.get_absolute_url()}?section=999999").content.decode()
    assert "0 comments" in nowhere


def test_one_sections_page_costs_the_same_queries_with_many_comments(
    client, consultation, sections, citizen, citizen2, django_assert_max_num_queries
):
    def add(n: int) -> None:
        for i in range(n):
            top = actions.post_comment(
                by=citizen, consultation=consultation, section=sections[1], body=f"C {i}"
            )
            actions.post_comment(by=citizen2, consultation=consultation, parent=top, body="Re")

    add(1)
    with django_assert_max_num_queries(30) as few:
        assert client.get(_section_page(consultation, sections[1])).status_code == 200
    add(40)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        assert client.get(_section_page(consultation, sections[1], 2)).status_code == 200
    counts = [q["sql"] for q in many.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "consultations_comment" in sql]


# --- the list ---------------------------------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch: Any) -> None:
    monkeypatch.setattr(views, "LIST_PREVIEW", 2)
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)


def _closed(make_consultation: Any, n: int, **extra: Any) -> list[Consultation]:
    return [
        make_consultation(title=f"Closed plan {i}", opens_in=-40 - i, closes_in=-10 - i, **extra)
        for i in range(n)
    ]


def test_every_closed_consultation_can_be_reached_page_by_page(
    client, make_consultation, small_pages
):
    made = _closed(make_consultation, 5)
    overview = client.get(LIST).content.decode()
    assert "Closed plan 0" in overview and "Closed plan 1" in overview
    assert "Closed plan 2" not in overview
    assert 'href="?status=closed"' in overview

    seen = []
    for number in (1, 2, 3):
        page = client.get(LIST, {"status": "closed", "page": number}).content.decode()
        assert f"Page {number} of 3" in page
        seen += [c.title for c in made if f">{c.title}</a>" in page]
        assert "Open for comments</h2>" not in page
    assert seen == [c.title for c in made]  # newest closed first, each once


def test_the_list_pages_within_one_agency(
    client, make_consultation, small_pages, other_staff, agency
):
    _closed(make_consultation, 3)
    now = timezone.now()
    actions.create_consultation(
        by=other_staff.user,
        agency=other_staff.agency,
        title="Park plan",
        summary="Our parks.",
        sections=[("Trees", "More trees.")],
        opens_at=now - dt.timedelta(days=40),
        closes_at=now - dt.timedelta(days=5),
    )
    page = client.get(LIST, {"agency": agency.slug, "status": "closed"}).content.decode()
    assert "Park plan" not in page and "Page 1 of 2" in page
    assert f"?agency={agency.slug}&amp;status=closed&amp;page=2" in page
    parks = client.get(LIST, {"agency": other_staff.agency.slug}).content.decode()
    assert "Park plan" in parks and "Closed plan" not in parks


def test_bad_list_input_gets_a_page_not_an_error(client, make_consultation, small_pages):
    _closed(make_consultation, 3)
    assert client.get(LIST, {"agency": "no-such-agency"}).status_code == 404
    for page in ("abc", "-1", "99999999999999999999999", "0"):
        response = client.get(LIST, {"status": "closed", "page": page})
        assert response.status_code == 200
    # An unknown status shows the usual overview.
    overview = client.get(LIST, {"status": "<script>"}).content.decode()
    assert "Upcoming</h2>" in overview and "<script>" not in overview


def test_drafts_are_listed_for_their_agency_only(
    client, make_consultation, staff_member, other_staff, small_pages
):
    later = timezone.now() + dt.timedelta(days=3)
    make_consultation(title="Secret draft", published_at=later, opens_in=5, closes_in=20)
    for who in (None, other_staff.user):
        if who is not None:
            client.force_login(who)
        assert "Secret draft" not in client.get(LIST, {"status": "upcoming"}).content.decode()


def test_the_list_costs_a_fixed_number_of_queries(
    client, make_consultation, agency, small_pages, django_assert_max_num_queries
):
    _closed(make_consultation, 1)
    make_consultation(title="Open plan")
    for query in ({}, {"status": "closed"}, {"agency": agency.slug, "status": "closed"}):
        with django_assert_max_num_queries(20) as few:
            assert client.get(LIST, query).status_code == 200
        _closed(make_consultation, 4)
        make_consultation(title="Open plan", opens_in=-2)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(LIST, query).status_code == 200


def test_the_list_links_its_atom_feed(client, agency):
    page = client.get(LIST).content.decode()
    assert f'href="{reverse("transparency:consultations-feed")}"' in page
    assert 'type="application/atom+xml"' in page
    one = client.get(LIST, {"agency": agency.slug}).content.decode()
    feed = reverse("transparency:agency-consultations-feed", kwargs={"slug": agency.slug})
    assert f'href="{feed}"' in one


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_paged_list_passes_axe(make_consultation, small_pages, browser_page, axe_check):
    _closed(make_consultation, 3)
    page = browser_page
    page.goto("/consultations/")
    axe_check(page)
    page.get_by_role("link", name="All consultations: Closed").click()
    page.wait_for_url("**/consultations/?status=closed")
    axe_check(page)
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**page=2")
    assert page.get_by_text("Page 2 of 2").count() == 1
    axe_check(page)
