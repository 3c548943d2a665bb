"""Use cases of consultations. Each checks who acts, writes in one transaction and
records Activity.

Staff of the owning agency (an active membership; `_staff_persona`): `create_consultation`,
`publish_version`, `create_theme`, `answer_theme`, `answer_amendment`,
`publish_response`. Moderators of the agency (as for conversations: `hide_comment`,
`restore_comment`).

Taking part (`post_comment`, `set_support`, `propose_amendment`) needs a signed-in
account with a display name and the consultation's assurance level (`AssuranceTooLow`
names it), while the consultation is open. Staff of the owning agency write as their
work persona. Anyone signed in may report a comment (`flag_comment`) once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from townhall.activity.actions import notify, notify_followers, record_activity
from townhall.activity.models import Activity, Visibility
from townhall.agencies.models import Agency, Goal, StaffMembership, memberships_of
from townhall.conversations.actions import DOUBLE_SUBMIT_WINDOW
from townhall.conversations.moderation import Moderator, clean_public_reason, moderator_for
from townhall.conversations.rendering import render_markdown
from townhall.identity.models import ASSURANCE_ORDER, AssuranceLevel

from .models import (
    COMMENT_MAX_LENGTH,
    HEADING_MAX_LENGTH,
    PASSAGE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    RESPONSE_MAX_LENGTH,
    SCALE_VALUES,
    SECTION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Amendment,
    Answer,
    AppealOutcome,
    Comment,
    CommentAppeal,
    CommentFlag,
    Consultation,
    ConsultationVersion,
    Outcome,
    Question,
    QuestionKind,
    Section,
    Stance,
    Support,
    Theme,
)

# Most sections a draft may have.
SECTIONS_MAX = 200


class AssuranceTooLow(PermissionDenied):
    """The account is not verified enough to take part. `required` and `current` are
    `AssuranceLevel` values; the message names the level needed and how to reach it."""

    def __init__(self, *, required: str, current: str) -> None:
        self.required = required
        self.current = current
        hints: dict[str, str] = {
            AssuranceLevel.EMAIL_VERIFIED: _(
                "Confirm your email address with the link we sent you; you can ask for a new "
                "link on your account page."
            ),
            AssuranceLevel.IDENTITY_VERIFIED: _(
                "Verify your identity through the identity provider offered on your account page."
            ),
        }
        message = _(
            "Taking part in this consultation needs the assurance level “%(needed)s”; your "
            "account is at “%(current)s”. %(how)s"
        ) % {
            "needed": AssuranceLevel(required).label,
            "current": AssuranceLevel(current).label,
            "how": hints.get(required, ""),
        }
        super().__init__(message)
        self.message = message


# --- checks -------------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def _text(
    value: Any, *, field: str, limit: int, missing: str | None, one_line: bool = False
) -> str:
    """Text as it will be stored: stripped, no NUL, at most `limit` characters; empty is
    refused with `missing` (None: empty is allowed)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Write it as text.")})
    if "\x00" in value:
        raise ValidationError({field: _("It contains a NUL character; remove it.")})
    value = " ".join(value.split()) if one_line else value.strip()
    if not value and missing is not None:
        raise ValidationError({field: missing})
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("It is %(length)s characters long; at most %(limit)s are allowed.")
                % {"length": f"{len(value):,}", "limit": f"{limit:,}"}
            }
        )
    return value


def _staff_persona(by: Any, agency_id: int) -> StaffMembership:
    """`by`'s active membership of the owning agency, or PermissionDenied."""
    if not _signed_in(by):
        raise PermissionDenied(_("Sign in to do this."))
    persona = memberships_of(by).filter(agency_id=agency_id).first()
    if persona is None:
        raise PermissionDenied(_("Only staff of the agency running this consultation can do this."))
    return persona


def participant_persona(by: Any, consultation: Consultation) -> StaffMembership | None:
    """The work persona `by` takes part with (staff of the owning agency), or None."""
    if not _signed_in(by):
        return None
    return memberships_of(by).filter(agency_id=consultation.agency_id).first()


def _visible(by: Any, consultation: Consultation) -> Consultation:
    found = (
        Consultation.objects.visible_to(by)
        .select_related("agency", "current_version")
        .filter(pk=consultation.pk)
        .first()
    )
    if found is None:
        raise PermissionDenied(_("There is no such consultation."))
    return found


