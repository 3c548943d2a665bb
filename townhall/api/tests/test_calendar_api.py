"""GET /api/v1/calendar/due/: the working-day rule over HTTP, and a 400 for bad input."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

URL = "/api/v1/calendar/due/"
FOI = {
    "jurisdiction": "US-IL",
    "timezone": "America/Chicago",
    "start": "2026-11-20T10:00:00-06:00",
    "working_days": "20",
}


def due(api_client: APIClient, **params: str) -> Any:
    return api_client.get(f"{URL}?{urlencode(params)}")


def assert_400(response: Any, *fields: str) -> dict:
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"detail", "errors", "status"}
    assert data["status"] == 400
    assert data["detail"].startswith("Some of what you sent is not valid")
    assert set(data["errors"]) == set(fields), data["errors"]
    for messages in data["errors"].values():
        assert messages and all(isinstance(m, str) and m for m in messages)
    return data["errors"]


def test_the_answer_has_exactly_the_due_time_with_its_offset_and_the_skipped_days(
    api_client: APIClient, db: Any
) -> None:
    response = due(api_client, **FOI)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "due_at": "2026-12-21T23:59:59-06:00",
        "skipped": [
            {"date": "2026-11-21", "name": "Saturday"},
            {"date": "2026-11-22", "name": "Sunday"},
            {"date": "2026-11-26", "name": "Thanksgiving Day"},
            {"date": "2026-11-28", "name": "Saturday"},
            {"date": "2026-11-29", "name": "Sunday"},
            {"date": "2026-12-05", "name": "Saturday"},
            {"date": "2026-12-06", "name": "Sunday"},
            {"date": "2026-12-12", "name": "Saturday"},
            {"date": "2026-12-13", "name": "Sunday"},
            {"date": "2026-12-19", "name": "Saturday"},
            {"date": "2026-12-20", "name": "Sunday"},
        ],
    }


def test_summer_deadlines_carry_the_daylight_saving_offset(api_client: APIClient, db: Any) -> None:
    response = due(api_client, **{**FOI, "start": "2026-07-02T09:00:00-05:00", "working_days": "1"})
    assert response.json() == {
        "due_at": "2026-07-06T23:59:59-05:00",
        "skipped": [
            {"date": "2026-07-03", "name": "Independence Day (observed)"},
            {"date": "2026-07-04", "name": "Independence Day"},
            {"date": "2026-07-05", "name": "Sunday"},
        ],
    }


def test_the_time_zone_defaults_to_the_sites(api_client: APIClient, db: Any, settings: Any) -> None:
    params = {k: v for k, v in FOI.items() if k != "timezone"}
    assert due(api_client, **params).json()["due_at"] == "2026-12-21T23:59:59-06:00"
    # An empty value is the same as none (as HTML forms send it).
    assert due(api_client, **params, timezone="").json()["due_at"] == "2026-12-21T23:59:59-06:00"
    settings.TIME_ZONE = "America/New_York"
    assert due(api_client, **params).json()["due_at"] == "2026-12-21T23:59:59-05:00"


def test_a_utc_start_that_is_already_the_next_day_counts_from_the_local_day(
    api_client: APIClient, db: Any
) -> None:
    # 05:30Z on Friday is 23:30 on Thursday in Chicago, so day 1 is Friday.
    response = due(api_client, **{**FOI, "start": "2026-11-20T05:30:00Z", "working_days": "1"})
    assert response.json() == {"due_at": "2026-11-20T23:59:59-06:00", "skipped": []}
    # 06:30Z is 00:30 on Friday in Chicago, so day 1 is Monday.
    response = due(api_client, **{**FOI, "start": "2026-11-20T06:30:00Z", "working_days": "1"})
    assert response.json()["due_at"] == "2026-11-23T23:59:59-06:00"


def test_a_start_without_an_offset_is_read_in_the_given_time_zone(
    api_client: APIClient, db: Any
) -> None:
    # 23:30 on Thursday in Chicago (it would be Friday already in UTC or Tokyo).
    naive = {**FOI, "start": "2026-11-19T23:30:00", "working_days": "1"}
    assert due(api_client, **naive).json()["due_at"] == "2026-11-20T23:59:59-06:00"
    tokyo = {**naive, "timezone": "Asia/Tokyo"}
    assert due(api_client, **tokyo).json()["due_at"] == "2026-11-20T23:59:59+09:00"


def test_a_date_alone_means_that_local_day(api_client: APIClient, db: Any) -> None:
    response = due(api_client, **{**FOI, "start": "2026-11-21", "working_days": "1"})
    assert response.json() == {
        "due_at": "2026-11-23T23:59:59-06:00",
        "skipped": [{"date": "2026-11-22", "name": "Sunday"}],
    }


def test_an_unencoded_plus_in_the_offset_is_still_read_as_an_offset(
    api_client: APIClient, db: Any
) -> None:
    # "+09:00" sent without %2B arrives as " 09:00": Friday 08:00 in Tokyo is Thursday
    # 17:00 in Chicago, so day 1 is Friday.
    response = api_client.get(
        f"{URL}?jurisdiction=US-IL&start=2026-11-20T08:00:00+09:00&working_days=1"
    )
    assert response.json()["due_at"] == "2026-11-20T23:59:59-06:00"


def test_a_jurisdiction_without_subdivision_and_in_lower_case_works(
    api_client: APIClient, db: Any
) -> None:
    response = due(
        api_client,
        **{**FOI, "jurisdiction": "us", "start": "2026-11-02T09:00-06:00", "working_days": "1"},
    )
    # Election Day (3 November) is an Illinois holiday, not a federal one.
    assert response.json() == {"due_at": "2026-11-03T23:59:59-06:00", "skipped": []}


def test_no_account_is_needed_and_a_bad_token_does_not_matter_for_a_public_calculation(
    api_client: APIClient, db: Any
) -> None:
    assert due(api_client, **FOI).status_code == 200


# --- bad input: always a 400 with the field named, never a 500 -----------------------------------


def test_missing_parameters_are_each_named(api_client: APIClient, db: Any) -> None:
    errors = assert_400(api_client.get(URL), "jurisdiction", "start", "working_days")
    assert errors["jurisdiction"] == ["This field is required."]


@pytest.mark.parametrize(
    "value",
    ["XX", "US-ZZ", "", "Illinois", "US-IL-SPRINGFIELD", "<script>", "' OR 1=1 --", "U" * 5000],
)
def test_an_unknown_jurisdiction_is_a_400(api_client: APIClient, db: Any, value: str) -> None:
    errors = assert_400(due(api_client, **{**FOI, "jurisdiction": value}), "jurisdiction")
    if value and len(value) < 20:
        assert (
            f"“{value}” is not a jurisdiction with a holiday calendar" in errors["jurisdiction"][0]
        )


def test_a_nul_character_in_a_parameter_is_a_400(api_client: APIClient, db: Any) -> None:
    assert_400(
        api_client.get(f"{URL}?jurisdiction=US%00&start=2026-11-20&working_days=1"), "jurisdiction"
    )


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", " ", "../../etc/passwd", "CST", "x" * 500])
def test_an_unknown_time_zone_is_a_400(api_client: APIClient, db: Any, value: str) -> None:
    errors = assert_400(due(api_client, **{**FOI, "timezone": value}), "timezone")
    if value.strip() and len(value) < 64:
        assert "is not a known time zone" in errors["timezone"][0]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "2026-13-01T10:00:00Z",
        "2026-02-30",
        "2026-11-20T25:00:00Z",
        "2026-11-20T10:00:00+99:00",
        "20/11/2026",
        "1763629200",
        "<img src=x onerror=alert(1)>",
        "9" * 1000,
    ],
)
def test_a_malformed_start_is_a_400(api_client: APIClient, db: Any, value: str) -> None:
    assert_400(due(api_client, **{**FOI, "start": value}), "start")


@pytest.mark.parametrize(
    "value",
    [
        "2100-12-20T10:00:00Z",
        "1500-01-05T10:00:00Z",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:00:00-12:00",
    ],
)
def test_a_start_outside_the_holiday_calendar_is_a_400(
    api_client: APIClient, db: Any, value: str
) -> None:
    errors = assert_400(due(api_client, **{**FOI, "start": value, "working_days": "30"}), "start")
    assert "calendar" in errors["start"][0]


@pytest.mark.parametrize(
    "value",
    ["", "0", "-1", "-20", "3651", "1000000", "9" * 5000, "2.5", "twenty", "1e3", "0x10", "NaN"],
)
def test_a_bad_number_of_working_days_is_a_400(api_client: APIClient, db: Any, value: str) -> None:
    errors = assert_400(due(api_client, **{**FOI, "working_days": value}), "working_days")
    if value:
        assert errors["working_days"] == [
            "Give the number of working days as a whole number from 1 to 3650."
        ]


def test_the_largest_allowed_number_of_working_days_is_answered(
    api_client: APIClient, db: Any
) -> None:
    response = due(api_client, **{**FOI, "working_days": "3650"})
    assert response.status_code == 200
    assert response.json()["due_at"] == "2041-08-22T23:59:59-05:00"


def test_every_bad_parameter_is_reported_at_once(api_client: APIClient, db: Any) -> None:
    response = due(
        api_client, jurisdiction="XX", timezone="Nowhere/Land", start="soon", working_days="-1"
    )
    assert_400(response, "jurisdiction", "timezone", "start", "working_days")


def test_other_methods_are_refused_as_json(api_client: APIClient, db: Any) -> None:
    response = api_client.post(URL, {}, format="json")
    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_the_schema_documents_the_parameters_and_the_answer(api_client: APIClient, db: Any) -> None:
    schema = api_client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/calendar/due/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"jurisdiction", "timezone", "start", "working_days"}
    assert parameters["jurisdiction"]["required"] is True
    assert parameters["timezone"].get("required", False) is False
    assert "read in `timezone`" in parameters["start"]["description"]
    assert parameters["working_days"]["schema"]["maximum"] == 3650
    assert {"200", "400"} <= set(operation["responses"])
    answer = schema["components"]["schemas"]["DueDate"]
    assert set(answer["properties"]) == {"due_at", "skipped"}
    assert answer["properties"]["due_at"]["format"] == "date-time"
