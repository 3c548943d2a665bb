"""What an archive holds: every record about one person, as JSON, plus their files.

`sections(user)` lists the parts of `archive.json` in order, each a function returning
plain JSON values; `write_archive` runs them, reports progress after each, and writes the
zip (`archive.json` and `files/<id>-<safe name>`). Secrets never go in: no password hash,
no API token key or prefix, no calendar address. Staff's internal notes and internal
files are not the citizen's to read (invariant 7) and stay out too.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from townhall.activity.models import (
    Activity,
    EmailPreference,
    Follow,
    InboundEmail,
    Notification,
)
from townhall.commitments.models import CalendarFeed, Commitment
from townhall.conversations.models import Attachment, Message, Reaction, Thread, ThreadKind
from townhall.conversations.moderation_models import Appeal, Flag
from townhall.identity.models import ApiToken, AssuranceRecord
from townhall.service_requests.models import RequestContact, ServiceRequest, Support

FORMAT_VERSION = 1
SAFE_NAME_MAX = 100
CHUNK_SIZE = 64 * 1024


def safe_file_name(name: str, fallback: str = "file") -> str:
    """A file name that cannot leave the folder it is put in: the last path part only,
    letters, digits, dot, dash, underscore and space; no leading dots; at most 100."""
    name = unicodedata.normalize("NFKC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"[^\w.\- ]", "_", name, flags=re.ASCII).strip(" .")
    name = re.sub(r"_+", "_", name)
    if len(name) > SAFE_NAME_MAX:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            name = stem[: SAFE_NAME_MAX - len(suffix) - 1] + "." + suffix
        else:
            name = name[:SAFE_NAME_MAX]
    return name or fallback


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def file_name_in_archive(attachment: Attachment) -> str:
    return f"files/{attachment.pk}-{safe_file_name(attachment.original_name)}"


def _attachment(item: Attachment) -> dict[str, Any]:
    return {
        "id": item.pk,
        "name": item.original_name,
        "type": item.content_type,
        "size": item.size,
        "uploaded_at": _when(item.uploaded_at),
        "in_archive": file_name_in_archive(item),
    }


def _message(item: Message) -> dict[str, Any]:
    return {
        "id": item.pk,
        "written_by": item.signature,
        "by_you": None,  # filled by the caller, who knows whose archive this is
        "body": item.body,
        "written_at": _when(item.created_at),
        "edited_at": _when(item.edited_at),
        "hidden_by_moderator": item.is_hidden,
    }


def _messages_of(threads: Iterable[int], user: Any) -> dict[int, list[dict[str, Any]]]:
    """The messages of these threads a citizen may read (no internal notes), by thread."""
    by_thread: dict[int, list[dict[str, Any]]] = {}
    rows = (
        Message.objects.public()
        .filter(thread_id__in=list(threads))
        .select_related("author", "persona__agency")
        .order_by("created_at", "id")
    )
    for item in rows:
        data = _message(item)
        data["by_you"] = item.author_id == user.pk  # type: ignore[attr-defined]
        by_thread.setdefault(item.thread_id, []).append(data)  # type: ignore[attr-defined]
    return by_thread


def attachments_for(user: Any) -> list[Attachment]:
    """The files in the archive: those the person uploaded, and those (not internal) on
    their own requests and conversations."""
    own_threads = Thread.objects.filter(Q(citizen=user) | Q(request__requester=user)).values("pk")
    return list(
        Attachment.objects.filter(Q(uploaded_by=user) | Q(thread__in=own_threads))
        .filter(is_internal=False)
        .order_by("pk")
        .distinct()
    )


def _attachments_by_thread(user: Any) -> dict[int, list[dict[str, Any]]]:
    by_thread: dict[int, list[dict[str, Any]]] = {}
    for item in attachments_for(user):
        by_thread.setdefault(item.thread_id, []).append(_attachment(item))  # type: ignore[attr-defined]
    return by_thread


# --- sections -----------------------------------------------------------------------------
def account_section(user: Any) -> dict[str, Any]:
    preference = EmailPreference.objects.filter(user_id=user.pk).first()
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "legal_name": user.legal_name,
        "preferred_language": user.preferred_language,
        "assurance_level": user.assurance_level,
        "assurance_changed_at": _when(user.assurance_changed_at),
        "joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "email_addresses": [
            {"email": row.email, "verified": row.verified, "primary": row.primary}
            for row in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "assurance_records": [
            {
                "level": row.level,
                "method": row.method,
                "provider": row.provider_name or row.provider_id,
                "claims": row.claims,
                "document_type": row.document_type,
                "reached_at": _when(row.reached_at),
                "expires_at": _when(row.expires_at),
                "revoked_at": _when(row.revoked_at),
                "revocation_reason": row.revocation_reason,
            }
            for row in AssuranceRecord.objects.filter(user=user).order_by("pk")
        ],
        "email_notifications": preference.frequency if preference else "immediately",
        "api_tokens": [
            {
                "name": row.name,
                "created_at": _when(row.created_at),
                "last_used_at": _when(row.last_used_at),
                "revoked_at": _when(row.revoked_at),
            }
            for row in ApiToken.objects.filter(user=user).order_by("pk")
        ],
        "joined_up_view_consent": _consent(user),
        "identity_providers": [
            {
                "provider": row.provider,
                "your_id_there": row.uid,
                "linked_at": _when(row.date_joined),
            }
            for row in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "second_factors": [
            {
                "type": row.type,
                "added_at": _when(row.created_at),
                "last_used_at": _when(row.last_used_at),
            }
            for row in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "calendar_feeds": [
            {"created_at": _when(row.created_at), "revoked_at": _when(row.revoked_at)}
            for row in CalendarFeed.objects.filter(owner=user).order_by("pk")
        ],
    }


def _consent(user: Any) -> bool | None:
    """Whether the person lets every agency's staff join up their records."""
    consent = _model("citizens", "JoinUpConsent")
    if consent is None:
        return None
    row = consent.objects.filter(citizen=user).first()
    return bool(row and row.is_on)


