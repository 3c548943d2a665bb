"""GET requests: public requests only, no personal data of the requester, the filters
of the specification and the common extensions, a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from .conftest import BASE, parse_xml


@pytest.fixture
def public_pothole(file_pothole: Any) -> Any:
    return file_pothole(is_public=True)


def test_the_list_shows_public_requests_as_the_specification_does(
    client: Any, public_pothole: Any
) -> None:
    response = client.get(f"{BASE}/requests.json")

    assert response.status_code == 200
    (shown,) = response.json()
    assert set(shown) == {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    assert shown["service_request_id"] == public_pothole.reference
    assert shown["status"] == "open"
    assert shown["service_code"] == "pothole"
    assert shown["agency_responsible"] == "Public Works"
    assert shown["lat"] == pytest.approx(39.7817)
    assert shown["long"] == pytest.approx(-89.6501)


def test_the_list_in_xml(client: Any, public_pothole: Any) -> None:
    root = parse_xml(client.get(f"{BASE}/requests.xml"))

    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("service_request_id") == public_pothole.reference
    assert request.findtext("status") == "open"
    assert request.findtext("lat") == "39.7817"


def test_one_request_is_a_list_of_one(client: Any, public_pothole: Any) -> None:
    as_json = client.get(f"{BASE}/requests/{public_pothole.reference}.json").json()
    as_xml = parse_xml(client.get(f"{BASE}/requests/{public_pothole.reference}.xml"))

    assert [r["service_request_id"] for r in as_json] == [public_pothole.reference]
    assert as_xml.tag == "service_requests"
    assert len(as_xml.findall("request")) == 1


def test_private_requests_are_never_listed_nor_shown(
    client: Any, pothole_request: Any, public_pothole: Any
) -> None:
    assert not pothole_request.is_public

    listed = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]
    by_id = client.get(
        f"{BASE}/requests.json", {"service_request_id": pothole_request.reference}
    ).json()
    one = client.get(f"{BASE}/requests/{pothole_request.reference}.json")

    assert listed == [public_pothole.reference]
    assert by_id == []
    assert one.status_code == 404


def test_no_personal_data_of_the_requester_in_any_output(
    client: Any,
    application: Any,
    pothole_service: Any,
    pothole_form: dict[str, Any],
    public_pothole: Any,
    citizen: Any,
) -> None:
    filed = client.post(f"{BASE}/requests.json", pothole_form).json()[0]
    reference = filed["service_request_id"]

    bodies = [
        client.get(f"{BASE}/requests.{fmt}", {"extensions": "true"}).content.decode()
        for fmt in ("json", "xml")
    ] + [
        client.get(f"{BASE}/requests/{ref}.{fmt}", {"extensions": "true"}).content.decode()
        for ref in (reference, public_pothole.reference)
        for fmt in ("json", "xml")
    ]

    for body in bodies:
        for secret in (
            citizen.email,
            citizen.display_name,
            "someone@example.net",
            "john",
            "smith",
            "111111111",
            "tt222111",
            "Open311)",  # the application's holding account
        ):
            assert secret not in body


def test_answered_and_final_statuses_are_closed(
    client: Any, public_pothole: Any, staff_member: Any
) -> None:
    from townhall.service_requests.actions import decline_request

    decline_request(by=staff_member.user, request=public_pothole, reason="A state highway.")

    (shown,) = client.get(f"{BASE}/requests.json").json()

    assert shown["status"] == "closed"
    assert shown["status_notes"] == "A state highway."
    assert client.get(f"{BASE}/requests.json", {"status": "open"}).json() == []
    assert len(client.get(f"{BASE}/requests.json", {"status": "closed,open"}).json()) == 1


def test_the_named_person_holding_it_is_responsible(
    client: Any, public_pothole: Any, staff_member: Any
) -> None:
    from townhall.service_requests.actions import take_request

    take_request(by=staff_member.user, request=public_pothole)

    (shown,) = client.get(f"{BASE}/requests.json").json()

    assert shown["agency_responsible"] == "Public Works: Sam Rivera, Road Maintenance Supervisor"


def test_service_request_id_takes_a_comma_list_and_overrides_other_filters(
    client: Any, file_pothole: Any
) -> None:
    first = file_pothole(is_public=True)
    second = file_pothole(is_public=True, description="Another one by the school")
    long_ago = timezone.now() - dt.timedelta(days=400)
    old = file_pothole(is_public=True, description="Old hole", at=long_ago)

    found = client.get(
        f"{BASE}/requests.json",
        {
            "service_request_id": f"{first.reference},{old.reference},SPR-1999-000001",
            "service_code": "something-else",
        },
    ).json()

    assert {r["service_request_id"] for r in found} == {first.reference, old.reference}
    assert second.reference not in {r["service_request_id"] for r in found}


def test_the_default_window_is_the_last_90_days(client: Any, file_pothole: Any) -> None:
    recent = file_pothole(is_public=True)
    file_pothole(
        is_public=True,
        description="Old hole",
        at=timezone.now() - dt.timedelta(days=120),
    )

    found = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]

    assert found == [recent.reference]


@pytest.mark.parametrize(
    "start",
    ["{day}T00:00:00Z", "{day}T00:00:00.000+00:00", "{day}T00:00:00 00:00", "{day}"],
    ids=["zulu", "fraction-offset", "unencoded-plus", "date-only"],
)
def test_start_and_end_date_select_by_filing_time(
    client: Any, file_pothole: Any, start: str
) -> None:
    then = timezone.now() - dt.timedelta(days=120)
    old = file_pothole(is_public=True, description="Old hole", at=then)
    file_pothole(is_public=True)
    day = (then - dt.timedelta(days=1)).date().isoformat()

    found = client.get(f"{BASE}/requests.json", {"start_date": start.format(day=day)}).json()

    assert [r["service_request_id"] for r in found] == [old.reference]


def test_service_code_filter(client: Any, public_pothole: Any, foi_request: Any) -> None:
    found = client.get(f"{BASE}/requests.json", {"service_code": "foi-public-works"}).json()
    both = client.get(f"{BASE}/requests.json", {"service_code": "foi-public-works,pothole"}).json()

    assert [r["service_request_id"] for r in found] == [foi_request.reference]
    assert len(both) == 2


def test_updated_after_and_before(client: Any, public_pothole: Any) -> None:
    moment = public_pothole.status_changed_at

    after = client.get(
        f"{BASE}/requests.json",
        {"updated_after": (moment - dt.timedelta(seconds=5)).isoformat()},
    ).json()
    later = client.get(
        f"{BASE}/requests.json",
        {"updated_after": (moment + dt.timedelta(seconds=5)).isoformat()},
    ).json()
    before = client.get(
        f"{BASE}/requests.json",
        {"updated_before": (moment - dt.timedelta(seconds=5)).isoformat()},
    ).json()

    assert len(after) == 1
    assert later == []
    assert before == []


def test_paging_newest_first_until_a_short_page(client: Any, file_pothole: Any) -> None:
    now = timezone.now()
    filed = [
        file_pothole(is_public=True, description=f"Hole {n}", at=now - dt.timedelta(hours=n))
        for n in range(5)
    ]

    pages = [
        [
            r["service_request_id"]
            for r in client.get(
                f"{BASE}/requests.json", {"page": str(page), "page_size": "2"}
            ).json()
        ]
        for page in (1, 2, 3, 4)
    ]

    assert pages == [
        [filed[0].reference, filed[1].reference],
        [filed[2].reference, filed[3].reference],
        [filed[4].reference],
        [],
    ]


def test_extensions_add_townhall_detail(client: Any, public_pothole: Any) -> None:
    (plain,) = client.get(f"{BASE}/requests.json").json()
    (extended,) = client.get(f"{BASE}/requests.json", {"extensions": "true"}).json()
    xml = parse_xml(client.get(f"{BASE}/requests.xml", {"extensions": "true"}))

    assert "extended_attributes" not in plain
    detail = extended["extended_attributes"]
    assert detail["townhall_status"] == "submitted"
    assert detail["status_page"].endswith(f"/requests/{public_pothole.reference}/")
    assert xml.findtext("request/extended_attributes/townhall_status") == "submitted"


def test_the_list_costs_a_fixed_number_of_queries(
    client: Any,
    file_pothole: Any,
    staff_member: Any,
    application: Any,
    pothole_form: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    from townhall.service_requests.actions import take_request

    for n in range(8):
        request = file_pothole(is_public=True, description=f"Hole number {n}")
        if n % 2:
            take_request(by=staff_member.user, request=request)
    client.post(f"{BASE}/requests.json", pothole_form)

    with django_assert_max_num_queries(3):
        response = client.get(f"{BASE}/requests.json", {"extensions": "true"})

    assert len(response.json()) == 9


def test_the_service_list_costs_a_fixed_number_of_queries(
    client: Any, pothole_service: Any, foi_service: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        response = client.get(f"{BASE}/services.xml")

    assert response.status_code == 200
