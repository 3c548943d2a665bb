"""Own your data: ask for an archive (built by a task, emailed when ready), and erase an
account without breaking the public record (decision 0015)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import ProtectedError, Q, TextField
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from townhall.activity.actions import record_activity
from townhall.activity.models import (
    EmailPreference,
    Follow,
    InboundEmail,
    Notification,
    Visibility,
)
from townhall.activity.redaction import redact_names
from townhall.agencies.models import ServiceKind, StaffMembership
from townhall.commitments.actions import release_commitments
from townhall.commitments.models import CalendarFeed
from townhall.conversations.models import (
    Attachment,
    Flag,
    Message,
    MessageRevision,
    Thread,
    ThreadKind,
)
from townhall.identity.models import ApiToken, AssuranceLevel, AssuranceRecord, User
from townhall.service_requests import status_pages
from townhall.service_requests.models import RequestContact, ServiceRequest

from . import archive
from .models import EXPORT_LIFETIME, ExportJob, ExportStatus, RetentionRule

logger = logging.getLogger(__name__)

PSEUDONYM_SALT = "townhall.privacy.pseudonym"
# Stored in place of text that must stay as a record but no longer say anything.
REMOVED_TEXT = "[Removed when its author erased their account]"
RELEASE_REASON = "The person it was made to erased their account."
ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: can never receive mail


# --- exports ------------------------------------------------------------------------------
def _require_citizen(by: Any) -> None:
    if by is None or not getattr(by, "is_authenticated", False) or not by.is_active:
        raise PermissionDenied(_("Sign in to ask for your data."))


# Building an archive reads everything about a person: a few a day is plenty.
EXPORTS_PER_DAY = 5


class ExportLimitReached(ValidationError):
    """Too many archives asked for in the last day."""


@transaction.atomic
def request_export(*, by: Any) -> ExportJob:
    """Ask for an archive of everything held about `by`. One at a time: while one is
    waiting or being built, asking again returns that one; at most EXPORTS_PER_DAY a
    day (ExportLimitReached). The task starts after commit."""
    _require_citizen(by)
    User.objects.select_for_update().filter(pk=by.pk).first()  # one request at a time
    running = ExportJob.objects.filter(owner=by).active().first()
    if running is not None:
        return running
    since = timezone.now() - timedelta(days=1)
    if ExportJob.objects.filter(owner=by, created_at__gte=since).count() >= EXPORTS_PER_DAY:
        raise ExportLimitReached(
            _("You asked for %(count)s archives today. Please try again tomorrow.")
            % {"count": EXPORTS_PER_DAY},
            code="export_limit",
        )
    job = ExportJob.objects.create(owner=by)
    record_activity(
        verb="privacy.export_requested",
        summary="An archive of an account's data was requested",
        visibility=Visibility.PARTICIPANTS,
        actor=by,
        citizen=by,
        target=job,
    )
    from . import tasks

    transaction.on_commit(partial(tasks.build_export.enqueue, job_id=job.pk))
    return job


def _set_progress(job_id: int, per_cent: int) -> bool:
    """Record progress; False when the job is gone or no longer running (cancelled)."""
    return bool(
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(progress=per_cent)
    )


def build_export(*, job_id: int) -> str:
    """Build the archive of one job (the `build_export` task). Idempotent: a job that is
    not waiting is left alone. If the owner erases the account meanwhile, the half-built
    archive is thrown away. Returns the job's final status."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        return "skipped"
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    owner = job.owner
    stored_name = ""
    try:
        with tempfile.TemporaryFile() as out:
            counts = archive.write_archive(owner, out, partial(_set_progress, job_id))
            size = out.tell()
            out.seek(0)
            stored_name = default_storage.save(job.file.field.generate_filename(job, ""), File(out))
        now = timezone.now()
        finished = ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.READY,
            progress=100,
            file=stored_name,
            size=size,
            counts=counts,
            ready_at=now,
            expires_at=now + EXPORT_LIFETIME,
        )
    except archive.ExportCancelled:
        finished = 0
    except Exception as error:
        logger.exception("Building export %s failed", job_id)
        if stored_name:
            default_storage.delete(stored_name)
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED, error=type(error).__name__[:300]
        )
        return ExportStatus.FAILED
    if not finished:
        if stored_name:
            default_storage.delete(stored_name)
        return "cancelled"
    job.refresh_from_db()
    send_export_ready_email(job)
    return ExportStatus.READY


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _language_of(user: Any) -> str:
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def send_export_ready_email(job: ExportJob) -> int:
    """Tell the owner their archive is ready, in their language, with the link (which
    works only for them, once signed in, until it expires)."""
    owner = job.owner
    if not (owner.is_active and owner.email):
        return 0
    language = _language_of(owner)
    with translation.override(language):
        context = {
            "site_name": settings.SITE_NAME,
            "recipient": owner,
            "job": job,
            "language": language,
            "download_url": _absolute(
                reverse("privacy:export-download", kwargs={"token": job.token})
            ),
            "page_url": _absolute(reverse("privacy:my-data")),
        }
        subject = _("Your data archive is ready")
        text = render_to_string("privacy/email/export_ready.txt", context)
        html = render_to_string("privacy/email/export_ready.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=text,
        to=[owner.email],
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message.send()


def expire_exports(*, now: Any = None) -> int:
    """Delete the files of archives past their date (the `expire_exports` task). Returns
    how many expired."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(status=ExportStatus.READY, expires_at__lte=now):
        if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.READY).update(
            status=ExportStatus.EXPIRED, file=""
        ):
            if job.file.name:
                default_storage.delete(job.file.name)
            count += 1
    return count


# --- retention rules ----------------------------------------------------------------------
LEGAL_BASIS_MAX_LENGTH = 300


@transaction.atomic
def set_retention_rule(
    *, by: Any, service: Any, keep_days: int, legal_basis: str = ""
) -> RetentionRule:
    """A site administrator says how long the law requires keeping a service's private
    requests after their requester erases their account (0: no duty, they are deleted).
    A duty to keep names its legal basis, which people read before they erase."""
    if not (getattr(by, "is_authenticated", False) and by.is_superuser):
        raise PermissionDenied(_("Only a site administrator can set retention rules."))
    legal_basis = " ".join(str(legal_basis or "").split())
    if isinstance(keep_days, bool) or not isinstance(keep_days, int) or keep_days < 0:
        raise ValidationError({"keep_days": _("Give a whole number of days, 0 or more.")})
    if keep_days > 365 * 100:
        raise ValidationError({"keep_days": _("Keep records for at most 100 years.")})
    if keep_days and not legal_basis:
        raise ValidationError({"legal_basis": _("Name the law that requires keeping them.")})
    if len(legal_basis) > LEGAL_BASIS_MAX_LENGTH:
        raise ValidationError(
            {"legal_basis": _("Keep it under %(limit)s characters.") % {"limit": 300}}
        )
    rule, _created = RetentionRule.objects.select_for_update().get_or_create(
        service=service, defaults={"keep_days": keep_days, "legal_basis": legal_basis}
    )
    if (rule.keep_days, rule.legal_basis) != (keep_days, legal_basis):
        rule.keep_days, rule.legal_basis = keep_days, legal_basis
        rule.save(update_fields=["keep_days", "legal_basis"])
    record_activity(
        verb="privacy.retention_rule_set",
        summary=(
            f"Private requests of “{service.name}” are kept {keep_days} days after erasure"
            if keep_days
            else f"Private requests of “{service.name}” are deleted on erasure"
        ),
        visibility=Visibility.PUBLIC,
        actor=by,
        agency=service.agency,
        target=rule,
    )
    return rule


# --- erasure ------------------------------------------------------------------------------
def pseudonym_key(user_id: int) -> str:
    """A stable, unguessable key for an erased account: a keyed hash of its id."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{PSEUDONYM_SALT}:{user_id}".encode(), hashlib.sha256
    ).hexdigest()