def _commitment(row: Commitment) -> dict[str, Any]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "description": row.description,
        "agency": row.agency.name,
        "due_at": _when(row.due_at),
        "state": row.state,
        "made_at": _when(row.made_at),
        "kept_at": _when(row.kept_at),
        "broken_at": _when(row.broken_at),
    }


def service_requests_section(user: Any) -> list[dict[str, Any]]:
    requests = list(
        ServiceRequest.objects.filter(requester=user)
        .select_related("service", "agency")
        .order_by("submitted_at", "pk")
    )
    thread_ids = [item.thread_id for item in requests]  # type: ignore[attr-defined]
    messages = _messages_of(thread_ids, user)
    files = _attachments_by_thread(user)
    request_type = ContentType.objects.get_for_model(ServiceRequest)
    commitments: dict[str, list[dict[str, Any]]] = {}
    for row in (
        Commitment.objects.filter(
            subject_type=request_type, subject_id__in=[str(item.pk) for item in requests]
        )
        .select_related("agency")
        .order_by("made_at", "pk")
    ):
        commitments.setdefault(row.subject_id, []).append(_commitment(row))
    contacts = {
        row.request_id: {
            "email": row.email,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "phone": row.phone,
            "filed_through": str(row.filed_via),
            "claimed_at": _when(row.claimed_at),
        }
        for row in RequestContact.objects.filter(request__in=requests).select_related("filed_via")
    }
    return [
        {
            "reference": item.reference,
            "service": item.service.name,
            "agency": item.agency.name,
            "status": item.status,
            "public": item.is_public,
            "description": item.description,
            "answers": item.answers,
            "address": item.address,
            "latitude": item.latitude,
            "longitude": item.longitude,
            "submitted_at": _when(item.submitted_at),
            "answered_at": _when(item.answered_at),
            "closed_at": _when(item.closed_at),
            "messages": messages.get(item.thread_id, []),  # type: ignore[attr-defined]
            "files": files.get(item.thread_id, []),  # type: ignore[attr-defined]
            "commitments": commitments.get(str(item.pk), []),
            # The details an application (an Open311 client) filed it with, before the
            # person claimed it; None when they filed it themselves.
            "contact_given": contacts.get(item.pk),
        }
        for item in requests
    ]


