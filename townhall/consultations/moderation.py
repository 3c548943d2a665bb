"""Moderation of consultation comments, the conversations way (decision 0014): immediate,
flaggable, hidden only in the open, appealed once, worked from the one queue at
/moderation/ and told in each agency's public moderation log.

Reporting, hiding and restoring are `actions.flag_comment`, `hide_comment` and
`restore_comment`. Here:

- the author of a hidden comment **appeals** once (`appeal_comment`); the agency's
  moderators are told;
- a moderator of the consultation's agency (or a site-wide one) **decides** the appeal
  (`decide_comment_appeal`): restore (through `restore_comment`) or keep it hidden; the
  author is told either way;
- a moderator **dismisses** a comment's open reports (`dismiss_comment_flags`);
- what consultations adds to the moderators' queue (`reported_section`,
  `appeals_section`, `hidden_section`) and to the public log (`log_feed`), registered in
  `apps.ConsultationsConfig.ready` through `conversations.moderation_registry`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from townhall.activity.actions import record_activity
from townhall.activity.models import Activity, Visibility
from townhall.agencies.models import Agency
from townhall.conversations.moderation import (
    Moderator,
    clean_public_reason,
    moderated_scope,
    moderator_for,
    store_appeal,
    tell_appeal_decided,
    tell_moderators,
)
from townhall.conversations.moderation_registry import LogFeed, LogRow, QueueSection

from . import actions
from .models import (
    REASON_MAX_LENGTH,
    AppealOutcome,
    Comment,
    CommentAppeal,
    CommentFlag,
    Consultation,
)

# Most items each part of the queue shows at once (as conversations' queue).
QUEUE_LIMIT = 50

HIDDEN_VERB = "consultation.comment_hidden"
RESTORED_VERB = "consultation.comment_restored"


def _signed_in(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def _moderator_of(by: Any, comment: Comment) -> Moderator:
    moderator = moderator_for(by, comment.consultation.agency_id)
    if moderator is None:
        raise PermissionDenied(_("Only a moderator of this agency can do this."))
    return moderator


def _locked_comment(comment: Comment) -> Comment:
    return (
        Comment.objects.select_for_update(of=("self",))
        .select_related("consultation__agency", "author")
        .get(pk=comment.pk)
    )


# --- use cases ------------------------------------------------------------------------------


@transaction.atomic
def appeal_comment(*, by: Any, comment: Comment, text: str) -> CommentAppeal:
    """The author of a hidden comment asks the moderators to show it again (once). The
    agency's moderators are told.

    Raises PermissionDenied for anyone but the author; ValidationError for a comment
    that is not hidden, a missing or too long text, or a second appeal (nothing is stored).
    """
    if not _signed_in(by):
        raise PermissionDenied(_("Sign in to appeal."))
    current = _locked_comment(comment)
    if current.author_id != by.pk:
        raise PermissionDenied(_("Only the author of a comment can appeal its hiding."))
    if not current.is_hidden:
        raise ValidationError(_("This comment is not hidden: there is nothing to appeal."))
    text = actions._text(
        text,
        field="text",
        limit=REASON_MAX_LENGTH,
        missing=_("Say why the comment should be shown again."),
    )
    appeal = store_appeal(
        CommentAppeal,
        author=by,
        text=text,
        already=_("You have already appealed; a comment can be appealed once."),
        comment=current,
    )
    consultation = current.consultation
    activity = record_activity(
        verb="consultation.comment_appealed",
        summary=f"{by.display_name} appealed the hiding of a comment",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        agency=consultation.agency,
        citizen=by,
        target=current,
    )
    tell_moderators(
        agency_id=consultation.agency_id,
        activity=activity,
        reason=_("An author appealed the hiding of their comment"),
        url=reverse("moderation:queue") + "#comment-appeals",
        but=by,
    )
    return appeal


@transaction.atomic
def decide_comment_appeal(
    *, by: Any, appeal: CommentAppeal, restore: bool, decision: str
) -> CommentAppeal:
    """A moderator settles an appeal: the comment is restored (as `restore_comment` does,
    with `decision` as the public reason) or stays hidden. The author is told either way.

    Raises PermissionDenied for anyone but a moderator of the consultation's agency (or a
    site-wide one); ValidationError for a missing decision or an appeal already decided.
    """
    current = (
        CommentAppeal.objects.select_for_update(of=("self",))
        .select_related("comment__consultation__agency", "comment__author")
        .get(pk=appeal.pk)
    )
    comment = current.comment
    moderator = _moderator_of(by, comment)
    decision = clean_public_reason(decision)
    if not current.is_pending:
        raise ValidationError(_("This appeal has already been decided."))
    now = timezone.now()
    if restore and comment.is_hidden:
        actions.restore_comment(by=by, comment=comment, reason=decision)
    current.settle(by=by, moderator_name=moderator.name, restore=restore, decision=decision, at=now)
    activity = record_activity(
        verb="consultation.comment_appeal_decided",
        summary=f"{moderator.name} decided an appeal: {current.get_outcome_display()}",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        persona=moderator.persona,
        agency=comment.consultation.agency,
        citizen=comment.author,
        target=comment,
        occurred_at=now,
    )
    if comment.author_id != by.pk:
        tell_appeal_decided(
            author=comment.author,
            activity=activity,
            restore=restore,
            decision=decision,
            url=appeal_url(comment),
        )
    appeal.outcome = current.outcome
    return current


@transaction.atomic
def dismiss_comment_flags(*, by: Any, comment: Comment) -> int:
    """A moderator finds nothing wrong: the comment's open reports are closed, the comment
    stays. Returns how many were closed. Raises PermissionDenied for anyone but a
    moderator of the agency; ValidationError when there is no open report."""
    current = _locked_comment(comment)
    moderator = _moderator_of(by, current)
    closed = CommentFlag.objects.filter(comment=current, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    if not closed:
        raise ValidationError(_("There are no open reports about this comment."))
    record_activity(
        verb="consultation.comment_flags_dismissed",
        summary=f"{moderator.name} dismissed {closed} report(s) about a comment",
        visibility=Visibility.INTERNAL,
        actor=by,
        persona=moderator.persona,
        agency=current.consultation.agency,
        target=current,
    )
    return closed


def appeal_url(comment: Comment) -> str:
    return reverse(
        "consultations:comment-appeal",
        kwargs={"pk": comment.consultation_id, "comment_pk": comment.pk},
    )


# --- the moderators' queue (registered with conversations) ----------------------------------


def _comments_in(agency_ids: list[int] | None) -> Any:
    return Comment.objects.filter(
        moderated_scope(agency_ids, "consultation__agency")
    ).select_related("consultation", "author", "persona__agency", "section")


def reported_section(user: Any, agency_ids: list[int] | None) -> QueueSection:
    """Comments with open reports, oldest report first, each with `open_flags` (two
    queries)."""
    open_flags = (
        CommentFlag.objects.filter(resolved_at__isnull=True)
        .select_related("flagged_by")
        .order_by("created_at", "pk")
    )
    first_open = (
        CommentFlag.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    comments = list(
        _comments_in(agency_ids)
        .annotate(first_flagged_at=Subquery(first_open))
        .filter(first_flagged_at__isnull=False)
        .prefetch_related(Prefetch("flags", queryset=open_flags, to_attr="open_flags"))
        .order_by("first_flagged_at", "pk")[:QUEUE_LIMIT]
    )
    count = len(comments)
    return QueueSection(
        name="reported-comments",
        title=ngettext(
            "%(count)s reported consultation comment",
            "%(count)s reported consultation comments",
            count,
        )
        % {"count": count},
        items=comments,
        template="consultations/moderation/_queue_reported.html",
    )


def appeals_section(user: Any, agency_ids: list[int] | None) -> QueueSection:
    """Pending appeals of hidden comments, oldest first (one query)."""
    appeals = list(
        CommentAppeal.objects.filter(
            moderated_scope(agency_ids, "comment__consultation__agency"),
            outcome=AppealOutcome.PENDING,
        )
        .select_related("comment__consultation", "comment__author", "comment__persona__agency")
        .order_by("created_at", "pk")[:QUEUE_LIMIT]
    )
    count = len(appeals)
    return QueueSection(
        name="comment-appeals",
        title=ngettext(
            "%(count)s appeal of a consultation comment",
            "%(count)s appeals of consultation comments",
            count,
        )
        % {"count": count},
        items=appeals,
        template="consultations/moderation/_queue_appeals.html",
    )


def hidden_section(user: Any, agency_ids: list[int] | None) -> QueueSection:
    """Recently hidden comments, to restore (one query)."""
    hidden = _comments_in(agency_ids).filter(is_hidden=True).order_by("-hidden_at", "-pk")
    return QueueSection(
        name="hidden-comments",
        title=_("Hidden consultation comments"),
        items=list(hidden[:QUEUE_LIMIT]),
        template="consultations/moderation/_queue_hidden.html",
    )


# --- the public moderation log (registered with conversations) -------------------------------


def _moderator_name(activity: Activity) -> str:
    if activity.persona is not None:
        return activity.persona.public_name
    if activity.actor is not None:
        return str(getattr(activity.actor, "display_name", "") or "")
    return ""


def _reason(activity: Activity, name: str) -> str:
    """The public reason, from the entry's summary ("Hidden by moderator NAME: REASON")."""
    done = "Hidden" if activity.verb == HIDDEN_VERB else "Restored"
    prefix = f"{done} by moderator {name}: "
    if activity.summary.startswith(prefix):
        return activity.summary[len(prefix) :]
    return activity.summary