def pseudonym_for(user_id: int) -> str:
    """The name an erased account's public records show: "Former resident 7f3a9c2e"."""
    return f"Former resident {pseudonym_key(user_id)[:8]}"


def is_erased(user: Any) -> bool:
    return bool(user.email.endswith("@" + ERASED_EMAIL_DOMAIN))


class ErasureRefused(ValidationError):
    """This account cannot be erased as it is (a staff member's work persona)."""


def active_memberships(user: Any) -> list[StaffMembership]:
    return list(StaffMembership.objects.filter(user=user, is_active=True).select_related("agency"))


def erasure_refusal(user: Any) -> str:
    """Why this account cannot be erased now, or "" when it can."""
    memberships = active_memberships(user)
    if memberships:
        agencies = ", ".join(sorted({item.agency.name for item in memberships}))
        return _(
            "This account is the work persona of a staff member of %(agencies)s. What staff "
            "do in public stays attributed to their role, so the account cannot be erased "
            "while it is active. An administrator must first remove you from the agency; "
            "then you can erase the account."
        ) % {"agencies": agencies}
    if user.is_staff or user.is_superuser:
        return _(
            "This is a site administrator's account. Another administrator must first "
            "take away its administration rights; then you can erase it."
        )
    return ""


@dataclass
class ServicePlan:
    service: Any
    rule: RetentionRule | None
    requests: list[ServiceRequest] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        return self.rule is not None and self.rule.requires_keeping


