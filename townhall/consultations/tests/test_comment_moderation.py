"""Consultation comments are moderated like messages: the author's appeal of a hidden
comment, the moderators' decision, the one queue at /moderation/ (reported comments,
appeals, hidden comments) and the agency's public moderation log."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from townhall.activity.models import Notification
from townhall.consultations import actions, moderation
from townhall.consultations.models import AppealOutcome, Comment, CommentAppeal, CommentFlag

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def as_moderator(moderator: Any, staff_client_for: Any) -> Client:
    """Lee Chen, a moderator of Public Works (which runs the consultation)."""
    return staff_client_for(moderator.user)


@pytest.fixture
def comment(citizen: Any, consultation: Any) -> Comment:
    return actions.post_comment(by=citizen, consultation=consultation, body="Call me on 555-0100")


@pytest.fixture
def hidden(comment: Comment, moderator: Any) -> Comment:
    return actions.hide_comment(by=moderator.user, comment=comment, reason="personal data")


def appeal_url(comment: Comment) -> str:
    return f"/consultations/{comment.consultation_id}/comments/{comment.pk}/appeal/"


def decide_url(appeal: CommentAppeal) -> str:
    return f"/consultations/appeals/{appeal.pk}/decide/"


# --- the author's appeal ---------------------------------------------------------------------


def test_author_sees_an_appeal_link_on_their_own_hidden_comment_only(
    client: Client, citizen: Any, citizen2: Any, hidden: Comment
) -> None:
    page = hidden.get_absolute_url()
    assert appeal_url(hidden) in text(signed_in(citizen).get(page))
    assert appeal_url(hidden) not in text(signed_in(citizen2).get(page))
    assert appeal_url(hidden) not in text(client.get(page))


def test_author_appeals_once_and_a_second_appeal_is_refused(citizen: Any, hidden: Comment) -> None:
    as_author = signed_in(citizen)
    form = as_author.get(appeal_url(hidden))
    assert form.status_code == 200 and "Hidden by moderator Lee Chen: personal data" in text(form)
    sent = as_author.post(appeal_url(hidden), {"text": "It is the office number, not mine."})
    assert sent.status_code == 302 and sent["Location"] == appeal_url(hidden)
    page = text(as_author.get(appeal_url(hidden)))
    assert "It is the office number" in page and "Waiting for a moderator" in page
    again = as_author.post(appeal_url(hidden), {"text": "Please!"})
    assert again.status_code == 400 and "already appealed" in text(again)
    with pytest.raises(ValidationError, match="already appealed"):
        moderation.appeal_comment(by=citizen, comment=hidden, text="Third time")
    assert CommentAppeal.objects.filter(comment=hidden).count() == 1


def test_the_agencys_moderators_are_told_of_an_appeal(
    citizen: Any, hidden: Comment, moderator: Any
) -> None:
    moderation.appeal_comment(by=citizen, comment=hidden, text="Please look again")
    told = Notification.objects.get(recipient=moderator.user)
    assert told.url == "/moderation/#comment-appeals"


def test_someone_else_cannot_appeal_a_hidden_comment(
    citizen2: Any, hidden: Comment, other_moderator: Any, staff_client_for: Any
) -> None:
    assert signed_in(citizen2).get(appeal_url(hidden)).status_code == 403
    assert signed_in(citizen2).post(appeal_url(hidden), {"text": "Mine!"}).status_code == 403
    with pytest.raises(PermissionDenied):
        moderation.appeal_comment(by=citizen2, comment=hidden, text="Mine!")
    assert not CommentAppeal.objects.exists()


def test_visitors_are_sent_to_sign_in(client: Client, hidden: Comment) -> None:
    response = client.post(appeal_url(hidden), {"text": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not CommentAppeal.objects.exists()


def test_a_visible_comment_cannot_be_appealed(citizen: Any, comment: Comment) -> None:
    as_author = signed_in(citizen)
    assert "nothing to appeal" in text(as_author.get(appeal_url(comment)))
    response = as_author.post(appeal_url(comment), {"text": "Just in case"})
    assert response.status_code == 400 and "not hidden" in text(response)
    assert not CommentAppeal.objects.exists()


@pytest.mark.parametrize(
    ("typed", "said"),
    [("   ", "Say why the comment"), ("a\x00b", "Null characters"), ("x" * 5000, "at most")],
)
def test_a_bad_appeal_is_refused_with_a_clear_message(
    citizen: Any, hidden: Comment, typed: str, said: str
) -> None:
    response = signed_in(citizen).post(appeal_url(hidden), {"text": typed})
    assert response.status_code == 400 and said in text(response)
    assert not CommentAppeal.objects.exists()


def test_an_unknown_comment_or_one_of_another_consultation_is_404(
    citizen: Any, hidden: Comment, make_consultation: Any
) -> None:
    other = make_consultation(title="Another plan")
    as_author = signed_in(citizen)
    assert (
        as_author.get(f"/consultations/{other.pk}/comments/{hidden.pk}/appeal/").status_code == 404
    )
    assert (
        as_author.get(
            f"/consultations/{hidden.consultation_id}/comments/999999/appeal/"
        ).status_code
        == 404
    )


# --- the moderators' decision ----------------------------------------------------------------


@pytest.fixture
def appeal(citizen: Any, hidden: Comment) -> CommentAppeal:
    return moderation.appeal_comment(by=citizen, comment=hidden, text="It is the office number.")


def test_a_moderator_of_another_agency_cannot_decide(
    appeal: CommentAppeal, other_moderator: Any, citizen2: Any, staff_client_for: Any
) -> None:
    as_other = staff_client_for(other_moderator.user)
    assert as_other.get(decide_url(appeal)).status_code == 404
    posted = as_other.post(decide_url(appeal), {"outcome": "restore", "decision": "fine"})
    assert posted.status_code == 404
    assert signed_in(citizen2).get(decide_url(appeal)).status_code == 403
    with pytest.raises(PermissionDenied):
        moderation.decide_comment_appeal(
            by=other_moderator.user, appeal=appeal, restore=True, decision="fine"
        )
    appeal.refresh_from_db()
    assert appeal.is_pending and Comment.objects.get(pk=appeal.comment_id).is_hidden


def test_restoring_through_an_appeal_shows_the_comment_again_and_tells_the_author(
    client: Client, citizen: Any, appeal: CommentAppeal, as_moderator: Client
) -> None:
    form = as_moderator.get(decide_url(appeal))
    assert form.status_code == 200 and "It is the office number." in text(form)
    response = as_moderator.post(
        decide_url(appeal), {"outcome": "restore", "decision": "A public office number"}
    )
    assert response.status_code == 302 and response["Location"] == "/moderation/"
    comment = Comment.objects.get(pk=appeal.comment_id)
    assert not comment.is_hidden
    assert "555-0100" in text(client.get(comment.get_absolute_url()))
    appeal.refresh_from_db()
    assert appeal.outcome == AppealOutcome.RESTORED and appeal.decided_by_name == "Lee Chen"
    told = Notification.objects.filter(recipient=citizen).order_by("-pk").first()
    assert told is not None and "accepted: A public office number" in told.reason
    assert told.url == appeal_url(comment)
    page = text(signed_in(citizen).get(appeal_url(comment)))
    assert "Decided by moderator Lee Chen: A public office number" in page
    again = as_moderator.post(decide_url(appeal), {"outcome": "uphold", "decision": "no"})
    assert again.status_code == 400 and "already been decided" in text(again)


def test_refusing_an_appeal_keeps_the_comment_hidden_and_tells_the_author(
    client: Client, citizen: Any, appeal: CommentAppeal, moderator: Any
) -> None:
    moderation.decide_comment_appeal(
        by=moderator.user, appeal=appeal, restore=False, decision="A private number"
    )
    comment = Comment.objects.get(pk=appeal.comment_id)
    assert comment.is_hidden and "555-0100" not in text(client.get(comment.get_absolute_url()))
    told = Notification.objects.filter(recipient=citizen).order_by("-pk").first()
    assert told is not None and "refused: A private number" in told.reason
    with pytest.raises(ValidationError, match="already been decided"):
        moderation.decide_comment_appeal(
            by=moderator.user, appeal=appeal, restore=True, decision="Changed my mind"
        )


def test_a_decision_needs_an_outcome_and_a_reason(
    appeal: CommentAppeal, as_moderator: Client
) -> None:
    no_outcome = as_moderator.post(decide_url(appeal), {"decision": "ok"})
    assert no_outcome.status_code == 400 and "Choose whether to restore" in text(no_outcome)
    no_reason = as_moderator.post(decide_url(appeal), {"outcome": "restore", "decision": " "})
    assert no_reason.status_code == 400 and "public reason" in text(no_reason)
    appeal.refresh_from_db()
    assert appeal.is_pending


def test_restoring_directly_settles_a_pending_appeal(
    appeal: CommentAppeal, moderator: Any, as_moderator: Client
) -> None:
    actions.restore_comment(by=moderator.user, comment=appeal.comment, reason="Fine after all")
    appeal.refresh_from_db()
    assert appeal.outcome == AppealOutcome.RESTORED and appeal.decision == "Fine after all"
    assert decide_url(appeal) not in text(as_moderator.get("/moderation/"))


# --- the one queue at /moderation/ -----------------------------------------------------------


def test_the_queue_shows_a_reported_comment_to_its_agencys_moderators_only(
    citizen: Any,
    citizen2: Any,
    comment: Comment,
    as_moderator: Client,
    other_moderator: Any,
    staff_client_for: Any,
) -> None:
    actions.flag_comment(by=citizen2, comment=comment, reason="Advertising")
    mine = text(as_moderator.get("/moderation/"))
    assert "1 reported consultation comment" in mine
    assert "Advertising" in mine and "555-0100" in mine
    assert f"/consultations/{comment.consultation_id}/comments/{comment.pk}/hide/" in mine
    assert f"/consultations/{comment.consultation_id}/comments/{comment.pk}/dismiss/" in mine
    theirs = text(staff_client_for(other_moderator.user).get("/moderation/"))
    assert "555-0100" not in theirs and "0 reported consultation comments" in theirs
    assert signed_in(citizen).get("/moderation/").status_code == 403


def test_the_queue_lists_pending_appeals_and_hidden_comments_to_restore(
    appeal: CommentAppeal, as_moderator: Client
) -> None:
    page = text(as_moderator.get("/moderation/"))
    assert "1 appeal of a consultation comment" in page and decide_url(appeal) in page
    comment = appeal.comment
    assert f"/consultations/{comment.consultation_id}/comments/{comment.pk}/restore/" in page


def test_the_old_queue_address_redirects_permanently(client: Client, as_moderator: Client) -> None:
    for who in (client, as_moderator):
        response = who.get("/consultations/reported/")
        assert response.status_code == 301 and response["Location"] == "/moderation/"


def test_hide_dismiss_and_restore_from_the_queue(
    citizen2: Any, comment: Comment, as_moderator: Client, make_user: Any
) -> None:
    base = f"/consultations/{comment.consultation_id}/comments/{comment.pk}"
    actions.flag_comment(by=citizen2, comment=comment, reason="Phone number")
    assert as_moderator.post(f"{base}/dismiss/")["Location"] == "/moderation/"
    assert not CommentFlag.objects.filter(resolved_at__isnull=True).exists()
    assert not Comment.objects.get(pk=comment.pk).is_hidden
    refused = as_moderator.post(f"{base}/dismiss/", follow=True)
    assert "no open reports" in text(refused)

    assert as_moderator.post(f"{base}/hide/", {"reason": ""})["Location"] == "/moderation/"
    assert not Comment.objects.get(pk=comment.pk).is_hidden  # a reason is needed
    as_moderator.post(f"{base}/hide/", {"reason": "personal data"})
    assert Comment.objects.get(pk=comment.pk).is_hidden
    twice = as_moderator.post(f"{base}/hide/", {"reason": "personal data"}, follow=True)
    assert "already hidden" in text(twice)
    assert Comment.objects.get(pk=comment.pk).is_hidden  # a second click is no toggle
    as_moderator.post(f"{base}/restore/", {"reason": "office number"})
    assert not Comment.objects.get(pk=comment.pk).is_hidden


def test_queue_buttons_are_refused_to_other_agencies_and_citizens(
    citizen2: Any, comment: Comment, other_moderator: Any, staff_client_for: Any
) -> None:
    base = f"/consultations/{comment.consultation_id}/comments/{comment.pk}"
    actions.flag_comment(by=citizen2, comment=comment, reason="Phone number")
    as_other = staff_client_for(other_moderator.user)
    assert as_other.post(f"{base}/hide/", {"reason": "x"}).status_code == 404
    assert as_other.post(f"{base}/dismiss/").status_code == 404
    assert signed_in(citizen2).post(f"{base}/hide/", {"reason": "x"}).status_code == 403
    assert not Comment.objects.get(pk=comment.pk).is_hidden
    assert CommentFlag.objects.filter(resolved_at__isnull=True).count() == 1


def test_the_queue_costs_a_fixed_number_of_queries(
    consultation: Any,
    make_user: Any,
    citizen2: Any,
    moderator: Any,
    as_moderator: Client,
    django_assert_max_num_queries: Any,
) -> None:
    def add(n: int) -> None:
        author = make_user(f"writer{n}@example.org", f"Writer {n}")
        reported = actions.post_comment(by=author, consultation=consultation, body=f"Rant {n}")
        actions.flag_comment(by=citizen2, comment=reported, reason=f"Rude {n}")
        bad = actions.post_comment(by=author, consultation=consultation, body=f"Bad {n}")
        actions.hide_comment(by=moderator.user, comment=bad, reason="rude")
        moderation.appeal_comment(by=author, comment=bad, text="Sorry")

    add(0)
    as_moderator.get("/moderation/")
    with django_assert_max_num_queries(30) as few:
        as_moderator.get("/moderation/")
    for n in range(1, 10):
        add(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(as_moderator.get("/moderation/"))
    assert "10 reported consultation comments" in page
    assert "10 appeals of consultation comments" in page


# --- the public moderation log ---------------------------------------------------------------


def test_the_public_log_lists_hides_and_restores_of_comments_newest_first(
    client: Client, hidden: Comment, moderator: Any
) -> None:
    actions.restore_comment(by=moderator.user, comment=hidden, reason="an office number")
    log = text(client.get("/moderation/log/public-works/"))
    assert "Comment hidden" in log and "Comment restored" in log
    assert "personal data" in log and "Lee Chen" in log
    assert f'href="{hidden.get_absolute_url()}"' in log
    assert log.index("an office number") < log.index("personal data")


def test_the_log_merges_comments_and_messages_by_date(
    client: Client, comment: Comment, moderator: Any, bea_message: Any
) -> None:
    from townhall.conversations import moderation as conversations_moderation

    actions.hide_comment(by=moderator.user, comment=comment, reason="first the comment")
    conversations_moderation.hide_message(
        by=moderator.user, message=bea_message, reason="then the message"
    )
    log = text(client.get("/moderation/log/public-works/"))
    assert log.index("then the message") < log.index("first the comment")


def test_the_log_of_another_agency_does_not_list_the_hide(
    client: Client, hidden: Comment, other_agency: Any
) -> None:
    log = text(client.get(f"/moderation/log/{other_agency.slug}/"))
    assert "personal data" not in log


def test_the_log_costs_a_fixed_number_of_queries(
    client: Client,
    consultation: Any,
    make_user: Any,
    moderator: Any,
    django_assert_max_num_queries: Any,
) -> None:
    def add(n: int) -> None:
        author = make_user(f"writer{n}@example.org", f"Writer {n}")
        bad = actions.post_comment(by=author, consultation=consultation, body=f"Bad {n}")
        actions.hide_comment(by=moderator.user, comment=bad, reason=f"rude {n}")

    add(0)
    client.get("/moderation/log/public-works/")
    with django_assert_max_num_queries(20) as few:
        client.get("/moderation/log/public-works/")
    for n in range(1, 12):
        add(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        log = text(client.get("/moderation/log/public-works/"))
    assert "rude 11" in log and "rude 0" in log


# --- in a real browser, with axe ---------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_author_appeals_and_the_moderator_restores_from_the_one_queue(
    citizen: Any,
    citizen2: Any,
    moderator: Any,
    consultation: Any,
    browser_page: Any,
    axe_check: Any,
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from townhall.browser_tests.test_conversation_with_staff import (
        sign_in,
        sign_in_with_second_factor,
    )

    comment = actions.post_comment(by=citizen, consultation=consultation, body="Call 555-0100")
    actions.hide_comment(by=moderator.user, comment=comment, reason="personal data")
    other = actions.post_comment(by=citizen2, consultation=consultation, body="Buy my stuff")
    actions.flag_comment(by=citizen, comment=other, reason="Advertising")
    page = browser_page

    sign_in(page, citizen.email)
    page.wait_for_url("**/account/")
    page.goto(comment.get_absolute_url())
    page.get_by_role("link", name=f"Appeal the hiding of comment #{comment.pk}").click()
    page.wait_for_url("**/appeal/")
    axe_check(page)
    page.get_by_label("Why should the comment be shown again?").fill("It is the office number.")
    page.get_by_role("button", name="Send the appeal").click()
    page.wait_for_url("**/appeal/")
    axe_check(page)
    page.context.clear_cookies()

    secret = generate_totp_secret()
    TOTP.activate(moderator.user, secret)
    sign_in_with_second_factor(page, moderator.user.email, secret)
    page.goto("/moderation/")
    axe_check(page)
    page.get_by_role("link", name="Decide the appeal of Alex Park").click()
    page.wait_for_url("**/decide/")
    axe_check(page)
    page.get_by_text("Restore the comment", exact=True).click()  # USWDS styles the label
    page.get_by_label("Reason for the decision").fill("A public office number")
    page.get_by_role("button", name="Decide").click()
    page.wait_for_url("**/moderation/")
    assert not Comment.objects.get(pk=comment.pk).is_hidden
    page.goto("/moderation/log/public-works/")
    axe_check(page)
    assert page.get_by_text("A public office number").count() >= 1
