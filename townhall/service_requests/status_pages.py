"""The public status page as anonymous visitors see it, kept rendered in the cache.

Most readers of `/requests/<reference>/` are not signed in, and for them the page depends
only on the request (and the language and address it is read in). So the whole page —
the site's header and footer included — is rendered once and kept for
`settings.STATUS_PAGE_CACHE_SECONDS`. A visit costs one query (the request's own row, read
as visible to anonymous visitors: a request made private is a 404 at once) and one round
trip to the cache. The page is kept under a key made of:

- that row: any change to it gives a new key, whoever made it — a status, a holder, a
  team, a "me too", an expected date;
- the language, the page's absolute address (the page prints it) and its path (its
  sign-in link and language form return there);

and is used only while two tokens are the ones it was rendered under: one per request,
replaced whenever the log records something about the request or about one of its
commitments (made, kept, broken by the scheduled check, renegotiated — each is logged),
and one per thread, replaced whenever a message or file of its thread is saved.

The one part of the page that is each visitor's own, the CSRF token of the language form,
is kept as a random mark and replaced by the visitor's token when the page is served.
A visitor with a message waiting (after signing out, say) or an address with a query
string gets a page rendered afresh, which is not kept.

A token is replaced when the change's transaction commits: a page kept before that was kept
with the old token, so a page rendered from the data before the commit is not used again. Signed-in
people (the requester, staff, anyone who may say "me too") always get a freshly rendered
page; so do private requests, which anonymous visitors cannot see at all.

What the key does not see — the service, agency or team renamed, a staff member renaming
their public profile, an agency changing its services' questions, the original of a
duplicate turning private, a due time becoming "in 2 hours" — shows within the page's
lifetime. Anything added to the page that depends on the viewer must be shown to
signed-in people only (anonymous visitors all get the same kept page). The cache must be
shared by every process that serves pages (Redis, with REDIS_URL): with a per-process
cache one worker would not hear of another's writes, so settings turn this off there.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from townhall.activity.models import Activity
from townhall.commitments.models import Commitment
from townhall.conversations.models import Attachment, Message

from .models import ServiceRequest

__all__ = [
    "Lookup",
    "connect",
    "csrf_mark",
    "forget_request",
    "forget_thread",
    "is_enabled",
    "keep",
    "kept_response",
    "look_up",
    "serve",
]

PREFIX = "status-page"


def is_enabled() -> bool:
    return bool(getattr(settings, "STATUS_PAGE_CACHE_SECONDS", 0))


def _token_key(kind: str, pk: Any) -> str:
    return f"{PREFIX}:token:{kind}:{pk}"


def _row(instance: Any) -> tuple[Any, ...]:
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


@dataclass(frozen=True)
class Lookup:
    """Where the anonymous page of a request, as read now, is kept; the request's and
    its thread's tokens at the time; and what was found there (None: nothing usable)."""

    key: str
    tokens: tuple[str, str]
    found: tuple[str, str] | None


def look_up(service_request: ServiceRequest, page_url: str, path: str) -> Lookup:
    """The kept page of this request (its own row as read for this view) for this
    language, address and path (`path`: the address it was asked at). One round trip to
    the cache (one more for each token that must be made); no query."""
    parts = (_row(service_request), translation.get_language(), page_url, path)
    digest = hashlib.sha256(repr(parts).encode("utf-8", "replace")).hexdigest()
    key = f"{PREFIX}:page:{service_request.pk}:{digest}"
    token_keys = [
        _token_key("request", service_request.pk),
        _token_key("thread", service_request.thread_id),
    ]
    found = cache.get_many([*token_keys, key])
    for token_key in token_keys:
        if token_key not in found:
            # `add`: two readers making a token at once agree on the one that was stored
            # (the one who lost reads the winner's).
            token = secrets.token_hex(8)
            if cache.add(token_key, token, _token_lifetime()):
                found[token_key] = token
            else:
                found[token_key] = cache.get(token_key, "")
    tokens = (str(found[token_keys[0]]), str(found[token_keys[1]]))
    kept = found.get(key)
    page = None
    # Kept as (request token, thread token, CSRF mark, page): usable while both tokens
    # are the ones it was rendered under.
    if isinstance(kept, tuple) and len(kept) == 4 and tuple(kept[:2]) == tokens:
        page = (str(kept[2]), str(kept[3]))
    return Lookup(key, tokens, page)


def csrf_mark() -> str:
    """What a page to keep carries instead of a visitor's CSRF token."""
    return f"csrf-mark-{secrets.token_hex(16)}"


def keep(lookup: Lookup, mark: str, page: str) -> None:
    """Keep `page`, rendered after `lookup` and carrying `mark` for the CSRF token."""
    cache.set(lookup.key, (*lookup.tokens, mark, str(page)), settings.STATUS_PAGE_CACHE_SECONDS)


def serve(page: str, mark: str, request: HttpRequest) -> HttpResponse:
    """The page for this visitor: their own CSRF token in place of the mark."""
    return HttpResponse(page.replace(mark, get_token(request)))


def kept_response(lookup: Lookup, request: HttpRequest) -> HttpResponse | None:
    if lookup.found is None:
        return None
    mark, page = lookup.found
    return serve(page, mark, request)


# --- forgetting ---------------------------------------------------------------------------


def _token_lifetime() -> int:
    # Any token may go (expire, be evicted): the next is new and random, so pages kept
    # under the old one are simply never read again. It lives as long as two pages.
    return 2 * int(settings.STATUS_PAGE_CACHE_SECONDS)


def _replace(key: str) -> None:
    cache.set(key, secrets.token_hex(8), _token_lifetime())


def _replace_on_commit(key: str) -> None:
    # Once the change is visible to others: a page rendered before that was kept with
    # the old token, so it is not used again (a page kept after it has the new one).
    if is_enabled():
        transaction.on_commit(lambda: _replace(key))


def forget_request(pk: Any) -> None:
    """Something about the request changed: its kept pages are no longer used."""
    _replace_on_commit(_token_key("request", pk))


def forget_thread(pk: Any) -> None:
    """A message or file of the thread changed."""
    _replace_on_commit(_token_key("thread", pk))


def _on_activity(sender: Any, instance: Activity, created: bool, **kwargs: Any) -> None:
    if not is_enabled() or not instance.target_id:
        return
    if instance.target_type_id == ContentType.objects.get_for_model(ServiceRequest).pk:
        forget_request(instance.target_id)
    elif instance.target_type_id == ContentType.objects.get_for_model(Commitment).pk:
        # A promise about a request was made, kept, broken, renegotiated...: the log
        # records each change (the scheduled check's too), so its request's pages go.
        commitment = Activity._meta.get_field("target").get_cached_value(instance, None)
        if not isinstance(commitment, Commitment):
            commitment = Commitment.objects.filter(pk=instance.target_id).first()
        request_type = ContentType.objects.get_for_model(ServiceRequest)
        if commitment is not None and commitment.subject_type_id == request_type.pk:
            forget_request(commitment.subject_id)


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