@dataclass
class ErasurePlan:
    """What erasing an account keeps and what it removes (shown before confirming)."""

    refusal: str
    pseudonym: str
    public_requests: list[ServiceRequest]
    private_by_service: list[ServicePlan]
    conversations: int
    discussion_posts: int
    consultation_comments: int
    follows: int
    notifications: int
    api_tokens: int
    calendar_feeds: int
    exports: int
    attachments: int

    @property
    def kept_private(self) -> list[ServicePlan]:
        return [plan for plan in self.private_by_service if plan.kept]

    @property
    def removed_private(self) -> list[ServicePlan]:
        return [plan for plan in self.private_by_service if not plan.kept]


def _comment_model() -> Any:
    try:
        return apps.get_model("consultations", "Comment")
    except LookupError:
        return None


def erasure_plan(user: Any) -> ErasurePlan:
    """What `erase_account` would do to `user`'s records, read-only."""
    requests = list(
        ServiceRequest.objects.filter(requester=user)
        .select_related("service", "service__retention_rule")
        .order_by("submitted_at", "pk")
    )
    by_service: dict[int, ServicePlan] = {}
    for item in requests:
        if item.is_public:
            continue
        plan = by_service.get(item.service_id)  # type: ignore[attr-defined]
        if plan is None:
            rule = getattr(item.service, "retention_rule", None)
            plan = by_service[item.service_id] = ServicePlan(item.service, rule)  # type: ignore[attr-defined]
        plan.requests.append(item)
    comment = _comment_model()
    return ErasurePlan(
        refusal=erasure_refusal(user),
        pseudonym=pseudonym_for(user.pk),
        public_requests=[item for item in requests if item.is_public],
        private_by_service=list(by_service.values()),
        conversations=Thread.objects.filter(citizen=user).conversations().count(),
        discussion_posts=Message.objects.filter(
            author=user, thread__kind=ThreadKind.DISCUSSION
        ).count(),
        consultation_comments=comment.objects.filter(author=user).count() if comment else 0,
        follows=Follow.objects.filter(user=user).count(),
        notifications=Notification.objects.filter(recipient=user).count(),
        api_tokens=ApiToken.objects.filter(user=user).count(),
        calendar_feeds=CalendarFeed.objects.filter(owner=user).count(),
        exports=ExportJob.objects.filter(owner=user).count(),
        attachments=len(archive.attachments_for(user)),
    )


def _attachment_files(threads: Iterable[int]) -> list[str]:
    return [
        name
        for name in Attachment.objects.filter(thread_id__in=list(threads)).values_list(
            "file", flat=True
        )
        if name
    ]


def _delete_or_scrub_thread(thread_id: int, user: Any, files: list[str]) -> bool:
    """Delete a private thread (messages, files); if other records must keep it (a
    moderation log entry, an appeal), blank the person's own messages instead. Returns
    whether it was deleted."""
    names = _attachment_files([thread_id])
    try:
        with transaction.atomic():
            Thread.objects.filter(pk=thread_id).delete()
    except ProtectedError:
        _scrub_messages(Message.objects.filter(thread_id=thread_id, author=user), files)
        return False
    files.extend(names)
    return True