def _when(moment: dt.datetime) -> str:
    return str(formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT"))


def _record(
    by: Any,
    target: Consultation,
    *,
    verb: str,
    summary: str,
    persona: Any = None,
    agency: Agency | None = None,
    visibility: str = Visibility.PUBLIC,
    occurred_at: dt.datetime | None = None,
    about: Comment | None = None,
) -> Activity:
    """Record `by`'s action on a consultation (of its agency unless `agency` is given),
    or on one of its comments (`about`). Before the consultation is published, what would
    be public is for the agency's staff only: a draft's title does not leak into the
    public log or feeds."""
    if visibility == Visibility.PUBLIC and not target.is_published:
        visibility = Visibility.STAFF
    return record_activity(
        verb=verb,
        summary=summary,
        visibility=visibility,
        actor=by,
        persona=persona,
        agency=target.agency if agency is None else agency,
        target=target if about is None else about,
        occurred_at=occurred_at,
    )


def _staff_before_response(by: Any, consultation: Consultation) -> StaffMembership:
    """`by`'s persona (as `_staff_persona`) while the response is not yet published."""
    persona = _staff_persona(by, consultation.agency_id)
    if consultation.has_response:
        raise ValidationError(_("The response is already published."))
    return persona


def _change_comment_count(section_id: int, change: int) -> None:
    Section.objects.filter(pk=section_id).update(comment_count=F("comment_count") + change)


def check_taking_part(by: Any, consultation: Consultation) -> StaffMembership | None:
    """Whether `by` may comment, support or propose now; returns their work persona (staff
    of the owning agency) or None. Raises PermissionDenied (AssuranceTooLow for a level
    too low) or ValidationError (not open)."""
    if not _signed_in(by):
        raise PermissionDenied(_("Sign in to take part in this consultation."))
    persona = participant_persona(by, consultation)
    if persona is None:
        if not " ".join(str(getattr(by, "display_name", "")).split()):
            raise PermissionDenied(
                _(
                    "Choose the public display name shown next to what you write "
                    "(on your account page)."
                )
            )
        current = by.assurance_level or AssuranceLevel.NONE
        required = consultation.required_assurance
        if ASSURANCE_ORDER.index(AssuranceLevel(current)) < ASSURANCE_ORDER.index(
            AssuranceLevel(required)
        ):
            raise AssuranceTooLow(required=required, current=current)
    now = timezone.now()
    if consultation.published_at is None or now < consultation.opens_at:
        raise ValidationError(
            _("This consultation opens for comments on %(when)s.")
            % {"when": _when(consultation.opens_at)}
        )
    if now >= consultation.closes_at:
        raise ValidationError(
            _(
                "This consultation closed on %(when)s; it no longer takes comments, supports or amendments."
            )
            % {"when": _when(consultation.closes_at)}
        )
    return persona


def _current_section(consultation: Consultation, section: Section | None) -> Section:
    """The section, which must be of the consultation's current version."""
    if section is None:
        raise ValidationError({"section": _("Choose a section.")})
    found = Section.objects.filter(pk=section.pk, version__consultation=consultation).first()
    if found is None:
        raise ValidationError({"section": _("There is no such section in this consultation.")})
    if found.version_id != consultation.current_version_id:
        raise ValidationError(
            {
                "section": _(
                    "This section belongs to an earlier version of the draft; take part on "
                    "the current version."
                )
            }
        )
    return found


def _rate_limit(by: Any) -> None:
    now = timezone.now()
    recent = Comment.objects.filter(
        author=by, persona__isnull=True, created_at__gt=now - dt.timedelta(minutes=1)
    ).count()
    if recent >= settings.MESSAGES_PER_MINUTE:
        raise ValidationError(
            _(
                "You have written %(count)s comments in the last minute, the most allowed. Wait a minute, then send it again."
            )
            % {"count": recent},
            code="rate_limited",
        )


def clean_sections(sections: Sequence[Any]) -> list[tuple[str, str]]:
    """Sections as (heading, body) pairs: each with a heading and a body."""
    if not sections:
        raise ValidationError({"sections": _("A draft needs at least one section.")})
    if len(sections) > SECTIONS_MAX:
        raise ValidationError(
            {
                "sections": _("A draft can have at most %(limit)s sections.")
                % {"limit": SECTIONS_MAX}
            }
        )
    cleaned = []
    for item in sections:
        heading, body = (item["heading"], item["body"]) if isinstance(item, dict) else item
        cleaned.append(
            (
                _text(
                    heading,
                    field="sections",
                    limit=HEADING_MAX_LENGTH,
                    missing=_("Every section needs a heading."),
                    one_line=True,
                ),
                _text(
                    body,
                    field="sections",
                    limit=SECTION_MAX_LENGTH,
                    missing=_("Every section needs some text."),
                ),
            )
        )
    return cleaned


def _add_version(
    consultation: Consultation,
    *,
    persona: StaffMembership,
    sections: list[tuple[str, str]],
    note: str,
    at: dt.datetime,
) -> ConsultationVersion:
    last = consultation.versions.aggregate(n=Max("number"))["n"] or 0
    version = ConsultationVersion.objects.create(
        consultation=consultation, number=last + 1, note=note, published_at=at, published_by=persona
    )
    Section.objects.bulk_create(
        Section(
            version=version,
            order=index,
            heading=heading,
            body=body,
            body_html=render_markdown(body),
        )
        for index, (heading, body) in enumerate(sections, start=1)
    )
    consultation.current_version = version
    consultation.save(update_fields=["current_version"])
    return version


# --- the agency ----------------------------------------------------------------------------


@transaction.atomic
def create_consultation(
    *,
    by: Any,
    agency: Agency,
    title: str,
    summary: str,
    sections: Sequence[Any],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    published_at: dt.datetime | None = None,
    required_assurance: str = AssuranceLevel.EMAIL_VERIFIED,
    goals: Iterable[Goal] = (),
    responsible: Iterable[StaffMembership] = (),
    keep_as_draft: bool = False,
) -> Consultation:
    """Staff of `agency` publish a draft for consultation (version 1). `published_at`
    defaults to now; the draft is readable from then, open for comments from `opens_at`
    until `closes_at`. Goals and responsible staff must be the agency's.

    `keep_as_draft`: saved unpublished, for the agency's staff only, until one of them
    publishes it (`publish_consultation`). A later `published_at` keeps it for staff until
    then, and `announce_due_consultations` tells the public when the day comes. Followers
    hear of a consultation only once it is published."""
    persona = _staff_persona(by, agency.pk)
    title = _text(
        title, field="title", limit=TITLE_MAX_LENGTH, missing=_("Give a title."), one_line=True
    )
    summary = _text(
        summary, field="summary", limit=SUMMARY_MAX_LENGTH, missing=_("Write a summary.")
    )
    cleaned = clean_sections(sections)
    if not opens_at or not closes_at or closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The consultation must close after it opens.")})
    if required_assurance not in AssuranceLevel.values:
        raise ValidationError({"required_assurance": _("Choose an assurance level.")})
    if keep_as_draft and published_at is not None:
        raise ValidationError(
            {"published_at": _("Choose a publication date or keep it as a draft, not both.")}
        )
    goals = list(goals)
    if any(goal.agency_id != agency.pk for goal in goals):
        raise ValidationError({"goals": _("Choose goals of this agency.")})
    responsible = list(responsible)
    if any(member.agency_id != agency.pk or not member.is_active for member in responsible):
        raise ValidationError({"responsible": _("Choose active staff of this agency.")})
    now = timezone.now()
    consultation = Consultation.objects.create(
        agency=agency,
        title=title,
        summary=summary,
        required_assurance=required_assurance,
        published_at=None if keep_as_draft else (published_at or now),
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=by,
        created_at=now,
    )
    consultation.goals.set(goals)
    consultation.responsible.set(responsible or [persona])
    _add_version(consultation, persona=persona, sections=cleaned, note="", at=now)
    if consultation.is_published:
        _announce(consultation, by=by, persona=persona, at=now)
    else:
        _record(
            by,
            consultation,
            verb="consultation.drafted",
            summary=f"{persona.public_name} saved a consultation before publishing it: {title}",
            persona=persona,
            agency=agency,
            occurred_at=now,
        )
    return consultation


def _announce(consultation: Consultation, *, by: Any, persona: Any, at: dt.datetime) -> None:
    """The consultation is out: the public log says so and the agency's followers are
    told, once (`announced_at`)."""
    who = persona.public_name if persona is not None else consultation.agency.name
    activity = _record(
        by,
        consultation,
        verb="consultation.published",
        summary=f"{who} published a consultation: {consultation.title}",
        persona=persona,
        occurred_at=at,
    )
    Consultation.objects.filter(pk=consultation.pk).update(announced_at=at)
    consultation.announced_at = at
    notify_followers(
        activity,
        target=consultation.agency,
        reason=_("New consultation at an agency you follow"),
        url=consultation.get_absolute_url(),
    )


@transaction.atomic
def publish_consultation(*, by: Any, consultation: Consultation) -> Consultation:
    """Staff of the agency publish a consultation kept as a draft (or scheduled for
    later) now: everyone can read it and the agency's followers are told. Raises
    PermissionDenied for anyone else; ValidationError when it is already published."""
    current = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=consultation.pk)
    )
    persona = _staff_persona(by, current.agency_id)
    if current.is_published:
        raise ValidationError(_("This consultation is already published."))
    now = timezone.now()
    current.published_at = now
    current.save(update_fields=["published_at"])
    _announce(current, by=by, persona=persona, at=now)
    consultation.published_at = now
    consultation.announced_at = now
    return current


