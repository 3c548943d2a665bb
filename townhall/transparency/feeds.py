"""Atom feeds of public records: an agency's public activity, a service's new public
requests, one public request's timeline, and what happens to consultations (site-wide or
one agency's).

Each feed reads through the same queries as the page it follows, as an anonymous visitor,
so a feed never shows what that page would not show to someone signed out. Entries name
staff by their work name; a citizen's name or email is never written. Entry ids are tag
URIs (RFC 4151) on the site's own host name, so they stay the same whatever address a
reader used to fetch the feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from townhall.activity.models import Activity, Visibility
from townhall.agencies import queries as agency_queries
from townhall.agencies.models import Agency, Service
from townhall.consultations import queries as consultation_queries
from townhall.consultations.models import Consultation, ConsultationVersion, Document
from townhall.service_requests import queries as request_queries
from townhall.service_requests.models import ServiceRequest

# How many entries a feed carries (newest first).
SERVICE_FEED_LIMIT = 50
CONSULTATION_FEED_LIMIT = 50
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


@dataclass(frozen=True)
class ConsultationEvent:
    """Something that happened to a public consultation, as a feed entry."""

    kind: str  # published, opened, revised, closed, responded, document
    at: datetime
    consultation: Consultation
    version: int = 0
    document: Document | None = None


def consultation_events(
    agency: Agency | None = None, consultation: Consultation | None = None
) -> list[ConsultationEvent]:
    """The newest CONSULTATION_FEED_LIMIT events of the consultations a visitor sees
    (`visible_to(None)`): published, opened for comments (when that came after
    publishing), revised, closed, response published; for one consultation also the
    documents attached to it. Five queries (six for one consultation), newest first."""
    now = timezone.now()
    found = consultation_queries.consultations_visible_to(_anonymous())
    if agency is not None:
        found = found.filter(agency=agency)
    if consultation is not None:
        found = found.filter(pk=consultation.pk)
    limit = CONSULTATION_FEED_LIMIT
    events = [
        ConsultationEvent("published", c.published_at, c)  # type: ignore[arg-type]
        for c in found.order_by("-published_at", "-pk")[:limit]
    ]
    events += [
        ConsultationEvent("opened", c.opens_at, c)
        for c in found.filter(opens_at__lte=now, opens_at__gt=F("published_at")).order_by(
            "-opens_at", "-pk"
        )[:limit]
    ]
    events += [
        ConsultationEvent("closed", c.closes_at, c)
        for c in found.filter(closes_at__lte=now).order_by("-closes_at", "-pk")[:limit]
    ]
    events += [
        ConsultationEvent("responded", c.response_published_at, c)  # type: ignore[arg-type]
        for c in found.filter(
            response_published_at__isnull=False, response_published_at__lte=now
        ).order_by("-response_published_at", "-pk")[:limit]
    ]
    versions = (
        ConsultationVersion.objects.filter(
            consultation__in=found.values("pk"),
            number__gt=1,
            published_at__lte=now,
            published_at__gt=F("consultation__published_at"),
        )
        .select_related("consultation__agency", "consultation__current_version")
        .order_by("-published_at", "-pk")[:limit]
    )
    events += [
        ConsultationEvent("revised", v.published_at, v.consultation, v.number) for v in versions
    ]
    if consultation is not None:
        documents = Document.objects.filter(
            consultation__in=found.values("pk"), is_withdrawn=False
        ).order_by("-uploaded_at", "-pk")[:limit]
        events += [
            ConsultationEvent("document", d.uploaded_at, consultation, document=d)
            for d in documents
        ]
    events.sort(key=lambda e: (e.at, e.consultation.pk, e.version), reverse=True)
    return events[:limit]


class ConsultationsFeed(_AtomFeed):
    """/feeds/consultations.atom and /feeds/agencies/<slug>/consultations.atom: new
    consultations, opened, revised, closed, and their published responses. Drafts never
    appear; nor does anything a participant wrote."""

    def get_object(self, request: HttpRequest, slug: str = "") -> Agency | None:  # type: ignore[override]
        if not slug:
            return None
        return get_object_or_404(Agency.objects.published(), slug=slug)

    def title(self, obj: Agency | None) -> str:
        if obj is None:
            return _("Consultations")
        return _("%(agency)s: consultations") % {"agency": obj.name}

    def subtitle(self, obj: Agency | None) -> str:
        return _(
            "New consultations, opened for comments, revised, closed, and the responses "
            "published, newest first."
        )

    def link(self, obj: Agency | None) -> str:
        url = reverse("consultations:consultation-list")
        return f"{url}?agency={obj.slug}" if obj is not None else url

    def feed_guid(self, obj: Agency | None) -> str:
        if obj is None:
            return tag_uri(TAG_DATE, "consultations")
        return tag_uri(TAG_DATE, f"agency/{obj.pk}/consultations")

    def items(self, obj: Agency | None) -> list[ConsultationEvent]:
        return consultation_events(obj)

    def item_title(self, item: ConsultationEvent) -> str:
        titles = {
            "published": _("New consultation: %(title)s"),
            "opened": _("Open for comments: %(title)s"),
            "revised": _("Revised (version %(version)s): %(title)s"),
            "closed": _("Closed: %(title)s"),
            "responded": _("Response published: %(title)s"),
        }
        if item.document is not None:
            return Truncator(
                _("New document: %(document)s") % {"document": item.document.title}
            ).chars(TITLE_LENGTH)
        return Truncator(
            titles[item.kind] % {"title": item.consultation.title, "version": item.version}
        ).chars(TITLE_LENGTH)

    def item_description(self, item: ConsultationEvent) -> str:
        consultation = item.consultation
        if item.document is not None:
            return _("A document was attached to the consultation “%(title)s”.") % {
                "title": consultation.title
            }
        if item.kind == "responded":
            return Truncator(consultation.response_summary).chars(500) or consultation.summary
        return _("%(summary)s (%(agency)s; open for comments %(opens)s to %(closes)s)") % {
            "summary": Truncator(consultation.summary).chars(500),
            "agency": consultation.agency.name,
            "opens": consultation.opens_at.date().isoformat(),
            "closes": consultation.closes_at.date().isoformat(),
        }

    def item_link(self, item: ConsultationEvent) -> str:
        pk = item.consultation.pk
        if item.document is not None:
            return reverse(
                "consultations:document-download",
                kwargs={"pk": pk, "doc_pk": item.document.pk},
            )
        if item.kind == "responded":
            return reverse("consultations:consultation-response", kwargs={"pk": pk})
        if item.kind == "revised":
            return reverse("consultations:version-diff", kwargs={"pk": pk, "number": item.version})
        return item.consultation.get_absolute_url()

    def item_pubdate(self, item: ConsultationEvent) -> datetime:
        return item.at

    def item_updateddate(self, item: ConsultationEvent) -> datetime:
        return item.at

    def item_guid(self, item: ConsultationEvent) -> str:
        specific = f"consultation/{item.consultation.pk}/{item.kind}"
        if item.kind == "revised":
            specific = f"consultation/{item.consultation.pk}/version/{item.version}"
        if item.document is not None:
            specific = f"consultation/{item.consultation.pk}/document/{item.document.pk}"
        return tag_uri(item.at, specific)

    def item_author_name(self, item: ConsultationEvent) -> str:
        return item.consultation.agency.name


class ConsultationUpdatesFeed(ConsultationsFeed):
    """/feeds/consultations/<id>.atom: one public consultation's updates (published,
    opened, revised, documents attached, closed, answered). A draft is not found (404)."""

    def get_object(self, request: HttpRequest, pk: int) -> Consultation:  # type: ignore[override]
        return get_object_or_404(
            consultation_queries.consultations_visible_to(_anonymous()).select_related("agency"),
            pk=pk,
        )

    def title(self, obj: Consultation) -> str:  # type: ignore[override]
        return _("Consultation: %(title)s") % {"title": obj.title}

    def subtitle(self, obj: Consultation) -> str:  # type: ignore[override]
        return _("What happened to this consultation, newest first.")

    def link(self, obj: Consultation) -> str:  # type: ignore[override]
        return obj.get_absolute_url()

    def feed_guid(self, obj: Consultation) -> str:  # type: ignore[override]
        return tag_uri(TAG_DATE, f"consultation/{obj.pk}/updates")

    def items(self, obj: Consultation) -> list[ConsultationEvent]:  # type: ignore[override]
        return consultation_events(consultation=obj)