def _scrub_messages(messages: models.QuerySet[Message], files: list[str]) -> None:
    """Blank messages that must stay (their earlier wordings and files go)."""
    ids = list(messages.values_list("pk", flat=True))
    MessageRevision.objects.filter(message_id__in=ids).delete()
    attachments = Attachment.objects.filter(message_id__in=ids)
    files.extend(name for name in attachments.values_list("file", flat=True) if name)
    attachments.delete()
    Message.objects.filter(pk__in=ids).update(body=REMOVED_TEXT, body_html=f"<p>{REMOVED_TEXT}</p>")


def _scrub_contacts(contacts: models.QuerySet[RequestContact]) -> None:
    contacts.update(email="", first_name="", last_name="", phone="", device_id="", account_id="")


def _keep_private_request(item: ServiceRequest) -> None:
    """A private request the law requires keeping: keep the record, drop what identifies
    the person (the home address of anything but a problem report's location)."""
    if item.service.kind != ServiceKind.PROBLEM_REPORT:
        ServiceRequest.objects.filter(pk=item.pk).update(address="", latitude=None, longitude=None)


def _delete_private_request(item: ServiceRequest, user: Any, files: list[str]) -> bool:
    """Delete a private request with its replies and files; if another record depends on
    it (a duplicate points at it), blank its text and location instead."""
    thread_id = item.thread_id  # type: ignore[attr-defined]
    names = _attachment_files([thread_id])
    try:
        with transaction.atomic():
            ServiceRequest.objects.filter(pk=item.pk).delete()
            Thread.objects.filter(pk=thread_id).delete()
    except ProtectedError:
        ServiceRequest.objects.filter(pk=item.pk).update(
            description=REMOVED_TEXT, answers={}, address="", latitude=None, longitude=None
        )
        _scrub_messages(Message.objects.filter(thread_id=thread_id, author=user), files)
        theirs = Attachment.objects.filter(thread_id=thread_id, uploaded_by=user)
        files.extend(name for name in theirs.values_list("file", flat=True) if name)
        theirs.delete()
        return False
    files.extend(names)
    return True


def _delete_citizens_records(user: Any) -> int:
    """The joined-up view's records about this person (access log, consent, shared
    notes): every model of the `citizens` app with a `citizen` field."""
    if not apps.is_installed("townhall.citizens"):
        return 0
    deleted = 0
    for model in apps.get_app_config("citizens").get_models():
        names = {item.name for item in model._meta.get_fields()}
        if "citizen" in names:
            deleted += model._default_manager.filter(citizen=user).delete()[0]
    return deleted


def _delete_consultation_flags(user: Any) -> int:
    """The person's reports of others' comments are private to moderators: deleted.
    (Their comments, amendments and supports are public and stay, under the pseudonym.)"""
    try:
        flag = apps.get_model("consultations", "CommentFlag")
    except LookupError:
        return 0
    return int(flag.objects.filter(flagged_by=user).delete()[0])


def _forget_queued_tasks(user: Any) -> int:
    """Task results of the database queue that carry the person's address (the emails
    sent to them) are deleted with it."""
    if not apps.is_installed("django_tasks_db"):
        return 0
    result = apps.get_model("django_tasks_database", "DBTaskResult")
    rows = (
        result.objects.exclude(status="RUNNING")
        .annotate(arguments=Cast("args_kwargs", TextField()))
        .filter(arguments__icontains=user.email)
    )
    return int(result.objects.filter(pk__in=list(rows.values_list("pk", flat=True))).delete()[0])


@dataclass
class ErasureResult:
    pseudonym: str
    kept_public_requests: int = 0
    kept_private_requests: int = 0
    deleted_private_requests: int = 0
    deleted_conversations: int = 0