def announce_due_consultations(*, now: dt.datetime | None = None) -> int:
    """Announce the consultations whose publication date has come (set when they were
    saved): the public log and the agency's followers hear of each once. For the
    scheduled `townhall announce_consultations`; returns how many were announced."""
    now = now or timezone.now()
    announced = 0
    due = Consultation.objects.filter(published_at__lte=now, announced_at__isnull=True)
    for pk in due.order_by("published_at", "pk").values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            current = (
                Consultation.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("agency")
                .filter(pk=pk, announced_at__isnull=True)
                .first()
            )
            if current is None or current.published_at is None:
                continue
            _announce(current, by=None, persona=None, at=current.published_at)
            announced += 1
    return announced


@transaction.atomic
def publish_version(
    *, by: Any, consultation: Consultation, sections: Sequence[Any], note: str = ""
) -> ConsultationVersion:
    """Staff publish a revised draft: a new version; the old one is kept. Followers are
    told. Refused once the response is published."""
    current = Consultation.objects.select_for_update().get(pk=consultation.pk)
    persona = _staff_persona(by, current.agency_id)
    if current.has_response:
        raise ValidationError(_("The response is published; the draft can no longer change."))
    cleaned = clean_sections(sections)
    note = _text(note, field="note", limit=SUMMARY_MAX_LENGTH, missing=None)
    now = timezone.now()
    version = _add_version(current, persona=persona, sections=cleaned, note=note, at=now)
    consultation.current_version = version
    activity = _record(
        by,
        current,
        verb="consultation.version_published",
        summary=f"{persona.public_name} published version {version.number} of “{current.title}”",
        persona=persona,
        occurred_at=now,
    )
    notify_followers(
        activity,
        reason=_("A new version of a consultation you follow"),
        url=current.get_absolute_url(),
    )
    return version


