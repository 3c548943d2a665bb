"""Public discussions through their actions: who may read and write, staff writing as
their work persona and giving official answers, one-level replies, helpful marks,
mentions and their notifications, locked discussions, and bad input that leaves nothing
half-written."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.activity import actions as activity_actions
from townhall.activity.models import Activity, Notification
from townhall.conversations import discussions
from townhall.conversations.models import BODY_MAX_LENGTH, Message, Reaction, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def snow(citizen: Any, agency: Any) -> Thread:
    return discussions.start_discussion(
        by=citizen,
        agency=agency,
        title="Snow clearing on the east side",
        topic="Snow",
        body="Our street was not ploughed after Tuesday's storm.",
    )


def first_message(thread: Thread) -> Message:
    return thread.messages.order_by("pk").first()  # type: ignore[return-value]


def test_citizen_starts_a_public_discussion_under_their_display_name(
    snow: Thread, citizen: Any, agency: Any
) -> None:
    assert snow.kind == "discussion" and snow.agency == agency and snow.topic == "Snow"
    message = first_message(snow)
    assert message.author == citizen and message.persona is None
    assert message.signature == "Alex Park"
    assert snow.get_absolute_url() == f"/discussions/{snow.pk}/"
    entry = Activity.objects.get(verb="discussion.started")
    assert entry.visibility == "public" and "Alex Park" in entry.summary


def test_everyone_reads_public_discussions_visitors_included(
    snow: Thread, citizen2: Any, other_staff: Any
) -> None:
    for reader in (AnonymousUser(), citizen2, other_staff.user, None):
        assert list(Thread.objects.discussions_visible_to(reader)) == [snow]


def test_discussions_of_an_unpublished_agency_are_hidden(
    snow: Thread, agency: Any, citizen: Any
) -> None:
    agency.is_published = False
    agency.save()
    assert not Thread.objects.discussions_visible_to(citizen).exists()
    with pytest.raises(PermissionDenied):
        discussions.post_in_discussion(by=citizen, thread=snow, body="Hello?")


def test_conversations_are_not_discussions(snow: Thread, citizen: Any) -> None:
    assert not Thread.objects.visible_to(citizen).filter(pk=snow.pk).exists()


def test_visitor_cannot_start_or_post(snow: Thread, agency: Any) -> None:
    with pytest.raises(PermissionDenied):
        discussions.start_discussion(by=AnonymousUser(), agency=agency, title="Hi", body="Hi")
    with pytest.raises(PermissionDenied):
        discussions.post_in_discussion(by=AnonymousUser(), thread=snow, body="Hi")
    with pytest.raises(PermissionDenied):
        discussions.post_in_discussion(by=None, thread=snow, body="Hi")
    assert snow.messages.count() == 1


def test_account_without_a_display_name_is_asked_to_choose_one(
    make_user: Any, agency: Any, snow: Thread
) -> None:
    nameless = make_user("nameless@example.org", "x")
    nameless.display_name = "   "
    nameless.save()
    with pytest.raises(PermissionDenied, match="display name"):
        discussions.start_discussion(by=nameless, agency=agency, title="Hi", body="Hello")
    with pytest.raises(PermissionDenied, match="display name"):
        discussions.post_in_discussion(by=nameless, thread=snow, body="Hello")


def test_staff_of_the_agency_post_as_their_work_persona(snow: Thread, staff_member: Any) -> None:
    message = discussions.post_in_discussion(
        by=staff_member.user, thread=snow, body="The east side is next on the plough route."
    )
    assert message.persona == staff_member
    assert message.signature == "Sam Rivera, Road Maintenance Supervisor, Public Works"
    assert "sammy" not in message.signature  # never the personal display name
    entry = Activity.objects.get(verb="discussion.replied")
    assert entry.persona == staff_member and "Sam Rivera" in entry.summary
    assert "sammy" not in entry.summary


def test_staff_starting_a_discussion_write_as_their_persona(staff_member: Any, agency: Any) -> None:
    thread = discussions.start_discussion(
        by=staff_member.user, agency=agency, title="Leaf collection", body="Tell us where."
    )
    assert first_message(thread).persona == staff_member


def test_staff_of_another_agency_write_as_themselves_and_cannot_answer_officially(
    snow: Thread, other_staff: Any
) -> None:
    with pytest.raises(PermissionDenied, match="official"):
        discussions.post_in_discussion(
            by=other_staff.user, thread=snow, body="Parks can help.", official=True
        )
    message = discussions.post_in_discussion(
        by=other_staff.user, thread=snow, body="Parks paths were cleared."
    )
    assert message.persona is None and not message.is_official


def test_official_answer_is_given_by_a_named_staff_member(
    snow: Thread, staff_member: Any, citizen: Any, citizen2: Any
) -> None:
    message = discussions.post_in_discussion(
        by=staff_member.user, thread=snow, body="Ploughs go out at 6 tomorrow.", official=True
    )
    assert message.is_official and message.persona == staff_member
    assert Activity.objects.filter(verb="discussion.official_answer").exists()
    for person in (citizen, citizen2):
        with pytest.raises(PermissionDenied):
            discussions.post_in_discussion(by=person, thread=snow, body="Me!", official=True)
    assert snow.messages.filter(is_official=True).count() == 1


def test_replies_nest_one_level_and_a_reply_to_a_reply_joins_the_top_level(
    snow: Thread, citizen: Any, citizen2: Any, staff_member: Any
) -> None:
    top = first_message(snow)
    reply = discussions.post_in_discussion(by=citizen2, thread=snow, body="Ours too.", parent=top)
    assert reply.parent == top
    deeper = discussions.post_in_discussion(
        by=staff_member.user, thread=snow, body="Both streets are on the list.", parent=reply
    )
    assert deeper.parent == top  # attached to the top-level message, not the reply


def test_reply_to_a_message_of_another_discussion_is_refused(
    snow: Thread, citizen: Any, citizen2: Any, agency: Any
) -> None:
    other = discussions.start_discussion(by=citizen2, agency=agency, title="Parks", body="Hi")
    with pytest.raises(ValidationError) as refused:
        discussions.post_in_discussion(
            by=citizen, thread=snow, body="Hi", parent=first_message(other)
        )
    assert "parent" in refused.value.message_dict
    assert snow.messages.count() == 1


def test_replier_is_notified_and_the_parent_author_too(
    snow: Thread, citizen: Any, citizen2: Any
) -> None:
    discussions.post_in_discussion(
        by=citizen2, thread=snow, body="Same here.", parent=first_message(snow)
    )
    notice = Notification.objects.get(recipient=citizen)
    assert notice.reason == "Someone replied to you in a public discussion"
    assert not Notification.objects.filter(recipient=citizen2).exists()


def test_followers_hear_of_new_messages(snow: Thread, citizen: Any, citizen2: Any) -> None:
    activity_actions.follow(by=citizen2, target=snow)
    discussions.post_in_discussion(by=citizen, thread=snow, body="Still not ploughed.")
    assert Notification.objects.get(recipient=citizen2).reason == "New in a discussion you follow"
    assert not Notification.objects.filter(recipient=citizen).exists()


def test_locked_discussion_refuses_new_posts_and_helpful_marks(
    snow: Thread, citizen2: Any, staff_member: Any
) -> None:
    snow.is_locked = True
    snow.save()
    for person in (citizen2, staff_member.user):
        with pytest.raises(ValidationError, match="locked"):
            discussions.post_in_discussion(by=person, thread=snow, body="Anyone?")
    with pytest.raises(ValidationError, match="locked"):
        discussions.toggle_helpful(by=citizen2, message=first_message(snow))
    assert snow.messages.count() == 1


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("", "Write a message"),
        ("   \n ", "Write a message"),
        ("x" * (BODY_MAX_LENGTH + 1), "at most"),
        ("nul\x00byte", "NUL"),
        (None, "Write a message"),
        (42, "as text"),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_written(
    snow: Thread, citizen2: Any, agency: Any, body: Any, words: str
) -> None:
    with pytest.raises(ValidationError, match=words):
        discussions.post_in_discussion(by=citizen2, thread=snow, body=body)
    with pytest.raises(ValidationError, match=words):
        discussions.start_discussion(by=citizen2, agency=agency, title="Title", body=body)
    assert Message.objects.count() == 1 and Thread.objects.count() == 1


def test_bad_titles_and_topics_are_refused(citizen: Any, agency: Any) -> None:
    for title in ("", "  ", "t" * 201, "a\x00b"):
        with pytest.raises(ValidationError) as refused:
            discussions.start_discussion(by=citizen, agency=agency, title=title, body="Hello")
        assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        discussions.start_discussion(
            by=citizen, agency=agency, title="Hi", topic="t" * 81, body="Hello"
        )
    assert "topic" in refused.value.message_dict
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_unpublished_agency_takes_no_discussion(citizen: Any, agency: Any) -> None:
    agency.is_published = False
    agency.save()
    with pytest.raises(ValidationError) as refused:
        discussions.start_discussion(by=citizen, agency=agency, title="Hi", body="Hello")
    assert "agency" in refused.value.message_dict


def test_script_in_title_and_body_is_inert(citizen: Any, agency: Any) -> None:
    thread = discussions.start_discussion(
        by=citizen,
        agency=agency,
        title="<script>alert(1)</script>",
        body="<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    html = first_message(thread).body_html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert thread.title == "<script>alert(1)</script>"  # stored as typed, escaped when shown


def test_double_submit_gives_back_the_first(snow: Thread, citizen: Any, agency: Any) -> None:
    again = discussions.start_discussion(
        by=citizen,
        agency=agency,
        title="Snow clearing on the east side",
        body="Our street was not ploughed after Tuesday's storm.",
    )
    assert again == snow
    one = discussions.post_in_discussion(by=citizen, thread=snow, body="Any news?")
    two = discussions.post_in_discussion(by=citizen, thread=snow, body="Any news?")
    assert one == two and snow.messages.count() == 2


# --- helpful ---------------------------------------------------------------------------------


def test_helpful_toggles_once_per_account(snow: Thread, citizen2: Any, staff_member: Any) -> None:
    message = first_message(snow)
    assert discussions.toggle_helpful(by=citizen2, message=message) is True
    assert discussions.toggle_helpful(by=staff_member.user, message=message) is True
    assert discussions.helpful_count(message) == 2
    assert discussions.toggle_helpful(by=citizen2, message=message) is False
    assert discussions.helpful_count(message) == 1
    assert Reaction.objects.filter(user=citizen2).count() == 0


def test_own_message_and_visitors_cannot_be_marked_helpful(snow: Thread, citizen: Any) -> None:
    with pytest.raises(ValidationError, match="own"):
        discussions.toggle_helpful(by=citizen, message=first_message(snow))
    with pytest.raises(PermissionDenied):
        discussions.toggle_helpful(by=AnonymousUser(), message=first_message(snow))
    assert not Reaction.objects.exists()


def test_messages_of_conversations_cannot_be_marked_helpful(
    citizen: Any, citizen2: Any, staff_member: Any
) -> None:
    from townhall.conversations import actions

    private = actions.start_conversation(
        by=citizen, staff=staff_member, subject="Private", body="Just for Sam."
    )
    with pytest.raises(PermissionDenied):
        discussions.toggle_helpful(by=citizen2, message=first_message(private))


# --- mentions --------------------------------------------------------------------------------


def test_mentioning_a_staff_member_notifies_them_and_links_their_profile(
    snow: Thread, citizen2: Any, staff_member: Any
) -> None:
    message = discussions.post_in_discussion(
        by=citizen2, thread=snow, body="Could @sam-rivera tell us when?"
    )
    assert '<a href="/agencies/public-works/people/sam-rivera/"' in message.body_html
    notice = Notification.objects.get(recipient=staff_member.user)
    assert notice.reason == "You were mentioned in a public discussion"
    assert notice.url == message.get_absolute_url()


def test_staff_of_another_agency_are_mentioned_with_the_agency(
    snow: Thread, citizen2: Any, other_staff: Any
) -> None:
    message = discussions.post_in_discussion(
        by=citizen2, thread=snow, body="Maybe @parks-and-recreation/pat-green knows."
    )
    assert "/agencies/parks-and-recreation/people/pat-green/" in message.body_html
    assert Notification.objects.filter(recipient=other_staff.user).exists()
    # Without the agency, a slug names the discussion's own agency only.
    discussions.post_in_discussion(by=citizen2, thread=snow, body="Or @pat-green?")
    assert Notification.objects.filter(recipient=other_staff.user).count() == 1


def test_staff_without_a_public_profile_cannot_be_mentioned(
    snow: Thread, citizen2: Any, staff_member: Any
) -> None:
    staff_member.is_public_profile = False
    staff_member.save()
    message = discussions.post_in_discussion(by=citizen2, thread=snow, body="Hey @sam-rivera")
    assert "<a" not in message.body_html
    assert not Notification.objects.filter(recipient=staff_member.user).exists()


def test_citizens_are_mentioned_only_when_they_wrote_in_the_discussion(
    snow: Thread, citizen: Any, citizen2: Any, make_user: Any
) -> None:
    outsider = make_user("cy@example.org", "Cy Young")
    discussions.post_in_discussion(by=citizen2, thread=snow, body="@[Alex Park] and @[Cy Young]?")
    assert Notification.objects.filter(recipient=citizen).exists()  # wrote the first message
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_mention_syntax_ignores_emails_and_code(
    snow: Thread, citizen2: Any, staff_member: Any
) -> None:
    message = discussions.post_in_discussion(
        by=citizen2, thread=snow, body="Mail sam@sam-rivera.org or see `@sam-rivera`."
    )
    assert "<a" not in message.body_html
    assert not Notification.objects.filter(recipient=staff_member.user).exists()


def test_mentioning_oneself_notifies_no_one(snow: Thread, staff_member: Any) -> None:
    discussions.post_in_discussion(by=staff_member.user, thread=snow, body="I, @sam-rivera, will.")
    assert not Notification.objects.filter(recipient=staff_member.user).exists()


def test_hostile_display_name_in_mention_stays_text(
    snow: Thread, make_user: Any, citizen2: Any
) -> None:
    hostile = make_user("evil@example.org", "<script>alert(1)</script>")
    discussions.post_in_discussion(by=hostile, thread=snow, body="Hi all")
    message = discussions.post_in_discussion(
        by=citizen2, thread=snow, body="@[<script>alert(1)</script>] hello"
    )
    assert "<script" not in message.body_html
    assert Notification.objects.filter(recipient=hostile).exists()


# --- links -----------------------------------------------------------------------------------


def test_discussion_links_only_to_what_its_starter_can_see(
    citizen: Any, citizen2: Any, agency: Any, pothole_request: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        discussions.start_discussion(
            by=citizen2, agency=agency, title="Pothole", body="Hi", linked_to=pothole_request
        )
    assert "linked_to" in refused.value.message_dict
    thread = discussions.start_discussion(
        by=citizen, agency=agency, title="Pothole", body="Hi", linked_to=pothole_request
    )
    assert thread.linked_to == pothole_request


# --- demo ------------------------------------------------------------------------------------


def test_demo_city_gets_three_discussions_with_official_answers() -> None:
    from django.core.management import call_command

    call_command("demo", verbosity=0)
    call_command("demo_discussions", verbosity=0)
    assert Thread.objects.discussions().count() == 3
    official = Message.objects.filter(is_official=True).select_related("persona")
    assert {m.persona.public_name for m in official} == {"Sam Rivera", "Keisha Brown"}
    assert Reaction.objects.count() == 4
    assert Notification.objects.filter(reason__contains="mentioned").count() == 2
    call_command("demo_discussions", "--if-empty", verbosity=0)  # quietly does nothing
    assert Thread.objects.discussions().count() == 3


def test_mention_inside_a_link_address_or_title_stays_as_written(
    snow: Thread, citizen2: Any, staff_member: Any
) -> None:
    message = discussions.post_in_discussion(
        by=citizen2,
        thread=snow,
        body='[map](https://example.org/?q=>@sam-rivera "a > @sam-rivera") and @sam-rivera',
    )
    html = message.body_html
    assert 'href="https://example.org/?q=%3E@sam-rivera"' in html or "q=>@sam-rivera" in html
    assert html.count('href="/agencies/public-works/people/sam-rivera/"') == 1
    assert 'title="a > @sam-rivera"' in html or 'title="a &gt; @sam-rivera"' in html
