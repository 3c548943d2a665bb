"""Public discussions: open threads on an agency's page about a topic ("Snow clearing on
the east side"), where citizens talk with each other and with the agency's staff.

Use cases (each checks who acts, writes in one transaction and records Activity):
`start_discussion`, `post_in_discussion` (a reply nests one level: a reply to a reply is
attached to the same top-level message), `toggle_helpful`. Reading is open to everyone,
visitors included (`Thread.objects.discussions_visible_to`); writing needs a signed-in
account with a public display name. Staff of the discussion's agency always write as their
work persona and may mark an answer official; everyone else writes under their display
name. A discussion may be linked to something it is about (a service request, later a
consultation), which its page shows only to people who may see that thing.

Mentions (`find_mentions`, `link_mentions`), written in a message:

- `@sam-rivera`: the staff member of the discussion's agency with that profile address
  (the last part of their profile page's address);
- `@parks/pat-green`: a staff member of another agency (agency short name / profile);
- `@[Bea Lopez]`: by the name shown, someone who has written in this discussion (a citizen
  can be mentioned only this way, and only by people in the same discussion), or a staff
  member with a public profile at the discussion's agency.

Only active staff with a public profile are mentionable by anyone. Mentioned people are
notified; mentions of staff become links to their public profile.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townhall.activity.actions import notify, notify_followers, record_activity
from townhall.activity.follows import followers_of
from townhall.activity.models import Visibility
from townhall.agencies.models import Agency, StaffMembership, memberships_of

from .actions import DOUBLE_SUBMIT_WINDOW, clean_body, clean_subject, post_message
from .models import TOPIC_MAX_LENGTH, Message, Reaction, ReactionKind, Thread, ThreadKind
from .rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES, LINK_REL

# At most this many people are notified of the mentions in one message.
MENTION_LIMIT = 10

MENTION_PATTERN = re.compile(
    r"(?<![\w@/&])@(?:\[(?P<name>[^\[\]\n]{1,120})\]"
    r"|(?P<first>[a-z0-9](?:[a-z0-9_-]{0,79}))(?:/(?P<second>[a-z0-9](?:[a-z0-9_-]{0,79})))?)",
    re.IGNORECASE,
)
MENTION_HELP = gettext_lazy(
    "To mention a staff member, write @ and the last part of their profile address, such as "
    "@sam-rivera (for another agency: @parks/pat-green). To mention someone who has written "
    "here, write their name in brackets: @[Bea Lopez]. They are told."
)


def _is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def discussion_persona(user: Any, agency_id: int | None) -> StaffMembership | None:
    """The work persona `user` writes with in a discussion of this agency (their active
    membership of it), or None: they write under their display name."""
    if not _is_authenticated(user) or agency_id is None:
        return None
    return memberships_of(user).filter(agency_id=agency_id).first()


def _check_writer(by: Any, persona: StaffMembership | None) -> None:
    if not _is_authenticated(by) or not getattr(by, "is_active", False):
        raise PermissionDenied(_("Sign in to take part in public discussions."))
    if persona is None and not " ".join(str(getattr(by, "display_name", "")).split()):
        raise PermissionDenied(
            _("Choose the public display name shown next to what you write (on your account page).")
        )


def clean_title(title: Any) -> str:
    """A discussion's title: `clean_subject`'s rules, said about the title."""
    try:
        return clean_subject(title)
    except ValidationError as error:
        raise ValidationError({"title": error.message_dict["subject"]}) from error


def clean_topic(topic: Any) -> str:
    """An optional topic label: one line, at most TOPIC_MAX_LENGTH characters."""
    if topic is None:
        return ""
    if not isinstance(topic, str):
        raise ValidationError({"topic": _("Write the topic as text.")})
    if "\x00" in topic:
        raise ValidationError({"topic": _("The topic contains a NUL character; remove it.")})
    topic = " ".join(topic.split())
    if len(topic) > TOPIC_MAX_LENGTH:
        raise ValidationError(
            {
                "topic": _("Keep the topic to %(limit)s characters or fewer.")
                % {"limit": TOPIC_MAX_LENGTH}
            }
        )
    return topic


def can_see_linked(user: Any, target: models.Model | None) -> bool:
    """Whether `user` may see the object a discussion is linked to, by its own
    `visible_to(user)` rule (a model without one is never shown)."""
    if target is None:
        return False
    manager: Any = type(target)._default_manager
    if not hasattr(manager, "visible_to"):
        return False
    return bool(manager.visible_to(user).filter(pk=target.pk).exists())


def _name_of(by: Any, persona: StaffMembership | None) -> str:
    return persona.public_name if persona is not None else str(by.display_name)


# --- mentions ---------------------------------------------------------------------------


@dataclass
class Mentions:
    """Whom a message mentions: staff (linked to their profile) and citizens."""

    staff: dict[str, StaffMembership] = field(default_factory=dict)  # by handle
    people: dict[str, Any] = field(default_factory=dict)  # by handle: accounts

    def recipients(self) -> list[Any]:
        found = {m.user_id: m.user for m in self.staff.values()}
        found.update({user.pk: user for user in self.people.values()})
        return list(found.values())[:MENTION_LIMIT]


_SKIPPED_TAGS = ("a", "code", "pre")
# A tag, quoted attribute values included (a ">" may stand in one).
_TAG = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")


def _handle(match: re.Match[str]) -> str:
    if match.group("name") is not None:
        return "[" + " ".join(match.group("name").split()).casefold() + "]"
    second = match.group("second")
    first = match.group("first").lower()
    return f"{first}/{second.lower()}" if second else first


def _text_parts(body_html: str) -> list[tuple[bool, str]]:
    """The message's HTML cut into tags and text; True marks text a mention may be in
    (outside links and code)."""
    depth = 0
    parts: list[tuple[bool, str]] = []
    for part in _TAG.split(body_html):
        if part.startswith("<"):
            inner = part.strip("</>").split()
            if inner and inner[0].lower() in _SKIPPED_TAGS:
                depth = max(0, depth + (-1 if part.startswith("</") else 1))
            parts.append((False, part))
        else:
            parts.append((depth == 0, part))
    return parts


def find_mentions(thread: Thread, body_html: str) -> Mentions:
    """The people a message (its rendered HTML) mentions in `thread` (see the module for
    the syntax); mentions inside links and code do not count."""
    found = Mentions()
    text = " ".join(html.unescape(part) for is_text, part in _text_parts(body_html) if is_text)
    matches = {_handle(m): m for m in MENTION_PATTERN.finditer(text)}
    if not matches:
        return found
    public = StaffMembership.objects.public().select_related("agency", "user")
    slugs = [h for h in matches if not h.startswith("[") and "/" not in h]
    pairs = [tuple(h.split("/", 1)) for h in matches if not h.startswith("[") and "/" in h]
    names = {h[1:-1] for h in matches if h.startswith("[")}
    rule = Q(pk__in=[])
    if slugs:
        rule |= Q(agency_id=thread.agency_id, slug__in=slugs)
    for agency_slug, person in pairs[:MENTION_LIMIT]:
        rule |= Q(agency__slug=agency_slug, slug=person)
    if slugs or pairs:
        for membership in public.filter(rule):
            if membership.agency_id == thread.agency_id and membership.slug in matches:
                found.staff[membership.slug] = membership
            found.staff[f"{membership.agency.slug}/{membership.slug}"] = membership
    if names:
        # Staff of this agency with a public profile, by their work name...
        for membership in public.filter(agency_id=thread.agency_id or 0):
            key = " ".join(membership.public_name.split()).casefold()
            if key in names:
                found.staff[f"[{key}]"] = membership
        # ...and anyone who has written here, by the name shown next to their messages.
        written = (
            Message.objects.public()
            .filter(thread=thread)
            .select_related("author", "persona__agency", "persona__user")
        )
        for message in written:
            if message.persona is not None:
                if not message.persona.is_active:
                    continue
                key = " ".join(message.persona.public_name.split()).casefold()
                if key in names and f"[{key}]" not in found.staff:
                    found.staff[f"[{key}]"] = message.persona
            elif message.author.is_active:
                key = " ".join(str(message.author.display_name).split()).casefold()
                if key in names and f"[{key}]" not in found.staff:
                    found.people[f"[{key}]"] = message.author
    return found


def link_mentions(body_html: str, mentions: Mentions) -> SafeString:
    """The message's HTML with each staff mention made a link to their public profile
    (not inside links or code). Cleaned again as every message body is."""
    if not mentions.staff:
        return mark_safe(body_html)  # noqa: S308 - already cleaned by render_markdown

    def link(match: re.Match[str]) -> str:
        unescaped = MENTION_PATTERN.match(html.unescape(match.group(0)))
        membership = mentions.staff.get(_handle(unescaped)) if unescaped else None
        if membership is None:
            return match.group(0)
        return f'<a href="{html.escape(membership.get_absolute_url())}">{match.group(0)}</a>'

    parts = [
        MENTION_PATTERN.sub(link, part) if is_text else part
        for is_text, part in _text_parts(body_html)
    ]
    cleaned = nh3.clean(
        "".join(parts),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above


def _post(
    *,
    thread: Thread,
    by: Any,
    persona: StaffMembership | None,
    body: str,
    parent: Message | None = None,
    official: bool = False,
) -> tuple[Message, Mentions]:
    message = post_message(thread=thread, author=by, persona=persona, body=body)
    mentions = find_mentions(thread, message.body_html)
    message.parent = parent
    message.is_official = official
    message.body_html = link_mentions(message.body_html, mentions)
    message.save(update_fields=["parent", "is_official", "body_html"])
    return message, mentions


def _notify_mentions(mentions: Mentions, *, by: Any, activity: Any, url: str) -> None:
    notify(
        recipients=[person for person in mentions.recipients() if person.pk != by.pk],
        activity=activity,
        reason=_("You were mentioned in a public discussion"),
        url=url,
    )


# --- use cases --------------------------------------------------------------------------


@transaction.atomic
def start_discussion(
    *,
    by: Any,
    agency: Agency,
    title: str,
    body: str,
    topic: str = "",
    linked_to: models.Model | None = None,
) -> Thread:
    """Open a public discussion on a published agency's page. Staff of that agency start it
    as their work persona, anyone else under their display name. `linked_to` (a service
    request, say) must be something `by` may see. Mentioned people are notified.

    Raises PermissionDenied for a visitor or an account without a display name;
    ValidationError for an unpublished agency, a bad title, topic or body, or a link to
    something `by` may not see. The same discussion sent again within a few minutes
    gives back the first one.
    """
    persona = discussion_persona(by, getattr(agency, "pk", None))
    _check_writer(by, persona)
    if agency is None or not Agency.objects.published().filter(pk=agency.pk).exists():
        raise ValidationError({"agency": _("There is no such agency.")})
    title = clean_title(title)
    topic = clean_topic(topic)
    body = clean_body(body)
    if linked_to is not None and not can_see_linked(by, linked_to):
        raise ValidationError({"linked_to": _("You can only link to something you can see.")})
    now = timezone.now()
    earlier = (
        Thread.objects.discussions()
        .filter(
            agency=agency,
            title=title,
            created_at__gte=now - DOUBLE_SUBMIT_WINDOW,
            messages__author=by,
            messages__body=body,
        )
        .order_by("-pk")
        .first()
    )
    if earlier is not None:
        return earlier
    thread = Thread(
        kind=ThreadKind.DISCUSSION,
        agency=agency,
        title=title,
        topic=topic,
        created_at=now,
        last_message_at=now,
    )
    if linked_to is not None:
        thread.linked_to = linked_to
    thread.save(force_insert=True)
    message, mentions = _post(thread=thread, by=by, persona=persona, body=body)
    activity = record_activity(
        verb="discussion.started",
        summary=f"{_name_of(by, persona)} started a public discussion: {title}",
        visibility=Visibility.PUBLIC,
        actor=by,
        persona=persona,
        agency=agency,
        target=thread,
        occurred_at=now,
    )
    _notify_mentions(mentions, by=by, activity=activity, url=message.get_absolute_url())
    notify_followers(
        activity,
        target=agency,
        reason=_("New public discussion at an agency you follow"),
        url=thread.get_absolute_url(),
    )
    return thread


@transaction.atomic
def post_in_discussion(
    *,
    by: Any,
    thread: Thread,
    body: str,
    parent: Message | None = None,
    official: bool = False,
) -> Message:
    """Write in a public discussion, or reply to one of its messages (`parent`). Replies
    nest one level: a reply to a reply is attached to the same top-level message. Staff
    of the agency write as their work persona and may mark the message as the official
    answer (`official`), given by them. Mentioned people, the author replied to and the
    discussion's followers are notified.

    Raises PermissionDenied for a visitor, an account without a display name, or anyone
    but the agency's staff marking an answer official; ValidationError for a bad body, a
    parent from another discussion, or a locked discussion. The same message sent again
    within a few minutes gives back the first one.
    """
    visible = Thread.objects.discussions_visible_to(by)
    if not _is_authenticated(by) or not visible.filter(pk=thread.pk).exists():
        raise PermissionDenied(_("Sign in to take part in public discussions."))
    current = (
        Thread.objects.select_for_update(of=("self",)).select_related("agency").get(pk=thread.pk)
    )
    persona = discussion_persona(by, current.agency_id)
    _check_writer(by, persona)
    if official and persona is None:
        raise PermissionDenied(
            _(
                "Only the agency's staff, writing as themselves at work, can give an official answer."
            )
        )
    if current.is_locked:
        raise ValidationError(_("This discussion is locked: it takes no new messages."))
    body = clean_body(body)
    if parent is not None:
        parent = Message.objects.public().filter(thread=current, pk=parent.pk).first()
        if parent is None:
            raise ValidationError(
                {"parent": _("You can only reply to a message of this discussion.")}
            )
        if parent.parent_id is not None:
            parent = Message.objects.get(pk=parent.parent_id)
    now = timezone.now()
    last = current.messages.filter(author=by).order_by("-created_at", "-pk").first()
    if (
        last is not None
        and last.body == body
        and last.parent_id == (parent.pk if parent else None)
        and last.created_at >= now - DOUBLE_SUBMIT_WINDOW
    ):
        return last
    message, mentions = _post(
        thread=current, by=by, persona=persona, body=body, parent=parent, official=official
    )
    current.last_message_at = message.created_at
    current.save(update_fields=["last_message_at"])
    name = _name_of(by, persona)
    if official:
        summary = f"{name} gave an official answer in “{current.title}”"
    else:
        summary = f"{name} wrote in the public discussion “{current.title}”"
    activity = record_activity(
        verb="discussion.official_answer" if official else "discussion.replied",
        summary=summary,
        visibility=Visibility.PUBLIC,
        actor=by,
        persona=persona,
        agency=current.agency,
        # The message itself: an emailed answer to its notification replies under it.
        target=message,
        occurred_at=message.created_at,
    )
    url = message.get_absolute_url()
    _notify_mentions(mentions, by=by, activity=activity, url=url)
    if parent is not None and parent.author_id != by.pk and parent.author.is_active:
        notify(
            recipients=[parent.author],
            activity=activity,
            reason=_("Someone replied to you in a public discussion"),
            url=url,
        )
    notify(
        recipients=[person for person in followers_of(current) if person.pk != by.pk],
        activity=activity,
        reason=_("New in a discussion you follow"),
        url=url,
    )
    return message


@transaction.atomic
def toggle_helpful(*, by: Any, message: Message) -> bool:
    """Mark a message of a public discussion helpful, or take that back when already
    marked. Returns whether it is now marked. One mark per account and message.

    Raises PermissionDenied for a visitor or a message one may not read; ValidationError
    for one's own message, a hidden message or a locked discussion.
    """
    if not _is_authenticated(by) or not getattr(by, "is_active", False):
        raise PermissionDenied(_("Sign in to mark a message helpful."))
    visible = Thread.objects.discussions_visible_to(by)
    found = (
        Message.objects.public()
        .filter(pk=message.pk, thread__in=visible)
        .select_related("thread__agency", "persona")
        .first()
    )
    if found is None:
        raise PermissionDenied(_("You cannot mark this message."))
    if found.author_id == by.pk:
        raise ValidationError(_("You cannot mark your own message helpful."))
    if found.is_hidden:
        raise ValidationError(_("This message is hidden; it cannot be marked helpful."))
    if found.thread.is_locked:
        raise ValidationError(_("This discussion is locked: it takes no new messages."))
    mine = Reaction.objects.filter(message=found, user=by, kind=ReactionKind.HELPFUL)
    deleted, _kinds = mine.delete()
    if deleted:
        marked = False
    else:
        try:
            with transaction.atomic():
                Reaction.objects.create(message=found, user=by, kind=ReactionKind.HELPFUL)
        except IntegrityError:  # the same click twice at once: it is marked
            pass
        marked = True
    record_activity(
        verb="discussion.helpful" if marked else "discussion.helpful_withdrawn",
        summary=f"{by.display_name} {'marked' if marked else 'unmarked'} a message helpful",
        visibility=Visibility.INTERNAL,
        actor=by,
        agency=found.thread.agency,
        target=found.thread,
    )
    return marked


def helpful_count(message: Message) -> int:
    return Reaction.objects.filter(message=message, kind=ReactionKind.HELPFUL).count()
