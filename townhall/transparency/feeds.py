"""Atom feeds of public records: an agency's public activity, a service's new public
requests and one public request's timeline.

Each feed reads through the same queries as the page it follows, as an anonymous visitor,
so a feed never shows what that page would not show to someone signed out. Entries name
staff by their work name; a citizen's name or email is never written. Entry ids are tag
URIs (RFC 4151) on the site's own host name, so they stay the same whatever address a
reader used to fetch the feed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from townhall.activity.models import Activity, Visibility
from townhall.agencies import queries as agency_queries
from townhall.agencies.models import Agency, Service
from townhall.service_requests import queries as request_queries
from townhall.service_requests.models import ServiceRequest

# How many entries a feed carries (newest first).
SERVICE_FEED_LIMIT = 50
TITLE_LENGTH = 100
# What the anonymous status page shows of a request's timeline (service_requests.views).
PUBLIC_TIMELINE = frozenset({Visibility.PUBLIC, Visibility.PARTICIPANTS})


# The date in the ids of records that keep no creation date (agencies, services).
TAG_DATE = date(2026, 1, 1)


def tag_uri(day: date, specific: str) -> str:
    """A stable entry or feed id: `tag:<site host>,<YYYY-MM-DD>:<specific>`."""
    if isinstance(day, datetime):
        day = day.astimezone(UTC).date()
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},{day.isoformat()}:{specific}"


def _anonymous() -> AnonymousUser:
    return AnonymousUser()


def _linked(entries: list[Activity], page: Agency | ServiceRequest) -> list[Activity]:
    """Give each entry the address of the page it belongs to (the feed's page)."""
    url = page.get_absolute_url()
    for entry in entries:
        entry.page_url = url  # type: ignore[attr-defined]
    return entries


class _AtomFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def author_name(self, obj: Any) -> str:
        return str(settings.SITE_NAME)


class _ActivityEntries:
    """Entries that are activity log rows (an agency's, a request's)."""

    def item_title(self, item: Activity) -> str:
        return Truncator(item.summary).chars(TITLE_LENGTH)

    def item_description(self, item: Activity) -> str:
        return item.summary

    def item_pubdate(self, item: Activity) -> datetime:
        return item.occurred_at

    def item_updateddate(self, item: Activity) -> datetime:
        return item.occurred_at

    def item_guid(self, item: Activity) -> str:
        return tag_uri(item.occurred_at, f"activity/{item.pk}")

    def item_link(self, item: Activity) -> str:
        return str(getattr(item, "page_url", ""))

    def item_author_name(self, item: Activity) -> str | None:
        """The staff member's work name; nobody for a citizen's own action (the feed's
        author, the site, stands for the entry)."""
        return item.persona.public_name if item.persona_id and item.persona else None


class AgencyActivityFeed(_ActivityEntries, _AtomFeed):
    """/feeds/agencies/<slug>.atom: what the agency page lists as recent public activity."""

    def get_object(self, request: HttpRequest, slug: str) -> Agency:  # type: ignore[override]
        return get_object_or_404(Agency.objects.published(), slug=slug)

    def title(self, obj: Agency) -> str:
        return _("%(agency)s: public activity") % {"agency": obj.name}

    def subtitle(self, obj: Agency) -> str:
        return _("What %(agency)s did in public, newest first.") % {"agency": obj.name}

    def link(self, obj: Agency) -> str:
        return obj.get_absolute_url()

    def feed_guid(self, obj: Agency) -> str:
        return tag_uri(TAG_DATE, f"agency/{obj.pk}/activity")

    def items(self, obj: Agency) -> list[Activity]:
        # The agency page's query; every field (not just what the page prints) and the
        # acting persona, so the author costs no query per entry.
        entries = agency_queries.recent_public_activity(obj, _anonymous())
        return _linked(list(entries.defer(None).select_related("persona")), obj)


class ServiceRequestsFeed(_AtomFeed):
    """/feeds/services/<agency slug>/<code>.atom: the newest public requests of a service.
    Private requests never appear; neither does who filed a request."""

    def get_object(self, request: HttpRequest, slug: str, code: str) -> Service:  # type: ignore[override]
        return get_object_or_404(
            Service.objects.active().select_related("agency"),
            agency__slug=slug,
            agency__is_published=True,
            code=code,
        )

    def title(self, obj: Service) -> str:
        return _("%(service)s, %(agency)s: new requests") % {
            "service": obj.name,
            "agency": obj.agency.name,
        }

    def subtitle(self, obj: Service) -> str:
        return _("The newest public requests, newest first.")

    def link(self, obj: Service) -> str:
        return obj.get_absolute_url()

    def feed_guid(self, obj: Service) -> str:
        return tag_uri(TAG_DATE, f"service/{obj.pk}/requests")

    def items(self, obj: Service) -> list[ServiceRequest]:
        return list(
            ServiceRequest.objects.visible_to(_anonymous())
            .filter(service=obj)
            .select_related("service", "agency")
            .only(
                "pk",
                "reference",
                "description",
                "address",
                "status",
                "submitted_at",
                "status_changed_at",
                "service__name",
                "agency__name",
            )
            .order_by("-submitted_at", "-id")[:SERVICE_FEED_LIMIT]
        )

    def item_title(self, item: ServiceRequest) -> str:
        return f"{item.reference}: {item.service.name}"

    def item_description(self, item: ServiceRequest) -> str:
        text = Truncator(item.description).chars(500)
        if item.address:
            return _("%(text)s (at %(address)s; status: %(status)s)") % {
                "text": text,
                "address": item.address,
                "status": item.get_status_display(),
            }
        return _("%(text)s (status: %(status)s)") % {
            "text": text,
            "status": item.get_status_display(),
        }

    def item_link(self, item: ServiceRequest) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: ServiceRequest) -> datetime:
        return item.submitted_at

    def item_updateddate(self, item: ServiceRequest) -> datetime:
        return max(item.submitted_at, item.status_changed_at)

    def item_guid(self, item: ServiceRequest) -> str:
        return tag_uri(item.submitted_at, f"request/{item.reference}")


class RequestTimelineFeed(_ActivityEntries, _AtomFeed):
    """/feeds/requests/<reference>.atom: a public request's timeline as the status page
    shows it to someone signed out. A private request does not exist here (404)."""

    def get_object(self, request: HttpRequest, reference: str) -> ServiceRequest:  # type: ignore[override]
        return request_queries.get_visible_request(reference, _anonymous())

    def title(self, obj: ServiceRequest) -> str:
        return _("%(reference)s: %(service)s") % {
            "reference": obj.reference,
            "service": obj.service.name,
        }

    def subtitle(self, obj: ServiceRequest) -> str:
        return _("What happened to this request, newest first.")

    def link(self, obj: ServiceRequest) -> str:
        return obj.get_absolute_url()

    def feed_guid(self, obj: ServiceRequest) -> str:
        return tag_uri(obj.submitted_at, f"request/{obj.reference}/timeline")

    def items(self, obj: ServiceRequest) -> list[Activity]:
        entries = request_queries.timeline(obj, _anonymous())
        public = [entry for entry in reversed(entries) if entry.visibility in PUBLIC_TIMELINE]
        return _linked(public, obj)