# --- taking part ----------------------------------------------------------------------------


def _taking_part_on(by: Any, section: Section) -> tuple[Consultation, Section]:
    """The section's consultation and the section itself, once `by` may take part on it
    (`check_taking_part`, `_current_section`)."""
    current = _visible(by, section.version.consultation)
    check_taking_part(by, current)
    return current, _current_section(current, section)


@transaction.atomic
def post_comment(
    *,
    by: Any,
    consultation: Consultation,
    body: str,
    section: Section | None = None,
    passage: str = "",
    parent: Comment | None = None,
) -> Comment:
    """Comment on the whole consultation, a section of the current version, or an exact
    `passage` of that section; or reply to a comment (`parent`; replies nest one level,
    on the parent's section). The author replied to is told.

    Raises PermissionDenied (AssuranceTooLow) for who may not take part; ValidationError
    for a closed consultation, a bad body, a section of another consultation or an
    earlier version, or a passage that is not in the section. The same comment sent
    again within a few minutes gives back the first one."""
    current = _visible(by, consultation)
    persona = check_taking_part(by, current)
    body = _text(body, field="body", limit=COMMENT_MAX_LENGTH, missing=_("Write a comment."))
    passage = _text(passage, field="passage", limit=PASSAGE_MAX_LENGTH, missing=None)
    if parent is not None:
        parent = Comment.objects.filter(pk=parent.pk, consultation=current).first()
        if parent is None:
            raise ValidationError(
                {"parent": _("You can only reply to a comment of this consultation.")}
            )
        if parent.parent_id is not None:
            parent = Comment.objects.get(pk=parent.parent_id)
        section = parent.section
        passage = ""
    elif section is not None:
        section = _current_section(current, section)
    if passage:
        if section is None:
            raise ValidationError({"passage": _("Choose the section the passage is from.")})
        if passage not in section.body:
            raise ValidationError(
                {
                    "passage": _(
                        "This passage is not in the section “%(heading)s”. Copy it exactly "
                        "as it is written there."
                    )
                    % {"heading": section.heading}
                }
            )
    if persona is None:
        _rate_limit(by)
    now = timezone.now()
    earlier = (
        Comment.objects.filter(
            consultation=current,
            author=by,
            body=body,
            section=section,
            passage=passage,
            parent=parent,
            created_at__gte=now - DOUBLE_SUBMIT_WINDOW,
        )
        .order_by("-pk")
        .first()
    )
    if earlier is not None:
        return earlier
    comment = Comment.objects.create(
        consultation=current,
        version_id=current.current_version_id,  # type: ignore[misc]
        section=section,
        passage=passage,
        parent=parent,
        author=by,
        persona=persona,
        body=body,
        body_html=render_markdown(body),
        created_at=now,
    )
    if section is not None:
        _change_comment_count(section.pk, +1)
    if parent is None and section is not None:
        Section.objects.filter(pk=section.pk).update(top_comment_count=F("top_comment_count") + 1)
    if parent is None:
        Consultation.objects.filter(pk=current.pk).update(
            top_comment_count=F("top_comment_count") + 1
        )
    name = persona.public_name if persona else str(by.display_name)
    where = f" on “{section.heading}”" if section else ""
    activity = _record(
        by,
        current,
        verb="consultation.commented",
        summary=f"{name} commented{where} in the consultation “{current.title}”",
        persona=persona,
        occurred_at=now,
    )
    if parent is not None and parent.author_id != by.pk:
        notify(
            recipients=[parent.author],
            activity=activity,
            reason=_("Someone replied to your comment on a consultation"),
            url=comment.get_absolute_url(),
        )
    return comment


