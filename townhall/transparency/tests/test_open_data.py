"""Open data: the DCAT-US 1.1 catalogue at /data.json (validated against the schema's
required parts), the catalogue and schema pages, streamed CSV and JSON downloads of public
requests and commitments without personal data, and the rebuild (task, command, button)."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from townhall.commitments.models import Commitment, CommitmentKind
from townhall.service_requests.models import ServiceRequest
from townhall.transparency import actions
from townhall.transparency.datasets import DATASETS
from townhall.transparency.models import DatasetBuild

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "dcat_us_1_1_catalog.json").read_text())
CITIZEN_DETAILS = ("alex@example.org", "bea@example.org", "Alexandra Legal-Park", "Alex Park")


@pytest.fixture(autouse=True)
def _citizen_legal_name(citizen: Any) -> None:
    citizen.legal_name = "Alexandra Legal-Park"
    citizen.save(update_fields=["legal_name"])


@pytest.fixture
def public_pothole(file_pothole: Any) -> Any:
    return file_pothole(is_public=True, latitude="39.781749", longitude="-89.650149")


def _download(client: Client, identifier: str, fmt: str) -> tuple[Any, str]:
    response = client.get(
        reverse("open_data:dataset-download", kwargs={"identifier": identifier, "fmt": fmt})
    )
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == f'attachment; filename="{identifier}.{fmt}"'
    return response, b"".join(response.streaming_content).decode()


def _csv_rows(client: Client, identifier: str) -> list[dict[str, str]]:
    response, body = _download(client, identifier, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    reader = csv.DictReader(io.StringIO(body))
    assert reader.fieldnames == DATASETS[identifier].column_names
    return list(reader)


def _json_rows(client: Client, identifier: str) -> list[dict[str, Any]]:
    response, body = _download(client, identifier, "json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    rows = json.loads(body)
    assert isinstance(rows, list)
    return rows


# --- /data.json ----------------------------------------------------------------------------


def test_catalog_validates_against_the_dcat_us_1_1_schema(client: Client) -> None:
    actions.build_open_data()
    response = client.get("/data.json")
    assert response.status_code == 200
    catalog = response.json()
    jsonschema.validate(catalog, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert {d["title"] for d in catalog["dataset"]} == {
        "Public service requests",
        "Public commitments and their outcomes",
        "Transparency dashboard figures by month",
        "Consultations",
        "Consultation comments",
    }
    for dataset in catalog["dataset"]:
        assert dataset["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
        assert dataset["accessLevel"] == "public"
        assert {d["mediaType"] for d in dataset["distribution"]} == {
            "text/csv",
            "application/json",
        }
        assert "bureauCode" not in dataset and "programCode" not in dataset
        assert dataset["describedBy"].endswith("/schema/")


def test_the_schema_refuses_a_catalog_missing_required_fields(client: Client) -> None:
    """The schema fixture is not a rubber stamp."""
    catalog = client.get("/data.json").json()
    del catalog["dataset"][0]["contactPoint"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(catalog, SCHEMA)
    catalog = client.get("/data.json").json()
    catalog["dataset"][0]["distribution"][0]["mediaType"] = "csv"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(catalog, SCHEMA)


def test_catalog_modified_is_the_last_build_time(client: Client) -> None:
    DatasetBuild.objects.create(
        dataset="commitments",
        built_at=timezone.now() - timedelta(days=3),
        row_count=1,
        duration=timedelta(seconds=1),
    )
    last = DatasetBuild.objects.create(
        dataset="commitments",
        built_at=timezone.now() - timedelta(days=1),
        row_count=2,
        duration=timedelta(seconds=1),
    )
    catalog = client.get("/data.json").json()
    entry = next(d for d in catalog["dataset"] if d["identifier"].endswith("#commitments"))
    assert entry["modified"] == last.built_at.isoformat(timespec="seconds").replace("+00:00", "Z")


def test_catalog_and_catalogue_page_cost_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        actions.build_open_data()
    with django_assert_max_num_queries(1):
        assert client.get("/data.json").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("open_data:dataset-list")).status_code == 200


# --- pages ---------------------------------------------------------------------------------


def test_catalogue_page_lists_each_dataset_with_its_rows_and_links(
    client: Client, foi_request: Any
) -> None:
    actions.build_open_data()
    page = client.get(reverse("open_data:dataset-list")).content.decode()
    assert "Public service requests" in page
    assert "Public commitments and their outcomes" in page
    assert "/data/service-requests.csv" in page and "/data/commitments.json" in page
    assert "/data/service-requests/schema/" in page
    assert "creativecommons.org/publicdomain/zero/1.0/" in page
    assert "Rebuild now" not in page


def test_schema_page_lists_the_columns(client: Client) -> None:
    response = client.get(
        reverse("open_data:dataset-schema", kwargs={"identifier": "service-requests"})
    )
    assert response.status_code == 200
    for name in DATASETS["service-requests"].column_names:
        assert f"<code>{name}</code>" in response.content.decode()


def test_unknown_dataset_is_404(client: Client) -> None:
    assert client.get("/data/citizens.csv").status_code == 404
    assert client.get("/data/citizens/schema/").status_code == 404
    assert client.get("/data/service-requests.xml").status_code == 404


def test_footer_links_to_open_data(client: Client) -> None:
    assert reverse("open_data:dataset-list") in client.get("/").content.decode()


# --- downloads -----------------------------------------------------------------------------


def test_requests_download_holds_public_requests_only_without_personal_data(
    client: Client, public_pothole: Any, pothole_request: Any, foi_request: Any
) -> None:
    rows = _csv_rows(client, "service-requests")
    assert {row["reference"] for row in rows} == {public_pothole.reference, foi_request.reference}
    assert pothole_request.reference not in json.dumps(_json_rows(client, "service-requests"))
    for fmt in ("csv", "json"):
        _, body = _download(client, "service-requests", fmt)
        for detail in (*CITIZEN_DETAILS, "12 Monroe St", "Deep pothole", "road repair"):
            assert detail not in body


def test_requests_download_rounds_coordinates(client: Client, public_pothole: Any) -> None:
    (row,) = _csv_rows(client, "service-requests")
    assert (row["latitude"], row["longitude"]) == ("39.782", "-89.65")
    (item,) = _json_rows(client, "service-requests")
    assert (item["latitude"], item["longitude"]) == (39.782, -89.65)
    assert public_pothole.latitude == Decimal("39.781749")


def test_requests_download_columns(client: Client, foi_request: Any) -> None:
    (item,) = _json_rows(client, "service-requests")
    assert list(item) == DATASETS["service-requests"].column_names
    assert item["service_code"] == "foi-public-works"
    assert item["agency"] == foi_request.agency.slug
    assert (item["status"], item["open311_status"]) == ("submitted", "open")
    assert item["requested_at"].endswith("Z")
    assert item["latitude"] is None and item["closed_at"] is None
    assert item["respond_state"] == "open"
    assert item["respond_due_at"] is not None


def test_commitments_download_holds_public_commitments_only(
    client: Client, foi_request: Any, pothole_request: Any
) -> None:
    public_ids = set(Commitment.objects.visible_to(None).values_list("pk", flat=True))
    private_ids = set(Commitment.objects.exclude(pk__in=public_ids).values_list("pk", flat=True))
    assert public_ids and private_ids
    rows = _csv_rows(client, "commitments")
    assert {int(row["id"]) for row in rows} == public_ids
    items = _json_rows(client, "commitments")
    assert {item["id"] for item in items} == public_ids
    assert {item["kind"] for item in items} <= {"acknowledge", "respond"}
    assert all(item["state"] == "open" and item["due_at"].endswith("Z") for item in items)


def test_empty_downloads_are_valid(client: Client) -> None:
    assert _csv_rows(client, "commitments") == []
    assert _json_rows(client, "commitments") == []


def test_download_starts_before_the_database_is_read(
    client: Client, foi_request: Any, django_assert_num_queries: Any
) -> None:
    response = client.get("/data/service-requests.json")
    chunks = iter(response.streaming_content)
    try:
        with django_assert_num_queries(0):
            assert next(chunks) == b"["
        assert next(chunks).startswith(b"\n{")
    finally:
        # Left half-read, the generator would close its PostgreSQL server-side cursor
        # whenever it is collected, in the middle of another test's query.
        response.close()


def _commitments(agency: Any, count: int) -> None:
    now = timezone.now()
    Commitment.objects.bulk_create(
        [
            Commitment(
                agency=agency,
                kind=CommitmentKind.CUSTOM,
                due_at=now + timedelta(days=1),
                is_public=True,
            )
            for _ in range(count)
        ],
        batch_size=2000,
    )


def _peak_while_streaming(client: Client) -> int:
    response = client.get("/data/commitments.csv")
    tracemalloc.start()
    try:
        rows = sum(1 for _ in response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == Commitment.objects.count() + 1
    return peak


def test_streaming_memory_does_not_grow_with_the_rows(client: Client, agency: Any) -> None:
    _commitments(agency, 2_000)
    small = _peak_while_streaming(client)
    _commitments(agency, 18_000)
    large = _peak_while_streaming(client)
    # Ten times the rows; a download that held them all would need several times the memory.
    assert large < small * 2, (small, large)


# --- the build -----------------------------------------------------------------------------


def test_build_records_row_counts(foi_request: Any, pothole_request: Any) -> None:
    call_command("build_open_data", stdout=io.StringIO())
    builds = {b.dataset: b for b in DatasetBuild.objects.latest_per_dataset()}
    assert set(builds) == set(DATASETS)
    assert builds["service-requests"].row_count == ServiceRequest.objects.public().count() == 1
    assert builds["commitments"].row_count == Commitment.objects.visible_to(None).count()


def test_site_admin_rebuilds_now(
    client: Client, site_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(site_admin)
    assert "Rebuild now" in client.get(reverse("open_data:dataset-list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("open_data:dataset-rebuild"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("open_data:dataset-list")
    assert "Rebuild started" in response.content.decode()
    assert DatasetBuild.objects.count() == len(DATASETS)


def test_citizen_cannot_rebuild(client: Client, citizen: Any) -> None:
    client.force_login(citizen)
    assert client.post(reverse("open_data:dataset-rebuild")).status_code == 403
    assert not DatasetBuild.objects.exists()


def test_agency_staff_cannot_rebuild(sign_in_staff: Any, staff_member: Any) -> None:
    client = sign_in_staff(staff_member.user)
    page = client.get(reverse("open_data:dataset-list")).content.decode()
    assert "Rebuild now" not in page
    assert client.post(reverse("open_data:dataset-rebuild")).status_code == 403
    assert not DatasetBuild.objects.exists()


def test_anonymous_visitor_cannot_rebuild(client: Client) -> None:
    response = client.post(reverse("open_data:dataset-rebuild"))
    assert response.status_code == 302
    assert not DatasetBuild.objects.exists()


def test_rebuild_needs_post(client: Client, site_admin: Any) -> None:
    client.force_login(site_admin)
    assert client.get(reverse("open_data:dataset-rebuild")).status_code == 405


def test_head_requests_are_answered(client: Client) -> None:
    assert client.head("/data.json").status_code == 200
    assert client.head("/data/commitments.csv").status_code == 200
