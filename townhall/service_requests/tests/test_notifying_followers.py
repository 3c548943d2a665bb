"""Followers hear of what happens to what they follow: a request's status changes and
answers, new messages in a conversation, new public discussions at an agency. Only those
who may read the news, never the person who did it, and once per event."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.activity.actions import follow, notify, notify_followers, record_activity
from townhall.activity.follows import followers_of, is_following
from townhall.activity.models import Activity, Notification, Visibility

pytestmark = pytest.mark.django_db


def _told(user: Any) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).values_list("activity__verb", flat=True)
    )


def test_filing_a_request_makes_the_requester_follow_it(citizen: Any, pothole_request: Any) -> None:
    assert is_following(citizen, pothole_request)


def test_saying_me_too_makes_the_supporter_follow_the_request(
    citizen2: Any, foi_request: Any
) -> None:
    from townhall.service_requests.actions import support_request

    support_request(by=citizen2, request=foi_request)
    assert is_following(citizen2, foi_request)


def test_starting_a_conversation_makes_the_citizen_follow_it(
    citizen: Any, staff_member: Any
) -> None:
    from townhall.conversations.actions import start_conversation

    thread = start_conversation(by=citizen, staff=staff_member, subject="Hi", body="Hello")
    assert is_following(citizen, thread)


def test_followers_of_a_request_hear_of_its_answer_and_closing(
    citizen: Any, citizen2: Any, staff_member: Any, foi_request: Any
) -> None:
    from townhall.service_requests.actions import close_request, reply_to_request

    follow(by=citizen2, target=foi_request)
    reply_to_request(by=staff_member.user, request=foi_request, body="We are on it.")
    close_request(by=staff_member.user, request=foi_request, note="Sent.")
    for person in (citizen, citizen2):
        assert sorted(_told(person)) == ["request.closed", "request.replied"]
    assert _told(staff_member.user) == []  # the one who acted is never told
    reason = Notification.objects.filter(recipient=citizen2).order_by("pk").first()
    assert reason is not None and reason.reason == "New message on a request you follow"
    assert reason.url == foi_request.get_absolute_url()


def test_internal_notes_reach_no_citizen_follower(
    citizen: Any, staff_member: Any, colleague: Any, foi_request: Any
) -> None:
    from townhall.service_requests.actions import add_internal_note

    follow(by=colleague.user, target=foi_request)
    add_internal_note(by=staff_member.user, request=foi_request, body="Check the archive.")
    assert _told(citizen) == []


def test_a_follower_who_cannot_read_the_news_is_not_told(
    citizen: Any, citizen2: Any, other_staff: Any, agency: Any, foi_request: Any
) -> None:
    follow(by=citizen2, target=foi_request)
    follow(by=other_staff.user, target=foi_request)
    for visibility in (Visibility.PARTICIPANTS, Visibility.STAFF, Visibility.INTERNAL):
        entry = record_activity(
            verb="test.news",
            summary="Something only some may read",
            visibility=visibility,
            agency=agency,
            citizen=citizen,
            target=foi_request,
        )
        notify_followers(entry, reason="r", url="/x/")
        told = set(Notification.objects.filter(activity=entry).values_list("recipient", flat=True))
        expected = {citizen.pk} if visibility == Visibility.PARTICIPANTS else set()
        assert told == expected, visibility


def test_staff_of_the_agency_hear_of_staff_only_news_they_follow(
    colleague: Any, agency: Any, foi_request: Any
) -> None:
    follow(by=colleague.user, target=foi_request)
    entry = record_activity(
        verb="test.news",
        summary="Staff only",
        visibility=Visibility.STAFF,
        agency=agency,
        target=foi_request,
    )
    assert notify_followers(entry, reason="r", url="/x/") == 1


def test_the_reader_rule_matches_the_activity_log_visibility_rule(
    citizen: Any,
    citizen2: Any,
    staff_member: Any,
    other_staff: Any,
    site_admin: Any,
    agency: Any,
    foi_request: Any,
) -> None:
    from django.contrib.auth import get_user_model

    from townhall.activity.models import readers_of

    people = [citizen, citizen2, staff_member.user, other_staff.user, site_admin]
    for visibility in Visibility.values:
        for actor in (None, citizen2):
            entry = record_activity(
                verb="test.rule",
                summary="x",
                visibility=visibility,
                actor=actor,
                agency=agency,
                citizen=citizen,
                target=foi_request,
            )
            by_rule = set(
                get_user_model()
                .objects.filter(readers_of(entry), pk__in=[p.pk for p in people])
                .values_list("pk", flat=True)
            )
            by_log = {
                p.pk for p in people if Activity.objects.visible_to(p).filter(pk=entry.pk).exists()
            }
            assert by_rule == by_log, (visibility, actor)


def test_a_person_is_told_once_per_event_even_when_also_told_directly(
    citizen: Any, citizen2: Any, agency: Any, foi_request: Any
) -> None:
    follow(by=citizen2, target=foi_request)
    entry = record_activity(
        verb="test.news",
        summary="Public",
        visibility=Visibility.PUBLIC,
        agency=agency,
        target=foi_request,
    )
    notify(recipients=[citizen2], activity=entry, reason="You were mentioned", url="/a/")
    assert notify_followers(entry, reason="You follow it", url="/b/") == 1  # Alex only
    assert notify_followers(entry, reason="You follow it", url="/b/") == 0
    assert Notification.objects.get(recipient=citizen2).reason == "You were mentioned"


def test_exclude_and_inactive_accounts_are_not_told(
    citizen: Any, citizen2: Any, agency: Any, foi_request: Any
) -> None:
    follow(by=citizen2, target=foi_request)
    entry = record_activity(
        verb="test.news",
        summary="Public",
        visibility=Visibility.PUBLIC,
        agency=agency,
        target=foi_request,
    )
    citizen2.is_active = False
    citizen2.save(update_fields=["is_active"])
    assert notify_followers(entry, reason="r", url="/", exclude=[citizen]) == 0


def test_notifying_many_followers_takes_a_fixed_number_of_queries(
    make_user: Any,
    agency: Any,
    foi_request: Any,
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for number in range(40):
        follow(by=make_user(f"f{number}@example.org", f"Follower {number}"), target=foi_request)
    entry = record_activity(
        verb="test.news",
        summary="Public",
        visibility=Visibility.PUBLIC,
        agency=agency,
        target=foi_request,
    )
    # the followers who may read it, those already told, the insert
    with django_assert_max_num_queries(4):
        assert notify_followers(entry, reason="r", url="/") == 41  # and Alex, the requester
    assert followers_of(foi_request).count() == 41


def test_followers_of_an_agency_hear_of_a_new_public_discussion(
    citizen: Any, citizen2: Any, agency: Any
) -> None:
    from townhall.conversations.discussions import start_discussion

    follow(by=citizen2, target=agency)
    thread = start_discussion(by=citizen, agency=agency, title="Snow", body="Who clears it?")
    [told] = Notification.objects.filter(recipient=citizen2)
    assert told.reason == "New public discussion at an agency you follow"
    assert told.url == thread.get_absolute_url()
    assert _told(citizen) == []


def test_a_follower_of_a_conversation_hears_of_new_messages(
    citizen: Any, staff_member: Any, colleague: Any
) -> None:
    from townhall.conversations.actions import reply_in_conversation, start_conversation

    thread = start_conversation(by=citizen, staff=staff_member, subject="Hi", body="Hello")
    follow(by=colleague.user, target=thread)
    reply_in_conversation(by=staff_member.user, thread=thread, body="Hello to you")
    assert _told(colleague.user) == ["conversation.replied"]
    assert Notification.objects.filter(recipient=citizen).count() == 1  # “You have an answer”
