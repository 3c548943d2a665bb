"""Consultations in the open: the Atom feeds of what happens to them (site-wide and per
agency) and the two open datasets (consultations, their public comments). Drafts never
appear; hidden comments' words, email addresses and accounts never do."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import feedparser
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from townhall.consultations import actions
from townhall.consultations.models import Consultation, Section
from townhall.transparency.datasets import DATASETS

pytestmark = pytest.mark.django_db

SITE_FEED = "/feeds/consultations.atom"


@pytest.fixture(autouse=True)
def many_comments_a_minute(settings: Any) -> None:
    settings.MESSAGES_PER_MINUTE = 1000


def _make(staff: Any, title: str, **when: Any) -> Consultation:
    now = timezone.now()
    fields: dict[str, Any] = {
        "opens_at": now - dt.timedelta(days=1),
        "closes_at": now + dt.timedelta(days=14),
    }
    fields.update(when)
    return actions.create_consultation(
        by=staff.user,
        agency=staff.agency,
        title=title,
        summary=f"The summary of {title}.",
        sections=[("Speed limits", "The limit drops to 20 mph."), ("Crossings", "More.")],
        **fields,
    )


def _close(consultation: Consultation) -> Consultation:
    """Time passing (not an action): the consultation closed a minute ago."""
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(minutes=1)
    )
    consultation.refresh_from_db()
    return consultation


def _draft(staff: Any) -> Consultation:
    later = timezone.now() + dt.timedelta(days=5)
    return _make(
        staff,
        "Secret draft",
        published_at=later,
        opens_at=later,
        closes_at=later + dt.timedelta(days=14),
    )


def _parse(response: Any) -> Any:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _sections(consultation: Consultation) -> list[Section]:
    assert consultation.current_version is not None
    return list(consultation.current_version.sections.order_by("order"))


# --- the feeds -----------------------------------------------------------------------------


def test_the_feed_tells_of_new_opened_revised_closed_and_answered_consultations(
    client: Client, staff_member: Any
) -> None:
    now = timezone.now()
    _make(
        staff_member,
        "Bike lanes",
        published_at=now - dt.timedelta(days=3),
        opens_at=now - dt.timedelta(days=1),
    )
    revised = _make(staff_member, "Bus stops")
    actions.publish_version(
        by=staff_member.user,
        consultation=revised,
        sections=[("Stops", "Every 400 m.")],
        note="Shorter",
    )
    answered = _close(_make(staff_member, "Tree planting"))
    actions.publish_response(
        by=staff_member.user, consultation=answered, summary="We will plant 500 trees."
    )
    _draft(staff_member)

    parsed = _parse(client.get(SITE_FEED))
    assert parsed.feed.title == "Consultations"
    assert parsed.feed.id.startswith("tag:")
    titles = [entry.title for entry in parsed.entries]
    for expected in (
        "New consultation: Bike lanes",
        "Open for comments: Bike lanes",
        "New consultation: Bus stops",
        "Revised (version 2): Bus stops",
        "Closed: Tree planting",
        "Response published: Tree planting",
    ):
        assert expected in titles
    # Published already open: no separate "opened" entry.
    assert "Open for comments: Bus stops" not in titles
    assert not [title for title in titles if "Secret draft" in title]
    assert "Secret draft" not in client.get(SITE_FEED).content.decode()
    ids = [entry.id for entry in parsed.entries]
    assert all(entry_id.startswith("tag:") for entry_id in ids)
    assert len(ids) == len(set(ids))
    by_title = {entry.title: entry for entry in parsed.entries}
    assert by_title["Response published: Tree planting"].link.endswith(
        f"/consultations/{answered.pk}/response/"
    )
    assert by_title["Revised (version 2): Bus stops"].link.endswith(
        f"/consultations/{revised.pk}/versions/2/"
    )
    assert "We will plant 500 trees." in by_title["Response published: Tree planting"].summary
    dates = [entry.updated_parsed for entry in parsed.entries]
    assert dates == sorted(dates, reverse=True)


def test_an_agencys_feed_holds_its_own_consultations_only(
    client: Client, staff_member: Any, other_staff: Any
) -> None:
    _make(staff_member, "Bike lanes")
    _make(other_staff, "Dog park")
    url = reverse("transparency:agency-consultations-feed", kwargs={"slug": "public-works"})
    assert url == "/feeds/agencies/public-works/consultations.atom"
    parsed = _parse(client.get(url))
    assert parsed.feed.title == "Public Works: consultations"
    assert [entry.title for entry in parsed.entries] == ["New consultation: Bike lanes"]
    site = _parse(client.get(SITE_FEED))
    assert {entry.title for entry in site.entries} == {
        "New consultation: Bike lanes",
        "New consultation: Dog park",
    }
    assert parsed.feed.id != site.feed.id


def test_a_feed_of_no_such_agency_is_not_found(client: Client, staff_member: Any) -> None:
    for slug in ("no-such-agency", "x" * 300):
        assert client.get(f"/feeds/agencies/{slug}/consultations.atom").status_code == 404


def test_staff_signed_in_still_get_the_public_feed(client: Client, staff_member: Any) -> None:
    _draft(staff_member)
    client.force_login(staff_member.user)
    assert "Secret draft" not in client.get(SITE_FEED).content.decode()


def test_the_feed_costs_a_fixed_number_of_queries(
    client: Client, staff_member: Any, django_assert_max_num_queries: Any
) -> None:
    _make(staff_member, "Plan 0")
    with django_assert_max_num_queries(12) as few:
        _parse(client.get(SITE_FEED))
    for i in range(1, 6):
        consultation = _make(staff_member, f"Plan {i}")
        actions.publish_version(
            by=staff_member.user, consultation=consultation, sections=[("A", "B")]
        )
        _close(consultation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        _parse(client.get(SITE_FEED))


def test_a_consultations_own_feed_tells_its_updates_and_documents(
    client: Client, staff_member: Any, other_staff: Any, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from townhall.consultations.documents import attach_document

    settings.MEDIA_ROOT = str(tmp_path)
    mine = _make(staff_member, "Bike lanes")
    _make(other_staff, "Dog park")
    actions.publish_version(
        by=staff_member.user, consultation=mine, sections=[("Lanes", "Protected.")]
    )
    document = attach_document(
        by=staff_member.user,
        consultation=mine,
        title="Traffic counts <2026>",
        upload=SimpleUploadedFile("counts.txt", b"Main St: 1200 a day\n", "text/plain"),
    )
    url = reverse("transparency:consultation-feed", kwargs={"pk": mine.pk})
    assert url == f"/feeds/consultations/{mine.pk}.atom"
    parsed = _parse(client.get(url))
    assert parsed.feed.title == "Consultation: Bike lanes"
    titles = [entry.title for entry in parsed.entries]
    assert "New consultation: Bike lanes" in titles
    assert "Revised (version 2): Bike lanes" in titles
    assert "New document: Traffic counts <2026>" in titles
    assert not [title for title in titles if "Dog park" in title]
    entry = next(e for e in parsed.entries if e.title.startswith("New document"))
    assert entry.link.endswith(f"/consultations/{mine.pk}/documents/{document.pk}/")
    # The consultation page points feed readers at it.
    assert f'href="{url}"' in client.get(mine.get_absolute_url()).content.decode()


def test_a_drafts_feed_is_not_found(client: Client, staff_member: Any) -> None:
    draft = _draft(staff_member)
    assert client.get(f"/feeds/consultations/{draft.pk}.atom").status_code == 404
    assert client.get("/feeds/consultations/999999.atom").status_code == 404


# --- the datasets --------------------------------------------------------------------------


def _rows(client: Client, identifier: str) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    url = reverse("open_data:dataset-download", kwargs={"identifier": identifier, "fmt": "csv"})
    response = client.get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert reader.fieldnames == DATASETS[identifier].column_names
    url = reverse("open_data:dataset-download", kwargs={"identifier": identifier, "fmt": "json"})
    items = json.loads(b"".join(client.get(url).streaming_content))
    assert [list(item) for item in items] == [DATASETS[identifier].column_names] * len(items)
    return rows, items


@pytest.fixture
def discussed(staff_member: Any, citizen: Any, citizen2: Any, site_admin: Any) -> dict[str, Any]:
    """An open consultation with comments (one hidden, one from staff), supports and an
    opposition; and an unpublished draft with a comment-free section."""
    consultation = _make(staff_member, "Safer streets")
    speed, crossings = _sections(consultation)
    first = actions.post_comment(
        by=citizen,
        consultation=consultation,
        section=speed,
        passage="drops to 20 mph",
        body="Twenty is plenty.",
    )
    reply = actions.post_comment(
        by=staff_member.user, consultation=consultation, parent=first, body="Thank you."
    )
    hidden = actions.post_comment(
        by=citizen2, consultation=consultation, section=crossings, body="Something nasty."
    )
    actions.hide_comment(by=site_admin, comment=hidden, reason="Insults")
    general = actions.post_comment(by=citizen2, consultation=consultation, body="Great plan.")
    actions.set_support(by=citizen, section=speed, stance="support")
    actions.set_support(by=citizen2, section=speed, stance="support")
    actions.set_support(by=citizen2, section=speed, stance="oppose")
    actions.set_support(by=citizen, section=crossings, stance="support")
    actions.propose_amendment(
        by=citizen, section=crossings, text="Raised crossings.", reason="Safer"
    )
    return {
        "consultation": consultation,
        "first": first,
        "reply": reply,
        "hidden": hidden,
        "general": general,
        "draft": _draft(staff_member),
    }


def test_the_consultations_dataset_has_one_row_per_published_consultation(
    client: Client, discussed: dict[str, Any]
) -> None:
    rows, items = _rows(client, "consultations")
    consultation = discussed["consultation"]
    (row,) = rows  # the draft is left out
    assert row["id"] == str(consultation.pk)
    assert row["agency"] == "public-works"
    assert row["title"] == "Safer streets"
    assert row["status"] == "open"
    assert row["response_published_at"] == ""
    assert (row["comments"], row["supports"], row["oppositions"], row["amendments"]) == (
        "3",  # the hidden one is not counted
        "2",
        "1",
        "1",
    )
    (item,) = items
    assert item["comments"] == 3 and item["response_published_at"] is None
    assert item["closes_at"].endswith("Z")


def test_the_comments_dataset_has_public_comments_only_without_email_or_account(
    client: Client, discussed: dict[str, Any], citizen: Any
) -> None:
    rows, items = _rows(client, "consultation-comments")
    first, reply, general = discussed["first"], discussed["reply"], discussed["general"]
    assert [row["id"] for row in rows] == [str(first.pk), str(reply.pk), str(general.pk)]
    by_id = {row["id"]: row for row in rows}
    assert by_id[str(first.pk)]["author"] == "Alex Park"
    assert by_id[str(first.pk)]["section"] == "Speed limits"
    assert by_id[str(first.pk)]["passage"] == "drops to 20 mph"
    assert by_id[str(reply.pk)]["reply_to"] == str(first.pk)
    assert by_id[str(reply.pk)]["author"] == (
        "Sam Rivera, Road Maintenance Supervisor, Public Works"
    )
    assert by_id[str(general.pk)]["section"] == ""
    assert items[0]["reply_to"] is None and items[1]["reply_to"] == first.pk
    for fmt in ("csv", "json"):
        url = reverse(
            "open_data:dataset-download",
            kwargs={"identifier": "consultation-comments", "fmt": fmt},
        )
        body = b"".join(client.get(url).streaming_content).decode()
        for secret in ("Something nasty", "alex@example.org", "bea@example.org", "sammy"):
            assert secret not in body
    assert {"author_id", "email", "user"}.isdisjoint(DATASETS["consultation-comments"].column_names)


def test_a_restored_comment_comes_back_and_a_drafts_comments_never_appear(
    client: Client, discussed: dict[str, Any], site_admin: Any, staff_member: Any
) -> None:
    hidden = discussed["hidden"]
    hidden.refresh_from_db()
    actions.restore_comment(by=site_admin, comment=hidden, reason="Fair criticism")
    draft = discussed["draft"]
    Consultation.objects.filter(pk=draft.pk).update(opens_at=timezone.now())
    rows, _items = _rows(client, "consultation-comments")
    assert "Something nasty." in [row["body"] for row in rows]
    assert str(draft.pk) not in {row["consultation"] for row in rows}


def test_the_catalogue_and_schema_pages_list_the_consultation_datasets(client: Client) -> None:
    page = client.get("/data/").content.decode()
    assert "/data/consultations.csv" in page and "/data/consultation-comments.json" in page
    schema = client.get(
        reverse("open_data:dataset-schema", kwargs={"identifier": "consultation-comments"})
    )
    assert schema.status_code == 200
    for name in DATASETS["consultation-comments"].column_names:
        assert name in schema.content.decode()
    catalog = client.get("/data.json").json()
    identifiers = {entry["identifier"].rsplit("#", 1)[1] for entry in catalog["dataset"]}
    assert {"consultations", "consultation-comments"} <= identifiers


def test_the_datasets_stream_in_a_fixed_number_of_queries(
    client: Client, staff_member: Any, citizen: Any, django_assert_max_num_queries: Any
) -> None:
    def comment(n: int) -> None:
        consultation = _make(staff_member, f"Plan {n}")
        for section in _sections(consultation):
            actions.post_comment(
                by=citizen, consultation=consultation, section=section, body=f"On {n}"
            )

    comment(0)
    for identifier in ("consultations", "consultation-comments"):
        with django_assert_max_num_queries(8) as few:
            _rows(client, identifier)
        comment(len(few.captured_queries) + 1)
        with django_assert_max_num_queries(len(few.captured_queries)):
            _rows(client, identifier)