@transaction.atomic
def set_support(
    *, by: Any, section: Section, stance: str, reason: str = ""
) -> tuple[Support, bool]:
    """Support or oppose a section of the current version, with an optional reason. One
    per account and section: a second one changes the stance and reason. Returns the
    support and whether it is new."""
    current, section = _taking_part_on(by, section)
    if stance not in Stance.values:
        raise ValidationError({"stance": _("Choose support or oppose.")})
    reason = _text(reason, field="reason", limit=REASON_MAX_LENGTH, missing=None)
    now = timezone.now()
    existing = Support.objects.select_for_update().filter(section=section, user=by).first()
    created = existing is None
    if existing is None:
        try:
            with transaction.atomic():
                support = Support.objects.create(
                    section=section,
                    user=by,
                    stance=stance,
                    reason=reason,
                    created_at=now,
                    changed_at=now,
                )
        except IntegrityError:  # the same click twice at once
            support = Support.objects.select_for_update().get(section=section, user=by)
            created = False
    else:
        support = existing
    counter: dict[str, str] = {Stance.SUPPORT: "support_count", Stance.OPPOSE: "oppose_count"}
    if created:
        Section.objects.filter(pk=section.pk).update(**{counter[stance]: F(counter[stance]) + 1})
    else:
        if support.stance != stance:
            Section.objects.filter(pk=section.pk).update(
                **{
                    counter[stance]: F(counter[stance]) + 1,
                    counter[support.stance]: F(counter[support.stance]) - 1,
                }
            )
        support.stance, support.reason, support.changed_at = stance, reason, now
        support.save(update_fields=["stance", "reason", "changed_at"])
    _record(
        by,
        current,
        verb="consultation.supported" if stance == Stance.SUPPORT else "consultation.opposed",
        summary=f"{by.display_name} {'supports' if stance == Stance.SUPPORT else 'opposes'} “{section.heading}” in “{current.title}”",
        occurred_at=now,
    )
    return support, created


@transaction.atomic
def propose_amendment(*, by: Any, section: Section, text: str, reason: str = "") -> Amendment:
    """Propose replacement text for a section of the current version (shown as a diff)."""
    current, section = _taking_part_on(by, section)
    text = _text(
        text, field="text", limit=SECTION_MAX_LENGTH, missing=_("Write the text you propose.")
    )
    reason = _text(reason, field="reason", limit=REASON_MAX_LENGTH, missing=None)
    if text == section.body.strip():
        raise ValidationError({"text": _("The text you propose is the same as the section's.")})
    now = timezone.now()
    amendment = Amendment.objects.create(
        section=section, consultation=current, author=by, text=text, reason=reason, created_at=now
    )
    _record(
        by,
        current,
        verb="consultation.amendment_proposed",
        summary=f"{by.display_name} proposed an amendment to “{section.heading}” in “{current.title}”",
        occurred_at=now,
    )
    return amendment


