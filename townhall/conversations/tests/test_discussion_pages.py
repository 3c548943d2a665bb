"""The public discussion pages: the lists, starting one from an agency's page, reading a
discussion with nested replies and official answers, writing and replying without
JavaScript, helpful marks, locked discussions, permissions, escaping and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from townhall.conversations import discussions
from townhall.conversations.models import Message, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def snow(citizen: Any, agency: Any) -> Thread:
    return discussions.start_discussion(
        by=citizen,
        agency=agency,
        title="Snow clearing on the east side",
        topic="Snow",
        body="Our street was **not** ploughed.",
    )


@pytest.fixture
def no_rate_limit(settings: Any) -> None:
    """Tests that write many messages at once are not about the posting rate limit."""
    settings.MESSAGES_PER_MINUTE = 10_000
    settings.MESSAGES_PER_HOUR = 10_000


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_agency_page_links_to_its_discussions(client: Client, agency: Any) -> None:
    page = page_of(client, "/agencies/public-works/")
    assert "/discussions/agencies/public-works/" in page
    assert "/discussions/agencies/public-works/new/" in page


def test_empty_lists_say_so(client: Client, agency: Any) -> None:
    assert "No one has started a public discussion yet." in page_of(client, "/discussions/")
    page = page_of(client, "/discussions/agencies/public-works/")
    assert "No one has started a discussion here yet." in page


def test_visitor_reads_the_list_and_the_discussion(client: Client, snow: Thread) -> None:
    listed = page_of(client, "/discussions/")
    assert "Snow clearing on the east side" in listed and "Public Works" in listed
    page = page_of(client, snow.get_absolute_url())
    assert "<strong>not</strong>" in page and "Alex Park" in page
    assert "Sign in to take part" in page and 'name="body"' not in page


def test_unknown_agency_and_discussion_are_404(client: Client, agency: Any) -> None:
    assert client.get("/discussions/agencies/nowhere/").status_code == 404
    assert client.get("/discussions/424242/").status_code == 404


def test_conversation_is_not_shown_as_a_discussion(
    client: Client, citizen: Any, staff_member: Any
) -> None:
    from townhall.conversations import actions

    private = actions.start_conversation(
        by=citizen, staff=staff_member, subject="Private", body="Only for Sam"
    )
    assert signed_in(citizen).get(f"/discussions/{private.pk}/").status_code == 404


def test_visitor_is_sent_to_sign_in_to_start_or_post(client: Client, snow: Thread) -> None:
    start = client.get("/discussions/agencies/public-works/new/")
    assert start.status_code == 302 and "/accounts/login/" in start["Location"]
    post = client.post(f"/discussions/{snow.pk}/messages/", {"body": "Hi"})
    assert post.status_code == 302 and "/accounts/login/" in post["Location"]
    assert snow.messages.count() == 1


def test_citizen_starts_a_discussion_from_the_agency_page(citizen: Any, agency: Any) -> None:
    client = signed_in(citizen)
    form = page_of(client, "/discussions/agencies/public-works/new/")
    assert "You write as Alex Park, your public display name." in form
    assert "@sam-rivera" in form  # the mention syntax is explained
    response = client.post(
        "/discussions/agencies/public-works/new/",
        {"title": "Leaves on Elm Street", "topic": "Leaves", "body": "When is pickup?"},
    )
    thread = Thread.objects.get(kind="discussion")
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
    assert thread.topic == "Leaves"


def test_start_form_shows_errors_next_to_fields(citizen: Any, agency: Any) -> None:
    response = signed_in(citizen).post(
        "/discussions/agencies/public-works/new/", {"title": "", "body": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say in a few words what it is about." in page and "Write a message." in page
    assert "<title>Error:" in page
    assert not Thread.objects.exists()


def test_staff_start_form_says_they_write_as_their_persona(
    sign_in_staff: Any, staff_member: Any
) -> None:
    page = page_of(sign_in_staff(staff_member.user), "/discussions/agencies/public-works/new/")
    assert "You write as Sam Rivera, Road Maintenance Supervisor." in page


def test_citizen_writes_and_replies_without_javascript(
    snow: Thread, citizen2: Any, citizen: Any
) -> None:
    client = signed_in(citizen2)
    top = snow.messages.get()
    response = client.post(f"/discussions/{snow.pk}/messages/", {"body": "Mine too."})
    message = Message.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == f"/discussions/{snow.pk}/#message-{message.pk}"
    client.post(f"/discussions/{snow.pk}/messages/", {"body": "Same!", "parent": str(top.pk)})
    reply = Message.objects.latest("pk")
    assert reply.parent == top
    page = page_of(client, snow.get_absolute_url())
    assert page.index("Our street was") < page.index("Same!") < page.index("Mine too.")
    assert 'aria-label="Replies to the message of' in page


def test_reply_error_is_shown_at_the_reply_form(snow: Thread, citizen2: Any) -> None:
    top = snow.messages.get()
    response = signed_in(citizen2).post(
        f"/discussions/{snow.pk}/messages/", {"body": " ", "parent": str(top.pk)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="reply-{top.pk}-error"' in page and "<details" in page and " open>" in page


def test_reply_to_another_discussions_message_is_refused(
    snow: Thread, citizen2: Any, agency: Any
) -> None:
    other = discussions.start_discussion(by=citizen2, agency=agency, title="Other", body="Hi")
    foreign = other.messages.get()
    response = signed_in(citizen2).post(
        f"/discussions/{snow.pk}/messages/", {"body": "Hi", "parent": str(foreign.pk)}
    )
    assert response.status_code == 400
    assert "You can only reply to a message of this discussion." in response.content.decode()
    assert snow.messages.count() == 1


def test_staff_official_answer_shows_a_badge_naming_them(
    snow: Thread, sign_in_staff: Any, staff_member: Any, client: Client
) -> None:
    staff = sign_in_staff(staff_member.user)
    assert "This is the official answer of my agency" in page_of(staff, snow.get_absolute_url())
    staff.post(f"/discussions/{snow.pk}/messages/", {"body": "Tomorrow at six.", "official": "on"})
    assert Message.objects.latest("pk").is_official
    page = page_of(Client(), snow.get_absolute_url())
    assert "Official answer" in page
    assert "Given by Sam Rivera, Road Maintenance Supervisor, for Public Works" in page
    assert "sammy" not in page


def test_citizen_sees_no_official_box_and_cannot_forge_it(snow: Thread, citizen2: Any) -> None:
    client = signed_in(citizen2)
    assert "official answer of my agency" not in page_of(client, snow.get_absolute_url())
    client.post(f"/discussions/{snow.pk}/messages/", {"body": "I am official", "official": "on"})
    assert not Message.objects.filter(is_official=True).exists()


def test_helpful_button_toggles_and_shows_the_count(
    snow: Thread, citizen: Any, citizen2: Any
) -> None:
    top = snow.messages.get()
    client = signed_in(citizen2)
    response = client.post(f"/discussions/{snow.pk}/messages/{top.pk}/helpful/")
    assert response.status_code == 302 and response["Location"].endswith(f"#message-{top.pk}")
    page = page_of(client, snow.get_absolute_url())
    assert 'aria-pressed="true"' in page and "Helpful (1)" in page
    # The author sees the count, without a button for their own message.
    assert "1 person found this helpful" in page_of(signed_in(citizen), snow.get_absolute_url())
    client.post(f"/discussions/{snow.pk}/messages/{top.pk}/helpful/")
    assert "Helpful (0)" in page_of(client, snow.get_absolute_url())


def test_helpful_on_own_message_says_why_not(snow: Thread, citizen: Any) -> None:
    top = snow.messages.get()
    client = signed_in(citizen)
    response = client.post(f"/discussions/{snow.pk}/messages/{top.pk}/helpful/", follow=True)
    assert "You cannot mark your own message helpful." in response.content.decode()


def test_locked_discussion_shows_no_form_and_refuses_posts(snow: Thread, citizen2: Any) -> None:
    Thread.objects.filter(pk=snow.pk).update(is_locked=True)
    client = signed_in(citizen2)
    page = page_of(client, snow.get_absolute_url())
    assert "This discussion is locked" in page and 'name="body"' not in page
    response = client.post(f"/discussions/{snow.pk}/messages/", {"body": "Hello?"})
    assert response.status_code == 400
    assert "This discussion is locked" in response.content.decode()
    assert snow.messages.count() == 1


def test_huge_body_is_refused_with_a_message(snow: Thread, citizen2: Any) -> None:
    response = signed_in(citizen2).post(f"/discussions/{snow.pk}/messages/", {"body": "x" * 20_001})
    assert response.status_code == 400
    assert "messages can be at most 20000 characters" in response.content.decode()


def test_account_without_display_name_is_asked_to_choose_one(snow: Thread, make_user: Any) -> None:
    nameless = make_user("nameless@example.org", "x")
    nameless.display_name = ""
    nameless.save()
    page = page_of(signed_in(nameless), snow.get_absolute_url())
    assert "Choose a display name" in page and 'name="body"' not in page


def test_hostile_title_body_and_display_name_are_inert(agency: Any, make_user: Any) -> None:
    hostile = make_user("evil@example.org", "<script>alert('name')</script>")
    thread = discussions.start_discussion(
        by=hostile,
        agency=agency,
        title="<script>alert('title')</script>",
        topic="<b>topic</b>",
        body="<script>alert('body')</script>",
    )
    for url in (thread.get_absolute_url(), "/discussions/", "/discussions/agencies/public-works/"):
        page = page_of(Client(), url)
        assert "<script>alert(" not in page and "<b>topic</b>" not in page
    assert "&lt;script&gt;alert(&#x27;name&#x27;)" in page_of(Client(), thread.get_absolute_url())


def test_mention_of_staff_links_to_their_profile(
    snow: Thread, citizen2: Any, staff_member: Any
) -> None:
    signed_in(citizen2).post(f"/discussions/{snow.pk}/messages/", {"body": "Ask @sam-rivera"})
    page = page_of(Client(), snow.get_absolute_url())
    assert 'href="/agencies/public-works/people/sam-rivera/"' in page


def test_linked_request_is_shown_only_to_who_may_see_it(
    citizen: Any, citizen2: Any, agency: Any, pothole_request: Any
) -> None:
    thread = discussions.start_discussion(
        by=citizen, agency=agency, title="Pothole", body="Hi", linked_to=pothole_request
    )
    link = pothole_request.get_absolute_url()
    assert link in page_of(signed_in(citizen), thread.get_absolute_url())
    assert link not in page_of(signed_in(citizen2), thread.get_absolute_url())
    assert link not in page_of(Client(), thread.get_absolute_url())


def test_follow_button_is_on_the_discussion_page(snow: Thread, citizen2: Any) -> None:
    client = signed_in(citizen2)
    assert ">Follow</button>" in page_of(client, snow.get_absolute_url())
    from townhall.activity import follows

    assert follows.can_follow(citizen2, snow)


def test_list_is_newest_activity_first_in_a_fixed_number_of_queries(
    no_rate_limit: None,
    citizen: Any,
    citizen2: Any,
    agency: Any,
    other_agency: Any,
    django_assert_max_num_queries: Any,
) -> None:
    threads = [
        discussions.start_discussion(by=citizen, agency=agency, title=f"Topic {n}", body="Hi")
        for n in range(15)
    ]
    discussions.start_discussion(by=citizen, agency=other_agency, title="Parks", body="Hi")
    discussions.post_in_discussion(by=citizen2, thread=threads[0], body="Bump")
    client = signed_in(citizen2)
    with django_assert_max_num_queries(12):
        page = page_of(client, "/discussions/")
    assert page.index("Topic 0") < page.index("Parks") < page.index("Topic 14")
    with django_assert_max_num_queries(12):
        page = page_of(client, "/discussions/agencies/public-works/")
    assert "Parks</a>" not in page


def test_list_pages_past_the_first(no_rate_limit: None, citizen: Any, agency: Any) -> None:
    for n in range(27):
        discussions.start_discussion(by=citizen, agency=agency, title=f"Topic {n}", body="Hi")
    first = page_of(Client(), "/discussions/")
    assert "Page 1 of 2" in first and "Topic 0<" not in first
    assert "Topic 0<" in page_of(Client(), "/discussions/?page=2")
    assert page_of(Client(), "/discussions/?page=junk")  # falls back to the first page


def test_sixty_message_discussion_costs_a_fixed_number_of_queries(
    no_rate_limit: None,
    snow: Thread,
    citizen: Any,
    citizen2: Any,
    staff_member: Any,
    sign_in_staff: Any,
    django_assert_max_num_queries: Any,
) -> None:
    top = snow.messages.get()
    people = [citizen, citizen2, staff_member.user]
    for n in range(59):
        message = discussions.post_in_discussion(
            by=people[n % 3],
            thread=snow,
            body=f"Message number {n}",
            parent=top if n % 2 else None,
            official=n % 3 == 2 and n % 5 == 0,
        )
        if n % 4 == 0 and message.author != citizen2:
            discussions.toggle_helpful(by=citizen2, message=message)
    assert snow.messages.count() == 60
    client = sign_in_staff(staff_member.user)
    # Constant whatever the length (14 for 5 messages as for 60): session, account,
    # second factor, persona, messages, moderation, notifications count, follow button.
    with django_assert_max_num_queries(16):
        page = page_of(client, snow.get_absolute_url())
    assert page.count('class="townhall-message') == 60
    with django_assert_max_num_queries(12):
        page_of(Client(), snow.get_absolute_url())


def test_hidden_message_keeps_its_place_without_its_text(snow: Thread, citizen2: Any) -> None:
    message = discussions.post_in_discussion(by=citizen2, thread=snow, body="Rude words here")
    Message.objects.filter(pk=message.pk).update(is_hidden=True)
    page = page_of(Client(), snow.get_absolute_url())
    assert "Rude words here" not in page and "Hidden by a moderator" in page
    assert f'id="message-{message.pk}"' in page
