"""Atom feeds of an agency's public activity, a service's new requests and one request's
timeline: valid Atom (parsed with feedparser), public records only, no citizen names."""

from __future__ import annotations

from typing import Any

import feedparser
import pytest
from django.urls import reverse

from townhall.agencies.models import Agency
from townhall.service_requests import actions as request_actions

pytestmark = pytest.mark.django_db

# What a feed never shows of a citizen: email addresses and legal names. (A citizen's
# public display name appears where the public pages show it too, in an activity summary
# such as "Alex Park filed ..."; it is never an entry's author.)
CITIZEN_DETAILS = ("alex@example.org", "bea@example.org", "Alexandra Legal-Park")


@pytest.fixture(autouse=True)
def _citizen_legal_name(citizen: Any) -> None:
    citizen.legal_name = "Alexandra Legal-Park"
    citizen.save(update_fields=["legal_name"])


def _parse(response: Any) -> Any:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _no_citizen_details(response: Any) -> None:
    body = response.content.decode()
    for detail in CITIZEN_DETAILS:
        assert detail not in body
    for entry in feedparser.parse(response.content).entries:
        assert entry.get("author") not in ("Alex Park", "Bea Lopez")


def _agency_feed(agency: Agency) -> str:
    return reverse("transparency:agency-feed", kwargs={"slug": agency.slug})


def _request_feed(reference: str) -> str:
    return reverse("transparency:request-feed", kwargs={"reference": reference})


def _service_feed(service: Any) -> str:
    return reverse(
        "transparency:service-feed", kwargs={"slug": service.agency.slug, "code": service.code}
    )


# --- an agency's public activity ------------------------------------------------------------


def test_agency_feed_lists_public_activity_with_the_staff_work_name(
    client: Any, agency: Agency, foi_request: Any, staff_member: Any
) -> None:
    request_actions.take_request(by=staff_member.user, request=foi_request)
    response = client.get(_agency_feed(agency))
    parsed = _parse(response)
    assert parsed.feed.title == "Public Works: public activity"
    assert parsed.feed.id.startswith("tag:")
    assert parsed.entries, "the public FOI request's activity is listed"
    authors = {entry.get("author") for entry in parsed.entries}
    assert "Sam Rivera" in authors
    ids = [entry.id for entry in parsed.entries]
    assert all(entry_id.startswith("tag:") for entry_id in ids)
    assert len(ids) == len(set(ids))
    for entry in parsed.entries:
        assert entry.link.endswith(agency.get_absolute_url())
        assert entry.updated_parsed is not None
        assert entry.summary
    _no_citizen_details(response)


def test_agency_feed_leaves_out_private_requests_activity(
    client: Any, agency: Agency, pothole_request: Any, staff_member: Any
) -> None:
    request_actions.take_request(by=staff_member.user, request=pothole_request)
    parsed = _parse(client.get(_agency_feed(agency)))
    assert not any(pothole_request.reference in entry.title for entry in parsed.entries)
    assert not any(pothole_request.reference in entry.summary for entry in parsed.entries)


def test_agency_feed_ids_are_stable(client: Any, agency: Agency, foi_request: Any) -> None:
    first = [entry.id for entry in _parse(client.get(_agency_feed(agency))).entries]
    again = [
        entry.id
        for entry in _parse(client.get(_agency_feed(agency), HTTP_HOST="localhost")).entries
    ]
    assert first == again


def test_unpublished_agency_has_no_feed(client: Any, agency: Agency, foi_request: Any) -> None:
    Agency.objects.filter(pk=agency.pk).update(is_published=False)
    assert client.get(_agency_feed(agency)).status_code == 404
    assert client.get(_service_feed(foi_request.service)).status_code == 404


def test_unknown_agency_feed_is_404(client: Any, db: Any) -> None:
    assert client.get("/feeds/agencies/no-such-agency.atom").status_code == 404