# --- moderation -----------------------------------------------------------------------------


@transaction.atomic
def flag_comment(*, by: Any, comment: Comment, reason: str) -> CommentFlag:
    """Ask the agency's moderators to look at a comment, once per person."""
    if not _signed_in(by):
        raise PermissionDenied(_("Sign in to report a comment."))
    found = (
        Comment.objects.visible_to(by).filter(pk=comment.pk).select_related("consultation").first()
    )
    if found is None:
        raise PermissionDenied(_("You cannot report this comment."))
    reason = _text(
        reason, field="reason", limit=500, missing=_("Say what is wrong with this comment.")
    )
    if found.author_id == by.pk:
        raise ValidationError(_("You cannot report your own comment."))
    if found.is_hidden:
        raise ValidationError(_("A moderator has already hidden this comment."))
    already = _("You have already reported this comment; the moderators will look at it.")
    if CommentFlag.objects.filter(comment=found, flagged_by=by).exists():
        raise ValidationError(already, code="duplicate")
    try:
        with transaction.atomic():
            flag = CommentFlag.objects.create(comment=found, flagged_by=by, reason=reason)
    except IntegrityError as error:
        raise ValidationError(already, code="duplicate") from error
    _record(
        by,
        found.consultation,
        verb="consultation.comment_flagged",
        summary=f"{by.display_name} reported a comment",
        visibility=Visibility.INTERNAL,
    )
    return flag


def _moderating(by: Any, comment: Comment, reason: str) -> tuple[Comment, Moderator, str]:
    """The comment locked for a change, how `by` moderates it (or PermissionDenied) and the
    cleaned public reason."""
    current = (
        Comment.objects.select_for_update()
        .select_related("consultation__agency")
        .get(pk=comment.pk)
    )
    moderator = moderator_for(by, current.consultation.agency_id)
    if moderator is None:
        raise PermissionDenied(_("Only a moderator of this agency can do this."))
    return current, moderator, clean_public_reason(reason)


@transaction.atomic
def hide_comment(*, by: Any, comment: Comment, reason: str) -> Comment:
    """A moderator of the agency (or a site-wide one) hides a comment with a public reason;
    it stays in place with the reason, its author still reads it and is told."""
    current, moderator, reason = _moderating(by, comment, reason)
    if current.is_hidden:
        raise ValidationError(_("This comment is already hidden."))
    now = timezone.now()
    current.is_hidden = True
    current.hidden_reason = reason
    current.hidden_by_name = moderator.name[:120]
    current.hidden_at = now
    current.save(update_fields=["is_hidden", "hidden_reason", "hidden_by_name", "hidden_at"])
    if current.section_id is not None:
        _change_comment_count(current.section_id, -1)
    CommentFlag.objects.filter(comment=current, resolved_at__isnull=True).update(resolved_at=now)
    activity = _record(
        by,
        current.consultation,
        verb="consultation.comment_hidden",
        summary=f"Hidden by moderator {moderator.name}: {reason}",
        persona=moderator.persona,
        occurred_at=now,
        about=current,  # the public moderation log links to the comment
    )
    if current.author_id != by.pk:
        notify(
            recipients=[current.author],
            activity=activity,
            reason=_("A moderator hid your comment: %(reason)s") % {"reason": reason},
            url=current.get_absolute_url(),
        )
    return current


@transaction.atomic
def restore_comment(*, by: Any, comment: Comment, reason: str) -> Comment:
    current, moderator, reason = _moderating(by, comment, reason)
    if not current.is_hidden:
        raise ValidationError(_("This comment is not hidden."))
    current.is_hidden = False
    current.save(update_fields=["is_hidden"])
    if current.section_id is not None:
        _change_comment_count(current.section_id, +1)
    # A pending appeal of it is settled: the comment is back.
    CommentAppeal.objects.filter(comment=current, outcome=AppealOutcome.PENDING).update(
        outcome=AppealOutcome.RESTORED,
        decided_by=by,
        decided_by_name=moderator.name[:120],
        decision=reason,
        decided_at=timezone.now(),
    )
    _record(
        by,
        current.consultation,
        verb="consultation.comment_restored",
        summary=f"Restored by moderator {moderator.name}: {reason}",
        persona=moderator.persona,
        about=current,
    )
    return current


# --- the agency's answer --------------------------------------------------------------------


def _outcome(outcome: Any) -> str:
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose accepted, partly accepted or not accepted.")})
    return str(outcome)