def conversations_section(user: Any) -> list[dict[str, Any]]:
    threads = list(
        Thread.objects.filter(citizen=user, kind__in=(ThreadKind.DIRECT, ThreadKind.TEAM))
        .select_related("agency", "team", "staff")
        .order_by("created_at", "pk")
    )
    messages = _messages_of([item.pk for item in threads], user)
    files = _attachments_by_thread(user)
    return [
        {
            "id": item.pk,
            "kind": item.kind,
            "subject": item.title,
            "agency": item.agency.name if item.agency else None,
            "addressed_to": (
                item.staff.public_name if item.staff else (item.team.name if item.team else None)
            ),
            "started_at": _when(item.created_at),
            "messages": messages.get(item.pk, []),
            "files": files.get(item.pk, []),
        }
        for item in threads
    ]


def discussion_posts_section(user: Any) -> list[dict[str, Any]]:
    rows = (
        Message.objects.filter(author=user, thread__kind=ThreadKind.DISCUSSION)
        .select_related("thread")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": item.pk,
            "discussion": item.thread.title,
            "discussion_id": item.thread_id,  # type: ignore[attr-defined]
            "body": item.body,
            "written_at": _when(item.created_at),
            "edited_at": _when(item.edited_at),
            "hidden_by_moderator": item.is_hidden,
        }
        for item in rows
    ]


def commitments_section(user: Any) -> list[dict[str, Any]]:
    rows = Commitment.objects.filter(made_to=user).select_related("agency").order_by("made_at")
    return [_commitment(row) for row in rows]


def supports_section(user: Any) -> list[dict[str, Any]]:
    rows = Support.objects.filter(user=user).select_related("request").order_by("created_at")
    return [
        {"request": row.request.reference, "since": _when(row.created_at)}
        for row in rows
        if row.request.is_public or row.request.requester_id == user.pk  # type: ignore[attr-defined]
    ]


def follows_section(user: Any) -> list[dict[str, Any]]:
    rows = Follow.objects.filter(user=user).select_related("target_type").order_by("created_at")
    return [
        {
            "kind": f"{row.target_type.app_label}.{row.target_type.model}",
            "id": row.target_id,
            "since": _when(row.created_at),
        }
        for row in rows
    ]


def notifications_section(user: Any) -> list[dict[str, Any]]:
    rows = (
        Notification.objects.filter(recipient=user)
        .select_related("activity")
        .order_by("created_at", "pk")
    )
    return [
        {
            "summary": row.activity.summary,
            "reason": row.reason,
            "link": row.url,
            "created_at": _when(row.created_at),
            "read_at": _when(row.read_at),
        }
        for row in rows.iterator(chunk_size=500)
    ]


def activity_section(user: Any) -> list[dict[str, Any]]:
    """What the activity log says about the person, as they may read it."""
    rows = (
        Activity.objects.visible_to(user)
        .filter(Q(citizen=user) | Q(actor=user))
        .order_by("occurred_at", "pk")
    )
    return [
        {"verb": row.verb, "summary": row.summary, "at": _when(row.occurred_at)}
        for row in rows.iterator(chunk_size=1000)
    ]


def _model(app_label: str, name: str) -> Any:
    """A model of an app that may not have it yet (built alongside this one)."""
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def consultation_comments_section(user: Any) -> list[dict[str, Any]]:
    comment = _model("consultations", "Comment")
    if comment is None:
        return []
    rows = comment.objects.filter(author=user).select_related("consultation").order_by("pk")
    return [
        {
            "id": row.pk,
            "consultation": row.consultation.title,
            "passage": row.passage,
            "body": row.body,
            "written_at": _when(row.created_at),
            "hidden_by_moderator": row.is_hidden,
        }
        for row in rows
    ]