def test_agency_feed_costs_a_fixed_number_of_queries(
    client: Any,
    agency: Agency,
    citizen: Any,
    foi_service: Any,
    staff_member: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(6):
        filed = request_actions.file_request(
            by=citizen, service=foi_service, description=f"Contracts number {n}."
        )
        request_actions.take_request(by=staff_member.user, request=filed)
    with django_assert_max_num_queries(3):  # the agency, the site, the entries
        parsed = _parse(client.get(_agency_feed(agency)))
    assert len(parsed.entries) == 20  # the agency page's limit


# --- a service's new public requests -------------------------------------------------------


def test_service_feed_lists_public_requests_newest_first(
    client: Any, citizen: Any, citizen2: Any, foi_service: Any
) -> None:
    first = request_actions.file_request(
        by=citizen, service=foi_service, description="Every road repair contract."
    )
    second = request_actions.file_request(
        by=citizen2, service=foi_service, description="The snow-plough budget."
    )
    response = client.get(_service_feed(foi_service))
    parsed = _parse(response)
    assert [entry.title.split(":")[0] for entry in parsed.entries] == [
        second.reference,
        first.reference,
    ]
    assert parsed.entries[0].link.endswith(second.get_absolute_url())
    assert "snow-plough budget" in parsed.entries[0].summary
    assert parsed.entries[0].id.startswith("tag:")
    _no_citizen_details(response)


def test_service_feed_never_lists_private_requests(
    client: Any, file_pothole: Any, pothole_service: Any
) -> None:
    private = file_pothole()
    public = file_pothole(is_public=True, description="A public pothole on Elm St.")
    response = client.get(_service_feed(pothole_service))
    parsed = _parse(response)
    titles = " ".join(entry.title for entry in parsed.entries)
    assert public.reference in titles
    assert private.reference not in response.content.decode()
    assert "number 12" not in response.content.decode()
    _no_citizen_details(response)


def test_unknown_service_feed_is_404(client: Any, agency: Agency) -> None:
    url = reverse("transparency:service-feed", kwargs={"slug": agency.slug, "code": "nope"})
    assert client.get(url).status_code == 404


def test_service_feed_costs_a_fixed_number_of_queries(
    client: Any, citizen: Any, foi_service: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        request_actions.file_request(by=citizen, service=foi_service, description=f"Item {n}.")
    with django_assert_max_num_queries(3):  # the service, the site, the requests
        parsed = _parse(client.get(_service_feed(foi_service)))
    assert len(parsed.entries) == 5


# --- one request's timeline ----------------------------------------------------------------


def test_request_feed_shows_the_public_timeline(
    client: Any, foi_request: Any, staff_member: Any
) -> None:
    request_actions.take_request(by=staff_member.user, request=foi_request)
    response = client.get(_request_feed(foi_request.reference))
    parsed = _parse(response)
    assert parsed.feed.title.startswith(foi_request.reference)
    assert len(parsed.entries) >= 2
    assert parsed.entries[0].get("author") == "Sam Rivera"  # newest first: the take
    for entry in parsed.entries:
        assert entry.link.endswith(foi_request.get_absolute_url())
        assert entry.id.startswith("tag:")
    _no_citizen_details(response)


def test_private_request_feed_is_404_even_for_its_requester(
    client: Any, citizen: Any, pothole_request: Any
) -> None:
    assert client.get(_request_feed(pothole_request.reference)).status_code == 404
    client.force_login(citizen)
    assert client.get(_request_feed(pothole_request.reference)).status_code == 404


def test_malformed_reference_feed_is_404(client: Any, db: Any) -> None:
    assert client.get(_request_feed("not-a-reference")).status_code == 404


def test_internal_notes_never_reach_the_request_feed(
    client: Any, foi_request: Any, staff_member: Any
) -> None:
    request_actions.add_internal_note(
        by=staff_member.user, request=foi_request, body="Secret: check the 2019 ledger."
    )
    response = client.get(_request_feed(foi_request.reference))
    _parse(response)
    assert "2019 ledger" not in response.content.decode()


def test_request_feed_costs_a_fixed_number_of_queries(
    client: Any, foi_request: Any, staff_member: Any, django_assert_max_num_queries: Any
) -> None:
    request_actions.take_request(by=staff_member.user, request=foi_request)
    for n in range(4):
        request_actions.reply_to_request(
            by=staff_member.user, request=foi_request, body=f"Update {n}."
        )
    with django_assert_max_num_queries(4):
        _parse(client.get(_request_feed(foi_request.reference)))


# --- pages point to their feeds ------------------------------------------------------------


def test_pages_link_to_their_feeds(
    client: Any, agency: Agency, foi_request: Any, pothole_request: Any, citizen: Any
) -> None:
    page = client.get(agency.get_absolute_url()).content.decode()
    assert 'type="application/atom+xml"' in page and _agency_feed(agency) in page
    page = client.get(foi_request.service.get_absolute_url()).content.decode()
    assert _service_feed(foi_request.service) in page
    page = client.get(foi_request.get_absolute_url()).content.decode()
    assert _request_feed(foi_request.reference) in page
    client.force_login(citizen)
    page = client.get(pothole_request.get_absolute_url()).content.decode()
    assert _request_feed(pothole_request.reference) not in page
