"""The public status page as anonymous visitors see it, kept rendered in the cache.

Most readers of `/requests/<reference>/` are not signed in, and for them the page depends
only on the request (and the language and address it is read in). So the part below the
site's header — everything in the page's content block — is rendered once and kept for
`settings.STATUS_PAGE_CACHE_SECONDS` under a key made of:

- the request's row, and the rows joined with it (service, agency, holder, team), as read
  for this very view: any change to them gives a new key, whoever made it;
- the rows of its commitments, read for the key (one small query through the subject
  index): promises made, kept, broken by the scheduled check, paused or handed over;
- a token per request and one per thread, replaced whenever the log records something
  about the request, or a message or file of its thread is saved: replies, notes,
  status changes, timeline entries;
- the language, the page's absolute address (the page prints it) and the path it was
  asked at (its sign-in link returns there).

A token is replaced as soon as the change is saved and once more when its transaction
commits, so a page rendered from the data before the commit never outlives it. Signed-in
people (the requester, staff, anyone who may say "me too") always get a freshly rendered
page; so do private requests, which anonymous visitors cannot see at all. The site's
header (navigation, language form with its CSRF token, messages) is rendered for each
visitor, never kept.

What the key does not see — a staff member renaming their public profile, an agency
changing its services' questions, the original of a duplicate turning private, a due time
becoming "in 2 hours" — shows within the page's lifetime. Anything added to
`_request_status.html` that depends on the viewer must be shown to signed-in people only
(anonymous visitors all get the same kept page). The cache must be shared by every process that serves pages (Redis, with
REDIS_URL): with a per-process cache one worker would not hear of another's writes, so
settings turn this off there.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from townhall.activity.models import Activity
from townhall.commitments.models import Commitment
from townhall.conversations.models import Attachment, Message

from .models import ServiceRequest

__all__ = ["connect", "forget_request", "forget_thread", "is_enabled", "page_key"]

PREFIX = "status-page"
# Every column of a commitment: any change to one gives its request's page a new key.
COMMITMENT_COLUMNS = tuple(field.attname for field in Commitment._meta.concrete_fields)


def is_enabled() -> bool:
    return bool(getattr(settings, "STATUS_PAGE_CACHE_SECONDS", 0))


def _token_key(kind: str, pk: Any) -> str:
    return f"{PREFIX}:token:{kind}:{pk}"


def _tokens(service_request: ServiceRequest) -> tuple[str, str]:
    """The request's and its thread's current tokens (made when missing)."""
    keys = [
        _token_key("request", service_request.pk),
        _token_key("thread", service_request.thread_id),
    ]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # `add`: two readers making a token at once agree on the one that was stored.
            cache.add(key, secrets.token_hex(8), _token_lifetime())
            found[key] = cache.get(key, "")
    return str(found[keys[0]]), str(found[keys[1]])


def _row(instance: Any) -> tuple[Any, ...]:
    if instance is None:
        return ()
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def page_key(service_request: ServiceRequest, page_url: str, path: str) -> str:
    """Where the anonymous page of this request, as read now, is kept (`path`: the
    address it was asked at, which its sign-in link returns to). One query: the rows of
    the request's commitments."""
    request_token, thread_token = _tokens(service_request)
    commitments = list(
        Commitment.objects.filter(
            subject_type=ContentType.objects.get_for_model(ServiceRequest),
            subject_id=str(service_request.pk),
        )
        .order_by("pk")
        .values_list(*COMMITMENT_COLUMNS)
    )
    parts = (
        _row(service_request),
        commitments,
        _row(service_request.service),
        _row(service_request.agency),
        _row(service_request.assignee),
        _row(service_request.team),
        request_token,
        thread_token,
        translation.get_language(),
        page_url,
        path,
    )
    digest = hashlib.sha256(repr(parts).encode("utf-8", "replace")).hexdigest()
    return f"{PREFIX}:page:{service_request.pk}:{digest}"


def get(key: str) -> SafeString | None:
    body = cache.get(key)
    return mark_safe(body) if isinstance(body, str) else None  # noqa: S308 - our own render


def keep(key: str, body: str) -> None:
    cache.set(key, str(body), settings.STATUS_PAGE_CACHE_SECONDS)


# --- forgetting ---------------------------------------------------------------------------


def _token_lifetime() -> int:
    # Any token may go (expire, be evicted): the next is new and random, so pages kept
    # under the old one are simply never read again. It lives as long as two pages.
    return 2 * int(settings.STATUS_PAGE_CACHE_SECONDS)


def _replace(key: str) -> None:
    cache.set(key, secrets.token_hex(8), _token_lifetime())


def _replace_now_and_on_commit(key: str) -> None:
    if not is_enabled():
        return
    _replace(key)
    transaction.on_commit(lambda: _replace(key))


def forget_request(pk: Any) -> None:
    """Something about the request changed: its kept pages are no longer used."""
    _replace_now_and_on_commit(_token_key("request", pk))


def forget_thread(pk: Any) -> None:
    """A message or file of the thread changed."""
    _replace_now_and_on_commit(_token_key("thread", pk))


def _on_activity(sender: Any, instance: Activity, created: bool, **kwargs: Any) -> None:
    # Entries about the request's commitments need nothing here: the key reads the
    # commitments' rows themselves.
    if not is_enabled() or not instance.target_id:
        return
    if instance.target_type_id == ContentType.objects.get_for_model(ServiceRequest).pk:
        forget_request(instance.target_id)


def _on_message(sender: Any, instance: Message | Attachment, **kwargs: Any) -> None:
    if is_enabled() and instance.thread_id is not None:
        forget_thread(instance.thread_id)


def connect() -> None:
    """Listen for the writes that change a status page (called from the app's `ready`)."""
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_on_activity, sender=Activity, dispatch_uid="status-page-activity")
    for model in (Message, Attachment):
        post_save.connect(_on_message, sender=model, dispatch_uid=f"status-page-{model.__name__}")
        post_delete.connect(
            _on_message, sender=model, dispatch_uid=f"status-page-{model.__name__}-delete"
        )