def consultation_supports_section(user: Any) -> list[dict[str, Any]]:
    support = _model("consultations", "Support")
    if support is None:
        return []
    rows = support.objects.filter(user=user).select_related("section").order_by("pk")
    return [
        {
            "section": row.section.heading,
            "stance": row.stance,
            "reason": row.reason,
            "since": _when(row.created_at),
        }
        for row in rows
    ]


def amendments_section(user: Any) -> list[dict[str, Any]]:
    amendment = _model("consultations", "Amendment")
    if amendment is None:
        return []
    rows = amendment.objects.filter(author=user).select_related("section").order_by("pk")
    return [
        {
            "section": row.section.heading,
            "text": row.text,
            "reason": row.reason,
            "written_at": _when(row.created_at),
            "outcome": row.outcome,
            "response": row.response,
        }
        for row in rows
    ]


def access_log_section(user: Any) -> list[dict[str, Any]]:
    """Who among staff looked at the person's record, when, where and why (the
    `citizens` access log). Staff are named by their work persona, never their account."""
    entry = _model("citizens", "AccessLogEntry")
    if entry is None:
        return []
    user_model = type(user)
    fields = [
        item
        for item in entry._meta.concrete_fields
        if not (item.is_relation and item.related_model is user_model) and item.name != "id"
    ]
    related = [item.name for item in fields if item.is_relation]
    rows = entry.objects.filter(citizen=user).select_related(*related).order_by("pk")
    result = []
    for row in rows:
        data: dict[str, Any] = {}
        for item in fields:
            value = getattr(row, item.name)
            if item.is_relation:
                value = str(value) if value is not None else None
            elif item.choices:
                value = str(getattr(row, f"get_{item.name}_display")())
            data[item.name] = value
        result.append(data)
    return result


def shared_notes_section(user: Any) -> list[dict[str, Any]]:
    """The notes staff shared on the person's record for every agency (the `citizens`
    shared notes): what was written, when, and by which work persona and agency, never
    the author's account."""
    note = _model("citizens", "SharedNote")
    if note is None:
        return []
    rows = note.objects.filter(citizen=user).select_related("persona", "agency").order_by("pk")
    return [
        {
            "id": row.pk,
            "written_by": row.persona.public_name,
            "agency": row.agency.name,
            "note": row.body,
            "written_at": _when(row.created_at),
        }
        for row in rows
    ]


def consultation_answers_section(user: Any) -> list[dict[str, Any]]:
    """The person's answers to consultations' questions."""
    answer = _model("consultations", "Answer")
    if answer is None:
        return []
    rows = (
        answer.objects.filter(user=user)
        .select_related("question__consultation")
        .order_by("answered_at", "pk")
    )
    return [
        {
            "consultation": row.question.consultation.title,
            "question": row.question.text,
            "answer": row.value,
            "answered_at": _when(row.answered_at),
        }
        for row in rows
    ]


def helpful_marks_section(user: Any) -> list[dict[str, Any]]:
    """The messages the person marked (as helpful) in public discussions."""
    rows = Reaction.objects.filter(user=user).select_related("message__thread").order_by("pk")
    return [
        {
            "kind": row.kind,
            "message": row.message_id,
            "discussion": row.message.thread.title,
            "given_at": _when(row.created_at),
        }
        for row in rows
    ]


def reports_section(user: Any) -> list[dict[str, Any]]:
    """What the person reported to the moderators: messages, then consultation comments."""
    reports: list[dict[str, Any]] = [
        {
            "about": "message",
            "id": row.message_id,
            "category": row.category,
            "reason": row.reason,
            "reported_at": _when(row.created_at),
            "state": row.state,
        }
        for row in Flag.objects.filter(flagged_by=user).order_by("pk")
    ]
    comment_flag = _model("consultations", "CommentFlag")
    if comment_flag is not None:
        reports.extend(
            {
                "about": "consultation comment",
                "id": row.comment_id,
                "category": None,
                "reason": row.reason,
                "reported_at": _when(row.created_at),
                "state": "resolved" if row.resolved_at else "open",
            }
            for row in comment_flag.objects.filter(flagged_by=user).order_by("pk")
        )
    return reports