@transaction.atomic
def create_theme(
    *, by: Any, consultation: Consultation, title: str, comments: Iterable[Comment] = ()
) -> Theme:
    """Staff group comments of the consultation under a theme (a comment has one theme:
    adding it here moves it)."""
    persona = _staff_persona(by, consultation.agency_id)
    title = _text(
        title, field="title", limit=TITLE_MAX_LENGTH, missing=_("Name the theme."), one_line=True
    )
    theme = Theme.objects.create(consultation=consultation, title=title, created_by=persona)
    add_to_theme(by=by, theme=theme, comments=comments)
    return theme


@transaction.atomic
def add_to_theme(*, by: Any, theme: Theme, comments: Iterable[Comment]) -> int:
    """Put comments of the theme's consultation under it. Returns how many moved."""
    persona = _staff_persona(by, theme.consultation.agency_id)
    ids = [comment.pk for comment in comments]
    if not ids:
        return 0
    moved = Comment.objects.filter(consultation_id=theme.consultation_id, pk__in=ids).update(
        theme=theme
    )
    if moved != len(set(ids)):
        raise ValidationError({"comments": _("Choose comments of this consultation.")})
    _record(
        by,
        theme.consultation,
        verb="consultation.comments_grouped",
        summary=f"{persona.public_name} grouped {moved} comment(s) under “{theme.title}”",
        persona=persona,
        agency=persona.agency,
        visibility=Visibility.STAFF,
    )
    return moved


@transaction.atomic
def answer_theme(*, by: Any, theme: Theme, outcome: str, response: str) -> Theme:
    """Staff write the public response to a theme (published with the report)."""
    persona = _staff_before_response(by, theme.consultation)
    theme.outcome = _outcome(outcome)
    theme.response = _text(
        response, field="response", limit=RESPONSE_MAX_LENGTH, missing=_("Write the response.")
    )
    theme.response_html = render_markdown(theme.response)
    theme.responded_at = timezone.now()
    theme.save(update_fields=["outcome", "response", "response_html", "responded_at"])
    _record(
        by,
        theme.consultation,
        verb="consultation.theme_answered",
        summary=f"{persona.public_name} answered the theme “{theme.title}”",
        persona=persona,
        agency=persona.agency,
        visibility=Visibility.STAFF,
    )
    return theme


@transaction.atomic
def answer_amendment(*, by: Any, amendment: Amendment, outcome: str, response: str) -> Amendment:
    """Staff answer a proposed amendment: accepted, partly accepted or not, and why."""
    consultation = amendment.consultation
    persona = _staff_before_response(by, consultation)
    amendment.outcome = _outcome(outcome)
    amendment.response = _text(
        response, field="response", limit=RESPONSE_MAX_LENGTH, missing=_("Give the reason.")
    )
    amendment.responded_by = persona
    amendment.responded_at = timezone.now()
    amendment.save(update_fields=["outcome", "response", "responded_by", "responded_at"])
    _record(
        by,
        consultation,
        verb="consultation.amendment_answered",
        summary=f"{persona.public_name} answered an amendment in “{consultation.title}”",
        persona=persona,
        agency=persona.agency,
        visibility=Visibility.STAFF,
    )
    return amendment


def participants(consultation: Consultation) -> list[Any]:
    """Everyone who commented, supported, opposed or proposed an amendment (active
    accounts), in three queries."""
    from django.contrib.auth import get_user_model

    ids = set(Comment.objects.filter(consultation=consultation).values_list("author_id", flat=True))
    ids |= set(
        Support.objects.filter(section__version__consultation=consultation).values_list(
            "user_id", flat=True
        )
    )
    ids |= set(
        Amendment.objects.filter(consultation=consultation).values_list("author_id", flat=True)
    )
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


