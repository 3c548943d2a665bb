"""Moderation after the fact, through its actions: flag, hide with a public reason,
restore, dismiss, lock, appeal once and decide; who may do each; and what each reader sees
of a hidden message."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.activity.models import Activity, Notification
from townhall.conversations import discussions, moderation
from townhall.conversations.models import Message, Thread
from townhall.conversations.moderation_models import (
    Appeal,
    AppealOutcome,
    Flag,
    FlagCategory,
    FlagState,
    ModerationAction,
    ModerationEntry,
)

pytestmark = pytest.mark.django_db


def shown(message: Message, user: Any) -> Message:
    fresh = Message.objects.select_related("thread").get(pk=message.pk)
    moderation.prepare_messages([fresh], user=user, thread=fresh.thread)
    return fresh


# --- flagging -------------------------------------------------------------------------------


def test_citizen_flags_a_message_they_can_read(bea_message: Message, citizen: Any) -> None:
    flag = moderation.flag_message(
        by=citizen,
        message=bea_message,
        category=FlagCategory.PERSONAL_DATA,
        reason="  It gives out a neighbour's phone number.  ",
    )
    assert flag.state == FlagState.OPEN and flag.flagged_by == citizen
    assert flag.reason == "It gives out a neighbour's phone number."
    assert Activity.objects.filter(verb="moderation.flagged").count() == 1
    bea_message.refresh_from_db()
    assert not bea_message.is_hidden  # nothing happens before a moderator acts


def test_flagging_the_same_message_twice_is_refused_and_stores_nothing_new(
    bea_message: Message, citizen: Any
) -> None:
    moderation.flag_message(by=citizen, message=bea_message, reason="Personal data")
    with pytest.raises(ValidationError, match="already reported"):
        moderation.flag_message(by=citizen, message=bea_message, reason="Again!")
    assert Flag.objects.count() == 1
    assert Activity.objects.filter(verb="moderation.flagged").count() == 1


def test_a_flag_needs_a_reason_of_sensible_length(bea_message: Message, citizen: Any) -> None:
    with pytest.raises(ValidationError) as missing:
        moderation.flag_message(by=citizen, message=bea_message, reason="   ")
    assert "Say what is wrong" in missing.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as too_long:
        moderation.flag_message(by=citizen, message=bea_message, reason="x" * 501)
    assert "at most 500" in too_long.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as category:
        moderation.flag_message(by=citizen, message=bea_message, reason="Hm", category="rude")
    assert "category" in category.value.message_dict
    assert not Flag.objects.exists()


def test_author_cannot_flag_their_own_message(bea_message: Message, citizen2: Any) -> None:
    with pytest.raises(ValidationError, match="your own message"):
        moderation.flag_message(by=citizen2, message=bea_message, reason="Oops")


def test_visitor_cannot_flag(bea_message: Message) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        moderation.flag_message(by=AnonymousUser(), message=bea_message, reason="Spam")


def test_a_private_conversations_message_cannot_be_flagged_by_someone_who_cannot_see_it(
    conversation: Thread, citizen2: Any, staff_member: Any
) -> None:
    message = conversation.messages.get()
    with pytest.raises(PermissionDenied):
        moderation.flag_message(by=citizen2, message=message, reason="Spam")
    # The staff member it is addressed to may read it, so may flag it.
    moderation.flag_message(by=staff_member.user, message=message, reason="Abusive")
    assert Flag.objects.get().flagged_by == staff_member.user


# --- hiding, restoring, dismissing ------------------------------------------------------------


def test_moderator_hides_a_flagged_message_with_a_public_reason(
    bea_message: Message, citizen: Any, citizen2: Any, moderator: Any
) -> None:
    moderation.flag_message(by=citizen, message=bea_message, reason="Phone number")
    entry = moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    bea_message.refresh_from_db()
    assert bea_message.is_hidden
    assert bea_message.body.startswith("Call my neighbour")  # nothing is deleted
    assert entry.action == ModerationAction.HIDE and entry.agency == bea_message.thread.agency
    assert entry.moderator_name == "Lee Chen" and entry.persona == moderator
    assert Flag.objects.get().state == FlagState.HIDDEN
    activity = Activity.objects.get(verb="moderation.hidden")
    assert activity.summary == "Hidden by moderator Lee Chen: personal data"
    assert activity.persona == moderator
    told = Notification.objects.get(recipient=citizen2, activity=activity)
    assert "personal data" in told.reason and "/appeal/" in told.url


def test_hidden_message_is_shown_to_its_author_and_moderators_and_replaced_for_others(
    bea_message: Message, citizen: Any, citizen2: Any, moderator: Any, site_moderator: Any
) -> None:
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    for reader in (None, citizen):
        other = shown(bea_message, reader)
        assert other.display_html == "" and not other.can_see_hidden
        assert other.hidden_notice == "Hidden by moderator Lee Chen: personal data"
        assert not other.may_flag and not other.may_appeal
    for reader in (citizen2, moderator.user, site_moderator):
        allowed = shown(bea_message, reader)
        assert "555-0100" in allowed.display_html and allowed.can_see_hidden
    assert shown(bea_message, citizen2).may_appeal


def test_citizen_cannot_hide(bea_message: Message, citizen: Any) -> None:
    with pytest.raises(PermissionDenied):
        moderation.hide_message(by=citizen, message=bea_message, reason="I dislike it")
    assert not Message.objects.get(pk=bea_message.pk).is_hidden
    assert not ModerationEntry.objects.exists()


def test_staff_without_the_moderator_role_cannot_hide(
    bea_message: Message, staff_member: Any
) -> None:
    with pytest.raises(PermissionDenied):
        moderation.hide_message(by=staff_member.user, message=bea_message, reason="Rude")


def test_staff_of_another_agency_cannot_moderate_this_agencys_threads(
    bea_message: Message, other_moderator: Any
) -> None:
    thread = bea_message.thread
    with pytest.raises(PermissionDenied):
        moderation.hide_message(by=other_moderator.user, message=bea_message, reason="Rude")
    with pytest.raises(PermissionDenied):
        moderation.lock_thread(by=other_moderator.user, thread=thread, reason="Heated")
    assert not ModerationEntry.objects.exists()
    thread.refresh_from_db()
    assert not thread.is_locked


def test_site_wide_moderator_moderates_every_agency_under_their_display_name(
    bea_message: Message, site_moderator: Any
) -> None:
    entry = moderation.hide_message(by=site_moderator, message=bea_message, reason="spam")
    assert entry.moderator_name == "Morgan Site" and entry.persona is None


def test_hiding_needs_a_public_reason_and_a_visible_message(
    bea_message: Message, moderator: Any
) -> None:
    with pytest.raises(ValidationError) as missing:
        moderation.hide_message(by=moderator.user, message=bea_message, reason=" ")
    assert "public reason" in missing.value.message_dict["reason"][0]
    with pytest.raises(ValidationError):
        moderation.hide_message(by=moderator.user, message=bea_message, reason="x" * 301)
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    with pytest.raises(ValidationError, match="already hidden"):
        moderation.hide_message(by=moderator.user, message=bea_message, reason="again")
    assert ModerationEntry.objects.count() == 1


def test_moderator_restores_a_hidden_message_and_the_author_is_told(
    bea_message: Message, citizen2: Any, moderator: Any
) -> None:
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    entry = moderation.restore_message(
        by=moderator.user, message=bea_message, reason="the number is a public office line"
    )
    assert entry.action == ModerationAction.RESTORE
    assert not Message.objects.get(pk=bea_message.pk).is_hidden
    activity = Activity.objects.get(verb="moderation.restored")
    assert Notification.objects.filter(recipient=citizen2, activity=activity).exists()
    with pytest.raises(ValidationError, match="not hidden"):
        moderation.restore_message(by=moderator.user, message=bea_message, reason="again")


def test_moderator_dismisses_reports_and_the_message_stays(
    bea_message: Message, citizen: Any, moderator: Any
) -> None:
    moderation.flag_message(by=citizen, message=bea_message, reason="I disagree")
    assert moderation.dismiss_flags(by=moderator.user, message=bea_message) == 1
    assert Flag.objects.get().state == FlagState.DISMISSED
    assert not Message.objects.get(pk=bea_message.pk).is_hidden
    assert not ModerationEntry.objects.exists()  # not a public log matter
    with pytest.raises(ValidationError, match="no open reports"):
        moderation.dismiss_flags(by=moderator.user, message=bea_message)


# --- locking --------------------------------------------------------------------------------


def test_locked_thread_takes_no_new_messages_until_unlocked(
    discussion: Thread, citizen2: Any, moderator: Any
) -> None:
    entry = moderation.lock_thread(by=moderator.user, thread=discussion, reason="too heated")
    assert entry.action == ModerationAction.LOCK and entry.message is None
    with pytest.raises(ValidationError, match="locked"):
        discussions.post_in_discussion(by=citizen2, thread=discussion, body="One more thing")
    with pytest.raises(ValidationError, match="already locked"):
        moderation.lock_thread(by=moderator.user, thread=discussion, reason="again")
    moderation.unlock_thread(by=moderator.user, thread=discussion)
    discussions.post_in_discussion(by=citizen2, thread=discussion, body="One more thing")
    assert [e.action for e in ModerationEntry.objects.order_by("pk")] == ["lock", "unlock"]


def test_locking_needs_a_public_reason(discussion: Thread, moderator: Any) -> None:
    with pytest.raises(ValidationError):
        moderation.lock_thread(by=moderator.user, thread=discussion, reason="")
    discussion.refresh_from_db()
    assert not discussion.is_locked


# --- appeals --------------------------------------------------------------------------------


def test_author_appeals_once(bea_message: Message, citizen2: Any, moderator: Any) -> None:
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    appeal = moderation.appeal_message(
        by=citizen2, message=bea_message, text="Joe asked me to share it."
    )
    assert appeal.outcome == AppealOutcome.PENDING
    activity = Activity.objects.get(verb="moderation.appealed")
    assert Notification.objects.filter(recipient=moderator.user, activity=activity).exists()
    with pytest.raises(ValidationError, match="once"):
        moderation.appeal_message(by=citizen2, message=bea_message, text="Please!")
    assert Appeal.objects.count() == 1
    assert shown(bea_message, citizen2).may_appeal is False


def test_only_the_author_appeals_and_only_a_hidden_message(
    bea_message: Message, citizen: Any, citizen2: Any, moderator: Any
) -> None:
    with pytest.raises(ValidationError, match="not hidden"):
        moderation.appeal_message(by=citizen2, message=bea_message, text="Why?")
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    with pytest.raises(PermissionDenied):
        moderation.appeal_message(by=citizen, message=bea_message, text="Free speech")
    with pytest.raises(ValidationError):
        moderation.appeal_message(by=citizen2, message=bea_message, text="")
    assert not Appeal.objects.exists()


def test_accepted_appeal_restores_the_message_and_tells_the_author(
    bea_message: Message, citizen2: Any, moderator: Any
) -> None:
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    appeal = moderation.appeal_message(by=citizen2, message=bea_message, text="Joe agreed.")
    decided = moderation.decide_appeal(
        by=moderator.user, appeal=appeal, restore=True, decision="Joe agreed to share it"
    )
    assert decided.outcome == AppealOutcome.RESTORED and decided.decided_by_name == "Lee Chen"
    assert not Message.objects.get(pk=bea_message.pk).is_hidden
    assert ModerationEntry.objects.filter(action=ModerationAction.RESTORE).count() == 1
    told = Notification.objects.get(recipient=citizen2, activity__verb="moderation.appeal_decided")
    assert "accepted" in told.reason
    with pytest.raises(ValidationError, match="already been decided"):
        moderation.decide_appeal(by=moderator.user, appeal=appeal, restore=False, decision="No")


def test_refused_appeal_keeps_the_message_hidden(
    bea_message: Message, citizen2: Any, moderator: Any, other_moderator: Any, citizen: Any
) -> None:
    moderation.hide_message(by=moderator.user, message=bea_message, reason="personal data")
    appeal = moderation.appeal_message(by=citizen2, message=bea_message, text="Joe agreed.")
    for outsider in (citizen, other_moderator.user, citizen2):
        with pytest.raises(PermissionDenied):
            moderation.decide_appeal(by=outsider, appeal=appeal, restore=True, decision="Yes")
    moderation.decide_appeal(
        by=moderator.user, appeal=appeal, restore=False, decision="Phone numbers stay private"
    )
    assert Message.objects.get(pk=bea_message.pk).is_hidden
    told = Notification.objects.get(recipient=citizen2, activity__verb="moderation.appeal_decided")
    assert "refused" in told.reason
    after = shown(bea_message, citizen2)
    assert after.shown_appeal.outcome == AppealOutcome.UPHELD and not after.may_appeal


def test_private_conversation_is_moderated_by_its_agencys_moderators(
    conversation: Thread, staff_member: Any, moderator: Any, citizen: Any
) -> None:
    message = conversation.messages.get()
    moderation.flag_message(by=staff_member.user, message=message, reason="Abusive")
    moderation.hide_message(by=moderator.user, message=message, reason="abusive language")
    assert shown(message, citizen).can_see_hidden  # the author still reads it
    assert shown(message, staff_member.user).display_html == ""