def _log_rows(entries: list[Activity]) -> list[LogRow]:
    """The log's rows for these hide / restore entries: the moderator's name, the public
    reason and a link to the comment (of a consultation anyone may see). One query."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.contenttypes.models import ContentType

    comment_type = ContentType.objects.get_for_model(Comment)  # cached after the first
    ids = {
        int(e.target_id)
        for e in entries
        if e.target_type_id == comment_type.pk and e.target_id.isdigit()
    }
    public = Consultation.objects.visible_to(AnonymousUser()).values("pk")
    comments = (
        {
            c.pk: c
            for c in Comment.objects.filter(pk__in=ids, consultation__in=public).select_related(
                "consultation"
            )
        }
        if ids
        else {}
    )
    rows = []
    for entry in entries:
        name = _moderator_name(entry)
        comment = (
            comments.get(int(entry.target_id))
            if entry.target_type_id == comment_type.pk and entry.target_id.isdigit()
            else None
        )
        rows.append(
            LogRow(
                created_at=entry.occurred_at,
                action_label=(
                    _("Comment hidden") if entry.verb == HIDDEN_VERB else _("Comment restored")
                ),
                place=(
                    _("Comment #%(number)s in “%(title)s”")
                    % {"number": comment.pk, "title": comment.consultation.title}
                    if comment is not None
                    else _("A consultation comment")
                ),
                url=comment.get_absolute_url() if comment is not None else "",
                moderator_name=name,
                reason=_reason(entry, name),
            )
        )
    return rows


def log_feed(agency: Agency) -> LogFeed:
    """The agency's public hides and restores of comments, newest first: the activity
    log's own entries, nothing recorded twice."""
    entries = (
        Activity.objects.public()
        .filter(agency=agency, verb__in=[HIDDEN_VERB, RESTORED_VERB])
        .select_related("persona", "actor")
        .order_by("-occurred_at", "-pk")
    )
    return LogFeed(entries=entries, rows=_log_rows, at_field="occurred_at")
