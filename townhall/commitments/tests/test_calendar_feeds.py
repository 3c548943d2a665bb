"""A citizen's open commitments as an iCalendar feed at a secret, revocable address."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from icalendar import Calendar

from townhall.activity.models import Activity
from townhall.commitments import actions
from townhall.commitments.models import CalendarFeed, Commitment, CommitmentState

from .commitment_examples import FRIDAY, make

pytestmark = pytest.mark.django_db


def _url(feed: CalendarFeed) -> str:
    return reverse("transparency:commitments-calendar", kwargs={"token": feed.token})


def _events(client: Any, feed: CalendarFeed) -> list[Any]:
    response = client.get(_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    return list(calendar.walk("VEVENT"))


# --- the actions ---------------------------------------------------------------------------


def test_creating_a_feed_gives_a_long_random_secret(citizen: Any, citizen2: Any) -> None:
    feed = actions.create_calendar_feed(by=citizen)
    other = actions.create_calendar_feed(by=citizen2)
    assert feed.owner == citizen and feed.is_live
    assert len(feed.token) >= 40 and feed.token != other.token
    assert Activity.objects.filter(verb="calendar_feed.created", actor=citizen).exists()


def test_creating_again_revokes_the_old_feed(citizen: Any) -> None:
    old = actions.create_calendar_feed(by=citizen)
    new = actions.create_calendar_feed(by=citizen)
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert list(CalendarFeed.objects.visible_to(citizen).live()) == [new]


def test_anonymous_cannot_create_a_calendar_feed(db: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_calendar_feed(by=AnonymousUser())
    assert not CalendarFeed.objects.exists()


def test_citizen_cannot_revoke_another_citizens_feed(citizen: Any, citizen2: Any) -> None:
    feed = actions.create_calendar_feed(by=citizen)
    with pytest.raises(PermissionDenied):
        actions.revoke_calendar_feed(by=citizen2, feed=feed)
    feed.refresh_from_db()
    assert feed.is_live


def test_staff_of_an_agency_cannot_revoke_a_citizens_feed(citizen: Any, staff_member: Any) -> None:
    feed = actions.create_calendar_feed(by=citizen)
    with pytest.raises(PermissionDenied):
        actions.revoke_calendar_feed(by=staff_member.user, feed=feed)


def test_revoking_twice_changes_nothing(citizen: Any) -> None:
    feed = actions.create_calendar_feed(by=citizen)
    first = actions.revoke_calendar_feed(by=citizen, feed=feed)
    again = actions.revoke_calendar_feed(by=citizen, feed=feed)
    assert first.revoked_at == again.revoked_at
    assert Activity.objects.filter(verb="calendar_feed.revoked").count() == 1


def test_nobody_sees_another_persons_feeds(citizen: Any, citizen2: Any, site_admin: Any) -> None:
    actions.create_calendar_feed(by=citizen)
    assert not CalendarFeed.objects.visible_to(citizen2).exists()
    assert not CalendarFeed.objects.visible_to(site_admin).exists()
    assert not CalendarFeed.objects.visible_to(AnonymousUser()).exists()


# --- the .ics feed -------------------------------------------------------------------------


def test_calendar_lists_open_promises_made_to_the_owner(
    client: Any, citizen: Any, agency: Any, staff_member: Any
) -> None:
    promise = make(staff_member.user, agency, citizen)
    feed = actions.create_calendar_feed(by=citizen)
    (event,) = _events(client, feed)
    assert str(event["UID"]).startswith(f"commitment-{promise.pk}@")
    start = event.decoded("DTSTART")
    assert start == FRIDAY and start.utcoffset() is not None
    assert start.tzinfo == UTC or start.utcoffset().total_seconds() == 0
    assert str(event["SUMMARY"]) == "I will call you by Friday"
    description = str(event["DESCRIPTION"])
    assert "Public Works" in description and "Sam Rivera" in description
    assert "sam@example.org" not in description and "sammy" not in description


def test_calendar_event_links_to_the_request_page(
    client: Any, citizen: Any, foi_request: Any
) -> None:
    feed = actions.create_calendar_feed(by=citizen)
    events = _events(client, feed)
    open_count = Commitment.objects.filter(made_to=citizen, state=CommitmentState.OPEN).count()
    assert open_count >= 1 and len(events) == open_count
    for event in events:
        assert str(event["URL"]).endswith(foi_request.get_absolute_url())
        assert str(event["URL"]).startswith("http")
    assert {str(event["UID"]) for event in events}.__len__() == len(events)


def test_calendar_uids_are_stable(
    client: Any, citizen: Any, agency: Any, staff_member: Any
) -> None:
    make(staff_member.user, agency, citizen)
    feed = actions.create_calendar_feed(by=citizen)
    first = [str(event["UID"]) for event in _events(client, feed)]
    assert first == [str(event["UID"]) for event in _events(client, feed)]


def test_calendar_leaves_out_closed_promises_and_other_peoples(
    client: Any, citizen: Any, citizen2: Any, agency: Any, staff_member: Any
) -> None:
    kept = make(staff_member.user, agency, citizen, description="Already done")
    actions.keep_commitment(by=staff_member.user, commitment=kept)
    make(staff_member.user, agency, citizen2, description="Bea's promise")
    make(staff_member.user, agency, citizen, description="Still open")
    feed = actions.create_calendar_feed(by=citizen)
    assert [str(event["SUMMARY"]) for event in _events(client, feed)] == ["Still open"]


def test_unknown_token_is_404(client: Any, citizen: Any) -> None:
    feed = actions.create_calendar_feed(by=citizen)
    guess = feed.token[:-1] + ("A" if feed.token[-1] != "A" else "B")
    for token in (guess, "x" * 43, "short"):
        url = reverse("transparency:commitments-calendar", kwargs={"token": token})
        assert client.get(url).status_code == 404


def test_revoked_and_replaced_tokens_are_404(client: Any, citizen: Any) -> None:
    revoked = actions.create_calendar_feed(by=citizen)
    actions.revoke_calendar_feed(by=citizen, feed=revoked)
    assert client.get(_url(revoked)).status_code == 404
    replaced = actions.create_calendar_feed(by=citizen)
    live = actions.create_calendar_feed(by=citizen)
    assert client.get(_url(replaced)).status_code == 404
    assert client.get(_url(live)).status_code == 200


def test_calendar_costs_a_fixed_number_of_queries(
    client: Any,
    citizen: Any,
    agency: Any,
    staff_member: Any,
    foi_request: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(5):
        make(staff_member.user, agency, citizen, description=f"Promise {n}")
    feed = actions.create_calendar_feed(by=citizen)
    with django_assert_max_num_queries(4):  # feed + owner, commitments, content type, requests
        events = _events(client, feed)
    assert len(events) >= 6


# --- the page to make, copy and revoke the address -----------------------------------------


def test_calendar_page_needs_sign_in(client: Any, db: Any) -> None:
    response = client.get(reverse("transparency:calendar-feed-manage"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("transparency:calendar-feed-create"))
    assert response.status_code == 302 and not CalendarFeed.objects.exists()


def test_citizen_makes_copies_and_revokes_the_address(client: Any, citizen: Any) -> None:
    client.force_login(citizen)
    page = client.get(reverse("transparency:calendar-feed-manage")).content.decode()
    assert "Anyone with this address can see your open promises" in page
    response = client.post(reverse("transparency:calendar-feed-create"), follow=True)
    feed = CalendarFeed.objects.get(owner=citizen)
    assert f"http://testserver{_url(feed)}" in response.content.decode()
    response = client.post(
        reverse("transparency:calendar-feed-revoke", kwargs={"pk": feed.pk}), follow=True
    )
    feed.refresh_from_db()
    assert not feed.is_live
    assert feed.token not in response.content.decode()


def test_citizen_cannot_revoke_another_citizens_address_through_the_page(
    client: Any, citizen: Any, citizen2: Any
) -> None:
    feed = actions.create_calendar_feed(by=citizen)
    client.force_login(citizen2)
    url = reverse("transparency:calendar-feed-revoke", kwargs={"pk": feed.pk})
    assert client.post(url).status_code == 404
    feed.refresh_from_db()
    assert feed.is_live
    page = client.get(reverse("transparency:calendar-feed-manage")).content.decode()
    assert feed.token not in page


def test_account_page_links_to_the_calendar_page(client: Any, citizen: Any) -> None:
    client.force_login(citizen)
    page = client.get(reverse("identity:account")).content.decode()
    assert reverse("transparency:calendar-feed-manage") in page
