"""Thread kinds owned by apps above conversations.

A service request's replies are a thread of kind ``request`` (decision 0006), but who may
read it is the request's rule, which lives in `service_requests`, a layer above. That app
tells conversations, once at start-up, how to find the threads a person may read and
where a thread is shown, so that moderation (flagging, the author's notices) works on
those threads too without conversations importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

# person -> a queryset of thread ids that person may read (usable in `thread__in=`).
ReadableThreads = Callable[[Any], QuerySet[Any]]
# thread -> the page that shows it.
ThreadUrl = Callable[[Any], str]


@dataclass(frozen=True)
class OwnedThreadKind:
    readable: ReadableThreads
    url: ThreadUrl


_KINDS: dict[str, OwnedThreadKind] = {}


def register_thread_kind(kind: str, *, readable: ReadableThreads, url: ThreadUrl) -> None:
    """Say who may read threads of `kind` and where one is shown."""
    _KINDS[kind] = OwnedThreadKind(readable=readable, url=url)


def owned_kind(kind: str) -> OwnedThreadKind | None:
    return _KINDS.get(kind)


def owned_kinds() -> dict[str, OwnedThreadKind]:
    return dict(_KINDS)
