"""What the API lets a person follow, by kind, and how each kind is found and described
as the caller may see it (a request by its reference, an agency by its slug, a
conversation or a public discussion by its id)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404

from townhall.activity.models import Follow
from townhall.agencies.models import Agency
from townhall.conversations.models import Thread
from townhall.service_requests import queries as request_queries
from townhall.service_requests.models import ServiceRequest

KINDS = ("request", "conversation", "discussion", "agency")


@dataclass(frozen=True)
class Described:
    """A followed object as the caller sees it; `title` and `url` are empty when it is
    gone or the caller can no longer see it (they can still stop following it)."""

    kind: str
    title: str
    url: str
    reference: str  # how `POST /follows/` names it: a reference, an id or a slug


def find(kind: str, identifier: str, user: Any) -> models.Model:
    """The object of `kind` named `identifier`, when `user` may see it; Http404 else."""
    if kind == "request":
        return request_queries.get_visible_request(identifier, user)
    if kind == "agency":
        agency = Agency.objects.published().filter(slug=identifier).first()
        if agency is None:
            raise Http404("No such agency.")
        return agency
    if not identifier.isdigit() or len(identifier) > 18:
        raise Http404("No such thread.")
    threads = (
        Thread.objects.visible_to(user)
        if kind == "conversation"
        else Thread.objects.discussions_visible_to(user)
    )
    thread = threads.filter(pk=int(identifier)).first()
    if thread is None:
        raise Http404("No such thread.")
    return thread


def _thread_kind(thread: Thread) -> str:
    return "discussion" if thread.is_discussion else "conversation"


def describe(follows: Sequence[Follow], user: Any) -> dict[int, Described]:
    """Each follow's object, described: one or two queries per kind of object, however
    many follows."""
    types = ContentType.objects.get_for_models(ServiceRequest, Thread, Agency)
    by_type: dict[int, list[str]] = defaultdict(list)
    for entry in follows:
        by_type[entry.target_type_id].append(entry.target_id)  # type: ignore[attr-defined]
    found: dict[tuple[int, str], Described] = {}

    request_type = types[ServiceRequest].pk
    if ids := by_type.get(request_type):
        visible = (
            ServiceRequest.objects.visible_to(user)
            .filter(pk__in=[pk for pk in ids if pk.isdigit()])
            .select_related("service")
        )
        for request in visible:
            found[(request_type, str(request.pk))] = Described(
                "request",
                f"{request.reference}: {request.service.name}",
                request.get_absolute_url(),
                request.reference,
            )

    thread_type = types[Thread].pk
    if ids := by_type.get(thread_type):
        numbers = [int(pk) for pk in ids if pk.isdigit()]
        conversations = Thread.objects.visible_to(user).filter(pk__in=numbers)
        discussions = Thread.objects.discussions_visible_to(user).filter(pk__in=numbers)
        for thread in [*conversations, *discussions]:
            found[(thread_type, str(thread.pk))] = Described(
                _thread_kind(thread), thread.title, thread.get_absolute_url(), str(thread.pk)
            )

    agency_type = types[Agency].pk
    if ids := by_type.get(agency_type):
        numbers = [int(pk) for pk in ids if pk.isdigit()]
        for agency in Agency.objects.published().filter(pk__in=numbers):
            found[(agency_type, str(agency.pk))] = Described(
                "agency", agency.name, agency.get_absolute_url(), agency.slug
            )

    kind_of_type = {request_type: "request", thread_type: "conversation", agency_type: "agency"}
    described: dict[int, Described] = {}
    for entry in follows:
        key = (entry.target_type_id, entry.target_id)  # type: ignore[attr-defined]
        described[entry.pk] = found.get(
            key, Described(kind_of_type.get(key[0], "other"), "", "", "")
        )
    return described
