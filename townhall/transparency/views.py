"""Feeds people subscribe to: the iCalendar feed of a citizen's open commitments (at a
secret address, no sign-in) and the page where they make, copy and revoke that address.

The Atom feeds of public records are in `feeds.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from icalendar import Calendar, Event

from townhall.commitments import queries as commitment_queries
from townhall.commitments.actions import create_calendar_feed, revoke_calendar_feed
from townhall.commitments.models import CalendarFeed, Commitment, CommitmentKind
from townhall.service_requests.models import ServiceRequest


def _what(commitment: Commitment) -> str:
    """What was promised, in the reader's language."""
    if commitment.kind == CommitmentKind.ACKNOWLEDGE:
        return _("Acknowledge your request")
    if commitment.kind == CommitmentKind.RESPOND:
        return _("Answer your request")
    if commitment.kind == CommitmentKind.EXTENSION:
        return _("Answer your request (deadline extended)")
    return commitment.description or _("A promise")


def _held_by(commitment: Commitment) -> str:
    """Who holds the promise, by work name (never a personal name)."""
    persona = commitment.holder or commitment.made_by_persona
    if persona is not None:
        return persona.public_name
    if commitment.team is not None:
        return _("the %(team)s team") % {"team": commitment.team.name}
    return commitment.agency.name


def _request_urls(commitments: list[Commitment], owner: Any) -> dict[str, str]:
    """The status page of each commitment's request, by the request's id (as text).
    One query, whatever the number of commitments."""
    request_type = ContentType.objects.get_for_model(ServiceRequest)
    ids = {c.subject_id for c in commitments if c.subject_type_id == request_type.pk}
    if not ids:
        return {}
    rows = (
        ServiceRequest.objects.visible_to(owner).filter(pk__in=ids).values_list("pk", "reference")
    )
    return {
        str(pk): reverse("requests:request-detail", kwargs={"reference": reference})
        for pk, reference in rows
    }


def _event(commitment: Commitment, page_url: str, host: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"commitment-{commitment.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", commitment.due_at.astimezone(UTC))
    event.add("summary", _what(commitment))
    lines = [
        _("Promised by %(agency)s. Held by %(holder)s.")
        % {"agency": commitment.agency.name, "holder": _held_by(commitment)}
    ]
    if page_url:
        lines.append(_("Follow it at %(url)s") % {"url": page_url})
        event.add("url", page_url)
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


@require_GET
def commitments_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """/feeds/commitments/<token>.ics: the open promises made to the feed's owner, one
    event at each due time. No sign-in: the secret address is the key; an unknown or
    revoked one is 404. Four queries at most, whatever the number of commitments."""
    feed = commitment_queries.live_calendar_feed(token)
    if feed is None:
        raise Http404("No such calendar.")
    owner = feed.owner
    commitments = list(commitment_queries.open_commitments_made_to(owner))
    urls = _request_urls(commitments, owner)
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = datetime.now(UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//Townhall//Commitments//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("%(site)s: promises made to you") % {"site": settings.SITE_NAME})
    for commitment in commitments:
        path = urls.get(commitment.subject_id, "")
        page_url = request.build_absolute_uri(path) if path else ""
        calendar.add_component(_event(commitment, page_url, host, stamp))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="commitments.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _live_feed(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.visible_to(user).live().first()


@never_cache
@login_required
def calendar_feed_manage(request: HttpRequest) -> HttpResponse:
    """/feeds/my-calendar/: make, copy or revoke the secret calendar address."""
    feed = _live_feed(request.user)
    feed_url = (
        request.build_absolute_uri(
            reverse("transparency:commitments-calendar", kwargs={"token": feed.token})
        )
        if feed
        else ""
    )
    return render(
        request, "transparency/calendar_feed_manage.html", {"feed": feed, "feed_url": feed_url}
    )


@login_required
@require_POST
def calendar_feed_create(request: HttpRequest) -> HttpResponse:
    replacing = _live_feed(request.user) is not None
    create_calendar_feed(by=request.user)
    messages.success(
        request,
        _("Your new calendar address is ready. The old one no longer works.")
        if replacing
        else _("Your calendar address is ready. Copy it into your calendar application."),
    )
    return redirect("transparency:calendar-feed-manage")


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.visible_to(request.user), pk=pk)
    revoke_calendar_feed(by=request.user, feed=feed)
    messages.success(
        request, _("The calendar address is revoked. Calendars using it stop updating.")
    )
    return redirect("transparency:calendar-feed-manage")