@transaction.atomic
def erase_account(*, by: Any, confirm: bool) -> ErasureResult:
    """Erase `by`'s own account (decision 0015). The account row stays, so public records
    keep their author, but under a stable pseudonym; it can no longer sign in. Personal
    data goes; private records go too unless their service's retention rule keeps them
    (then without personal details); public records stay, under the pseudonym. The
    activity log keeps every entry, its summaries reworded with the pseudonym. Refused for
    staff and site administrators."""
    if confirm is not True:
        raise ValidationError({"confirm": _("Confirm that you want to erase your account.")})
    if by is None or not getattr(by, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to erase your account."))
    user = User.objects.select_for_update().filter(pk=by.pk).first()
    if user is None or not user.is_active or is_erased(user):
        raise PermissionDenied(_("This account no longer exists."))
    refusal = erasure_refusal(user)
    if refusal:
        raise ErasureRefused(refusal, code="staff_persona")

    email = user.email
    files: list[str] = []
    result = ErasureResult(pseudonym=pseudonym_for(user.pk))

    # Exports: cancel a running one (its task sees the row gone) and delete archives.
    for job in ExportJob.objects.filter(owner=user):
        if job.file.name:
            files.append(job.file.name)
    ExportJob.objects.filter(owner=user).delete()

    # Requests: public ones stay; private ones go unless the law keeps them.
    plan = erasure_plan(user)
    result.kept_public_requests = len(plan.public_requests)
    for item in plan.public_requests:  # their kept status pages now show the pseudonym
        status_pages.forget_request(item.pk)
    for service_plan in plan.private_by_service:
        for item in service_plan.requests:
            # Nobody is left to answer: the open promises about it are released.
            release_commitments(subject=item, reason=RELEASE_REASON)
            if service_plan.kept:
                _keep_private_request(item)
                result.kept_private_requests += 1
            elif _delete_private_request(item, user, files):
                result.deleted_private_requests += 1
            else:
                result.kept_private_requests += 1
    _scrub_contacts(
        RequestContact.objects.filter(
            Q(request__requester=user) | Q(claimed_by=user) | Q(email__iexact=email)
        )
    )

    # Conversations with staff are private: deleted with their messages and files.
    for thread in list(Thread.objects.filter(citizen=user).conversations()):
        release_commitments(subject=thread, reason=RELEASE_REASON)
        if _delete_or_scrub_thread(thread.pk, user, files):
            result.deleted_conversations += 1

    # Private things that are only the person's.
    Flag.objects.filter(flagged_by=user).delete()
    Follow.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    EmailPreference.objects.filter(user=user).delete()
    CalendarFeed.objects.filter(owner=user).delete()
    ApiToken.objects.filter(user=user).delete()
    AssuranceRecord.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()  # and their provider tokens
    Authenticator.objects.filter(user=user).delete()
    InboundEmail.objects.filter(
        Q(user=user) | Q(from_address__icontains=email) | Q(envelope_from__icontains=email)
    ).update(from_address="", envelope_from="", recipient="", detail="")
    _delete_citizens_records(user)
    _delete_consultation_flags(user)
    _forget_queued_tasks(user)

    # The activity log's wording: entries about them say the pseudonym instead of their
    # names (the one change the log allows, recorded: activity/redaction.py).
    redact_names(
        person=user,
        names=[user.display_name, user.legal_name, email],
        pseudonym=result.pseudonym,
        reason="account erased",
    )

    # The account itself: a stable pseudonym, no way to sign in.
    key = pseudonym_key(user.pk)
    user.email = f"erased-{key[:20]}@{ERASED_EMAIL_DOMAIN}"
    user.display_name = result.pseudonym
    user.legal_name = ""
    user.assurance_level = AssuranceLevel.NONE
    user.assurance_changed_at = None
    user.is_active = False
    user.last_login = None
    user.set_unusable_password()  # also ends every session: their hash no longer matches
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    record_activity(
        verb="account.erased",
        summary="An account was erased at its holder's request",
        visibility=Visibility.INTERNAL,
        actor=user,
        citizen=user,
        target=user,
    )
    if files:
        transaction.on_commit(partial(_delete_files, files))
    return result


def purge_retained_requests(*, now: Any = None) -> int:
    """Delete the private requests of erased accounts that a retention rule kept, once
    their time is up (filing + the rule's days). Run daily (`townhall
    purge_retained_requests`, or the task of that name). Returns how many went."""
    now = now or timezone.now()
    files: list[str] = []
    deleted = 0
    due = (
        ServiceRequest.objects.filter(
            is_public=False,
            requester__is_active=False,
            requester__email__endswith="@" + ERASED_EMAIL_DOMAIN,
            service__retention_rule__keep_days__gt=0,
        )
        .select_related("service__retention_rule", "requester")
        .order_by("pk")
    )
    for item in due.iterator(chunk_size=500):
        if item.submitted_at + timedelta(days=item.service.retention_rule.keep_days) > now:
            continue
        with transaction.atomic():
            if _delete_private_request(item, item.requester, files):
                deleted += 1
    _delete_files(files)
    return deleted


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete %s after an erasure", name)
