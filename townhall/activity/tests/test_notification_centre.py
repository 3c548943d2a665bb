"""The notification centre: a person sees their own notifications, marks them read, and
follows their links; nobody sees or marks another person's."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from townhall.activity.actions import notify, record_activity
from townhall.activity.models import Notification, Visibility


def told(
    person: Any,
    summary: str = "Your request SPR-2026-000001 was answered",
    url: str = "/requests/SPR-2026-000001/",
) -> Notification:
    entry = record_activity(verb="request.answered", summary=summary, visibility=Visibility.PUBLIC)
    notify(recipients=[person], activity=entry, reason="You filed this request.", url=url)
    return Notification.objects.get(recipient=person, activity=entry)


def test_notifying_twice_of_the_same_activity_tells_a_person_once(citizen: Any) -> None:
    entry = record_activity(verb="request.answered", summary="Answered")
    assert notify(recipients=[citizen, citizen], activity=entry) == 1
    assert notify(recipients=[citizen], activity=entry) == 0
    assert Notification.objects.filter(recipient=citizen).count() == 1


def test_the_unread_count_shows_in_the_navigation(client: Any, citizen: Any) -> None:
    told(citizen)
    told(citizen, summary="A second thing")
    client.force_login(citizen)
    page = client.get(reverse("activity:notification-list")).content.decode()
    assert "A second thing" in page
    assert '>2<span class="usa-sr-only"> unread</span>' in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(
    client: Any, citizen: Any
) -> None:
    notification = told(citizen)
    client.force_login(citizen)
    response = client.post(reverse("activity:notification-read"), {"notification": notification.pk})
    assert response.status_code == 302
    assert response["Location"] == "/requests/SPR-2026-000001/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_to_another_site_is_not_followed(client: Any, citizen: Any) -> None:
    notification = told(citizen, url="https://evil.example.com/")
    client.force_login(citizen)
    response = client.post(reverse("activity:notification-read"), {"notification": notification.pk})
    assert response["Location"] == reverse("activity:notification-list")


def test_nobody_can_read_or_mark_another_persons_notifications(
    client: Any, citizen: Any, citizen2: Any
) -> None:
    notification = told(citizen, summary="Private matter of Alex")
    client.force_login(citizen2)
    assert (
        "Private matter of Alex"
        not in client.get(reverse("activity:notification-list")).content.decode()
    )
    client.post(reverse("activity:notification-read"), {"notification": notification.pk})
    client.post(reverse("activity:notification-read"), {"notification": "all"})
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_all_read_clears_the_count(client: Any, citizen: Any) -> None:
    told(citizen)
    told(citizen, summary="Another")
    client.force_login(citizen)
    client.post(reverse("activity:notification-read"), {"notification": "all"})
    assert Notification.objects.filter(recipient=citizen, read_at__isnull=True).count() == 0


def test_nonsense_is_refused_politely(client: Any, citizen: Any) -> None:
    client.force_login(citizen)
    for value in ["", "abc", "1 OR 1=1", "\x00", "99999999"]:
        response = client.post(
            reverse("activity:notification-read"), {"notification": value}, follow=True
        )
        assert response.status_code == 200


def test_the_page_needs_a_sign_in_and_has_an_empty_state(client: Any, citizen: Any) -> None:
    assert client.get(reverse("activity:notification-list")).status_code == 302
    client.force_login(citizen)
    assert "Nothing yet" in client.get(reverse("activity:notification-list")).content.decode()


def test_the_list_takes_a_fixed_number_of_queries(
    client: Any, citizen: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(30):
        told(citizen, summary=f"Thing {number}")
    client.force_login(citizen)
    # session, user, staff check, the paginator's count, the page, the unread count
    with django_assert_max_num_queries(6):
        assert client.get(reverse("activity:notification-list")).status_code == 200


def test_the_query_count_does_not_grow_with_the_number_of_notifications(
    client: Any, citizen: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(citizen)
    counts = []
    for total in (3, 120):
        while Notification.objects.filter(recipient=citizen).count() < total:
            told(citizen, summary=f"Thing {Notification.objects.count()}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("activity:notification-list")).status_code == 200
            assert client.get(reverse("activity:notification-list") + "?page=2").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(6):
        client.get(reverse("activity:notification-list") + "?page=3")
