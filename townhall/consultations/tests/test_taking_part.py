"""Taking part in a consultation: comments, passages, supports, amendments, flags."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from townhall.activity.models import Activity
from townhall.consultations import actions
from townhall.consultations.models import Comment, Stance, Support
from townhall.identity.models import AssuranceLevel

pytestmark = pytest.mark.django_db


def test_citizen_comments_on_a_passage_and_it_is_recorded(citizen, consultation, sections):
    comment = actions.post_comment(
        by=citizen,
        consultation=consultation,
        section=sections[1],
        passage="drops to 20 mph",
        body="Twenty is plenty, but enforce it.",
    )
    assert comment.passage == "drops to 20 mph"
    assert comment.section == sections[1]
    assert comment.version == consultation.current_version
    assert Activity.objects.filter(verb="consultation.commented").count() == 1


def test_citizen_below_the_required_level_is_refused_and_told_the_level(citizen, make_consultation):
    consultation = make_consultation(required_assurance=AssuranceLevel.IDENTITY_VERIFIED)
    with pytest.raises(actions.AssuranceTooLow) as refused:
        actions.post_comment(by=citizen, consultation=consultation, body="Hello")
    assert "Identity verified" in str(refused.value)
    assert refused.value.required == AssuranceLevel.IDENTITY_VERIFIED
    section = consultation.current_version.sections.first()
    with pytest.raises(actions.AssuranceTooLow):
        actions.set_support(by=citizen, section=section, stance=Stance.SUPPORT)
    assert not Comment.objects.exists()
    assert not Support.objects.exists()


def test_unverified_account_cannot_support_an_email_verified_consultation(
    make_user, consultation, sections
):
    unverified = make_user("new@example.org", "New Person", verified=False)
    with pytest.raises(actions.AssuranceTooLow, match="Email verified"):
        actions.set_support(by=unverified, section=sections[0], stance=Stance.SUPPORT)


def test_comment_after_closing_is_refused_clearly(citizen, consultation, close):
    close(consultation)
    with pytest.raises(ValidationError, match="closed on"):
        actions.post_comment(by=citizen, consultation=consultation, body="Too late?")
    assert not Comment.objects.exists()


def test_comment_before_opening_is_refused(citizen, make_consultation):
    upcoming = make_consultation(opens_in=3, closes_in=20)
    with pytest.raises(ValidationError, match="opens for comments"):
        actions.post_comment(by=citizen, consultation=upcoming, body="Early")


def test_passage_not_in_the_section_is_refused(citizen, consultation, sections):
    with pytest.raises(ValidationError) as refused:
        actions.post_comment(
            by=citizen,
            consultation=consultation,
            section=sections[0],
            passage="drops to 20 mph",  # from another section
            body="Hmm",
        )
    assert "passage" in refused.value.message_dict
    assert "Purpose" in refused.value.message_dict["passage"][0]
    with pytest.raises(ValidationError):
        actions.post_comment(
            by=citizen, consultation=consultation, passage="safe to cross", body="No section"
        )
    assert not Comment.objects.exists()


def test_hostile_markdown_is_sanitised(citizen, consultation):
    comment = actions.post_comment(
        by=citizen,
        consultation=consultation,
        body="<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> **ok**",
    )
    assert "<script" not in comment.body_html
    assert 'href="javascript' not in comment.body_html
    assert "<img" not in comment.body_html
    assert "<strong>ok</strong>" in comment.body_html


def test_hostile_section_markdown_is_sanitised(make_consultation):
    consultation = make_consultation(
        sections=[("Evil", '<iframe src="x"></iframe>\n\n[a](javascript:alert(1))')]
    )
    html = consultation.current_version.sections.get().body_html
    assert "<iframe" not in html
    assert 'href="javascript' not in html


def test_one_support_per_account_a_second_changes_the_stance(citizen, consultation, sections):
    first, created = actions.set_support(by=citizen, section=sections[0], stance=Stance.SUPPORT)
    assert created
    second, created_again = actions.set_support(
        by=citizen, section=sections[0], stance=Stance.OPPOSE, reason="Changed my mind"
    )
    assert not created_again
    assert second.pk == first.pk
    assert Support.objects.count() == 1
    assert Support.objects.get().stance == Stance.OPPOSE
    with pytest.raises(ValidationError):
        actions.set_support(by=citizen, section=sections[0], stance="maybe")


def test_amendment_to_a_section_of_an_old_version_is_refused(
    citizen, staff_member, consultation, sections
):
    actions.publish_version(
        by=staff_member.user,
        consultation=consultation,
        sections=[("Purpose", "A new purpose."), ("Speed", "20 mph everywhere.")],
        note="Simpler",
    )
    with pytest.raises(ValidationError, match="earlier version"):
        actions.propose_amendment(by=citizen, section=sections[0], text="Something else")
    with pytest.raises(ValidationError, match="earlier version"):
        actions.set_support(by=citizen, section=sections[0], stance=Stance.SUPPORT)
    consultation.refresh_from_db()
    new_section = consultation.current_version.sections.order_by("order").first()
    amendment = actions.propose_amendment(by=citizen, section=new_section, text="A better purpose.")
    assert amendment.section == new_section


def test_amendment_same_as_the_text_is_refused(citizen, consultation, sections):
    with pytest.raises(ValidationError, match="same"):
        actions.propose_amendment(by=citizen, section=sections[0], text=sections[0].body)


def test_reply_nests_one_level_and_notifies_the_author(citizen, citizen2, consultation, sections):
    top = actions.post_comment(
        by=citizen, consultation=consultation, section=sections[0], body="Top"
    )
    reply = actions.post_comment(by=citizen2, consultation=consultation, parent=top, body="Reply")
    deeper = actions.post_comment(
        by=citizen, consultation=consultation, parent=reply, body="Deeper"
    )
    assert reply.parent == top and deeper.parent == top
    assert deeper.section == sections[0]
    assert citizen.notifications.filter(reason__contains="replied").exists()


def test_the_same_comment_twice_is_stored_once(citizen, consultation):
    first = actions.post_comment(by=citizen, consultation=consultation, body="Once")
    again = actions.post_comment(by=citizen, consultation=consultation, body="Once")
    assert first.pk == again.pk


def test_empty_and_huge_comments_are_refused(citizen, consultation):
    with pytest.raises(ValidationError):
        actions.post_comment(by=citizen, consultation=consultation, body="   ")
    with pytest.raises(ValidationError, match="at most"):
        actions.post_comment(by=citizen, consultation=consultation, body="x" * 10_001)
    with pytest.raises(ValidationError):
        actions.post_comment(by=citizen, consultation=consultation, body="nul\x00")
    assert not Comment.objects.exists()


def test_staff_of_the_agency_comment_as_their_work_persona(staff_member, consultation):
    comment = actions.post_comment(by=staff_member.user, consultation=consultation, body="Thanks")
    assert comment.persona == staff_member
    assert "Sam Rivera" in comment.signature


def test_flag_once_and_moderator_hides_in_the_open(
    citizen, citizen2, consultation, site_admin, other_staff
):
    comment = actions.post_comment(by=citizen, consultation=consultation, body="Rude words")
    actions.flag_comment(by=citizen2, comment=comment, reason="Insulting")
    with pytest.raises(ValidationError, match="already"):
        actions.flag_comment(by=citizen2, comment=comment, reason="Again")
    with pytest.raises(ValidationError):
        actions.flag_comment(by=citizen, comment=comment, reason="Mine")
    with pytest.raises(PermissionDenied):
        actions.hide_comment(by=other_staff.user, comment=comment, reason="No")
    hidden = actions.hide_comment(by=site_admin, comment=comment, reason="insults")
    assert hidden.is_hidden
    assert "insults" in hidden.hidden_notice
    assert Comment.objects.filter(pk=comment.pk).exists()  # hidden, never deleted
    assert citizen.notifications.filter(reason__contains="insults").exists()


def test_visitor_cannot_take_part(consultation, sections):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        actions.post_comment(by=AnonymousUser(), consultation=consultation, body="Hi")


def test_citizen_cannot_create_or_revise_a_consultation(citizen, agency, consultation):
    with pytest.raises(PermissionDenied):
        actions.publish_version(by=citizen, consultation=consultation, sections=[("A", "B")])


def test_followers_hear_of_a_new_version(citizen, staff_member, consultation):
    from townhall.activity.actions import follow

    follow(by=citizen, target=consultation)
    actions.publish_version(
        by=staff_member.user, consultation=consultation, sections=[("Purpose", "New text")]
    )
    assert citizen.notifications.filter(reason__contains="new version").exists()


def test_section_counts_follow_comments_hiding_and_stance_changes(
    citizen, citizen2, consultation, sections, site_admin
):
    section = sections[0]
    comment = actions.post_comment(by=citizen, consultation=consultation, section=section, body="A")
    actions.post_comment(by=citizen2, consultation=consultation, parent=comment, body="B")
    actions.set_support(by=citizen, section=section, stance=Stance.SUPPORT)
    actions.set_support(by=citizen2, section=section, stance=Stance.SUPPORT)
    actions.set_support(by=citizen2, section=section, stance=Stance.OPPOSE)
    actions.set_support(by=citizen2, section=section, stance=Stance.OPPOSE)
    section.refresh_from_db()
    assert (section.comment_count, section.support_count, section.oppose_count) == (2, 1, 1)
    actions.hide_comment(by=site_admin, comment=comment, reason="off topic")
    section.refresh_from_db()
    assert section.comment_count == 1
    actions.restore_comment(by=site_admin, comment=comment, reason="on reflection, fine")
    section.refresh_from_db()
    assert section.comment_count == 2