@transaction.atomic
def publish_response(*, by: Any, consultation: Consultation, summary: str) -> Consultation:
    """Staff publish the response report once the consultation has closed: the summary
    with the themes' and amendments' answers. Every participant and follower is told.

    Raises ValidationError while it is open, when published already, or when a theme or
    amendment is still unanswered."""
    current = (
        Consultation.objects.select_for_update().select_related("agency").get(pk=consultation.pk)
    )
    persona = _staff_before_response(by, current)
    now = timezone.now()
    if now < current.closes_at:
        raise ValidationError(_("Publish the response after the consultation closes."))
    summary = _text(
        summary,
        field="summary",
        limit=RESPONSE_MAX_LENGTH,
        missing=_("Write the summary of the response."),
    )
    unanswered = (
        current.themes.filter(outcome="").count() + current.amendments.filter(outcome="").count()
    )
    if unanswered:
        raise ValidationError(
            _("Answer every theme and amendment first (%(count)s still without an answer).")
            % {"count": unanswered}
        )
    current.response_summary = summary
    current.response_summary_html = render_markdown(summary)
    current.response_published_at = now
    current.save(
        update_fields=["response_summary", "response_summary_html", "response_published_at"]
    )
    activity = _record(
        by,
        current,
        verb="consultation.response_published",
        summary=f"{persona.public_name} published the response to “{current.title}”",
        persona=persona,
        occurred_at=now,
    )
    from django.urls import reverse

    mine = reverse("consultations:consultation-mine", kwargs={"pk": current.pk})
    notify(
        recipients=[person for person in participants(current) if person.pk != by.pk],
        activity=activity,
        reason=_("The agency answered a consultation you took part in"),
        url=mine,
    )
    notify_followers(
        activity,
        reason=_("The response to a consultation you follow"),
        url=reverse("consultations:consultation-response", kwargs={"pk": current.pk}),
    )
    consultation.response_published_at = now
    return current


# --- questions with fixed answers -----------------------------------------------------------

QUESTION_CHOICES_MAX = 20


@transaction.atomic
def add_question(
    *, by: Any, consultation: Consultation, text: str, kind: str, choices: Sequence[str] = ()
) -> Question:
    """Staff add a question with fixed answers: one choice, several choices (2 to 20
    choices given), or a 1-5 scale. Questions change only before it opens, so that every
    answer was given to the same questions."""
    persona = _staff_persona(by, consultation.agency_id)
    if timezone.now() >= consultation.opens_at:
        raise ValidationError(_("Add questions before the consultation opens for comments."))
    text = _text(text, field="text", limit=300, missing=_("Write the question."), one_line=True)
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Choose one choice, several choices or a scale.")})
    cleaned: list[str] = []
    if kind != QuestionKind.SCALE:
        cleaned = [
            _text(choice, field="choices", limit=200, missing=None, one_line=True)
            for choice in choices
        ]
        cleaned = list(dict.fromkeys(c for c in cleaned if c))
        if not 2 <= len(cleaned) <= QUESTION_CHOICES_MAX:
            raise ValidationError(
                {
                    "choices": _("Give between 2 and %(limit)s different choices.")
                    % {"limit": QUESTION_CHOICES_MAX}
                }
            )
    order = consultation.questions.count() + 1
    question = Question.objects.create(
        consultation=consultation, order=order, text=text, kind=kind, choices=cleaned
    )
    _record(
        by,
        consultation,
        verb="consultation.question_added",
        summary=f"{persona.public_name} added a question to “{consultation.title}”",
        persona=persona,
    )
    return question


def clean_answer(question: Question, value: Any) -> Any:
    """The answer as stored: a choice (text), a list of choices, or a whole number 1-5."""
    if question.kind == QuestionKind.SCALE:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or value not in SCALE_VALUES:
            raise ValidationError({"value": _("Choose a number from 1 to 5.")})
        return int(value)
    if question.kind == QuestionKind.SINGLE:
        if not isinstance(value, str) or value not in question.choices:
            raise ValidationError({"value": _("Choose one of the answers offered.")})
        return value
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, list | tuple)
        or not value
        or any(not isinstance(v, str) or v not in question.choices for v in value)
    ):
        raise ValidationError({"value": _("Choose one or more of the answers offered.")})
    return [choice for choice in question.choices if choice in value]


@transaction.atomic
def answer_question(*, by: Any, question: Question, value: Any) -> tuple[Answer, bool]:
    """Answer a question (one answer per account; answering again replaces it). Returns
    the answer and whether it is new."""
    current = _visible(by, question.consultation)
    check_taking_part(by, current)
    value = clean_answer(question, value)
    now = timezone.now()
    existing = Answer.objects.select_for_update().filter(question=question, user=by).first()
    if existing is None:
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    question=question, user=by, value=value, answered_at=now
                )
            created = True
        except IntegrityError:
            existing = Answer.objects.select_for_update().get(question=question, user=by)
    if existing is not None:
        existing.value, existing.answered_at = value, now
        existing.save(update_fields=["value", "answered_at"])
        answer, created = existing, False
    _record(
        by,
        current,
        verb="consultation.answered",
        summary=f"{by.display_name} answered a question of “{current.title}”",
        occurred_at=now,
    )
    return answer, created