def _appeal(about: str, item_id: int, row: Any) -> dict[str, Any]:
    return {
        "about": about,
        "id": item_id,
        "appeal": row.text,
        "appealed_at": _when(row.created_at),
        "outcome": row.outcome,
        "decision": row.decision,
        "decided_by": row.decided_by_name,
        "decided_at": _when(row.decided_at),
    }


def appeals_section(user: Any) -> list[dict[str, Any]]:
    """The person's appeals of hidden messages and comments, and what became of them."""
    appeals = [
        _appeal("message", row.message_id, row)
        for row in Appeal.objects.filter(author=user).order_by("pk")
    ]
    comment_appeal = _model("consultations", "CommentAppeal")
    if comment_appeal is not None:
        appeals.extend(
            _appeal("consultation comment", row.comment_id, row)
            for row in comment_appeal.objects.filter(author=user).order_by("pk")
        )
    return appeals


def emails_received_section(user: Any) -> list[dict[str, Any]]:
    """The emails from the person the site received (replies by email), as logged: when,
    from which address, and what was done with each (their text, when accepted, is among
    the messages above). Not the reply address they were sent to: it is a secret that lets
    mail post as them, like an API token."""
    rows = InboundEmail.objects.filter(user=user).order_by("pk")
    return [
        {
            "received_at": _when(row.received_at),
            "from": row.from_address,
            "size": row.size,
            "outcome": row.outcome,
        }
        for row in rows
    ]


SECTIONS: list[tuple[str, Callable[[Any], Any]]] = [
    ("account", account_section),
    ("service_requests", service_requests_section),
    ("conversations", conversations_section),
    ("discussion_posts", discussion_posts_section),
    ("consultation_comments", consultation_comments_section),
    ("consultation_supports", consultation_supports_section),
    ("amendments", amendments_section),
    ("consultation_answers", consultation_answers_section),
    ("helpful_marks", helpful_marks_section),
    ("reports", reports_section),
    ("appeals", appeals_section),
    ("emails_received", emails_received_section),
    ("commitments_made_to_you", commitments_section),
    ("me_too", supports_section),
    ("follows", follows_section),
    ("notifications", notifications_section),
    ("activity", activity_section),
    ("access_log", access_log_section),
    ("shared_notes", shared_notes_section),
]


class ExportCancelled(Exception):
    """The job went away (its owner erased the account) while the archive was built."""


def write_archive(user: Any, out: IO[bytes], progress: Callable[[int], bool]) -> dict[str, int]:
    """Write the zip to `out`. `progress(per_cent)` is called as it goes and returns False
    when the job was cancelled (then ExportCancelled is raised). Returns record counts."""
    data: dict[str, Any] = {
        "format": "townhall-archive",
        "version": FORMAT_VERSION,
        "generated_at": _when(timezone.now()),
    }
    counts: dict[str, int] = {}
    files = attachments_for(user)
    steps = len(SECTIONS) + max(len(files), 1)
    done = 0
    for name, build in SECTIONS:
        data[name] = build(user)
        counts[name] = len(data[name]) if isinstance(data[name], list) else 1
        done += 1
        if not progress(min(99, done * 100 // steps)):
            raise ExportCancelled
    counts["files"] = len(files)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "archive.json",
            json.dumps(data, ensure_ascii=False, indent=2, default=_json_default),
        )
        for item in files:
            try:
                with (
                    item.file.open("rb") as source,
                    archive.open(file_name_in_archive(item), "w") as target,
                ):
                    shutil.copyfileobj(source, target, CHUNK_SIZE)
            except OSError:
                counts["files_missing"] = counts.get("files_missing", 0) + 1
            done += 1
            if not progress(min(99, done * 100 // steps)):
                raise ExportCancelled
    return counts
