"""The public transparency dashboard: figures from the rollups, kept up to date after each
activity and rebuildable, on pages, the REST API and open data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from townhall.commitments.actions import mark_broken_commitments
from townhall.service_requests import actions
from townhall.transparency import dashboard, rollups
from townhall.transparency.models import Rollup, RollupPeriod

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def _snapshot() -> list[tuple[Any, ...]]:
    fields = [f.name for f in Rollup._meta.fields if f.name not in ("id", "computed_at")]
    return sorted(
        tuple(json.dumps(v) if isinstance(v, list) else v for v in row)
        for row in Rollup.objects.values_list(
            *[f"{f}_id" if f in ("agency", "service", "team") else f for f in fields]
        )
    )


def test_figures_of_a_small_city(city: dict[str, Any], agency: Any) -> None:
    rollups.rebuild()
    board = dashboard.agency_dashboard(agency, "month")
    total = board.total
    assert total.received == 4
    assert total.acknowledged == 3
    assert 5 <= total.median_hours_to_acknowledge < 6
    assert 30 <= total.p90_hours_to_acknowledge < 36
    assert total.responded == 1
    assert 48 <= total.median_hours_to_respond < 60
    assert total.commitments_made == 10
    assert total.commitments_kept == 4
    assert total.commitments_broken == 1
    assert total.commitments_renegotiated == 1
    assert total.commitments_open == 4
    assert total.promises_kept_share == pytest.approx(4 / 6)
    assert (total.foi_received, total.foi_extended, total.foi_on_time, total.foi_late) == (
        1,
        1,
        0,
        0,
    )
    assert board.backlog.open == 3


def test_figures_follow_each_activity_and_match_a_full_rebuild(
    citizen: Any,
    staff_member: Any,
    pothole_service: Any,
    file_pothole: Any,
    other_agency: Any,
    agency: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = file_pothole(at=timezone.now() - 5 * HOUR)
    assert dashboard.agency_dashboard(agency).total.received == 1
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply_to_request(by=staff_member.user, request=first, body="Seen.")
        second = file_pothole()
        actions.close_request(by=staff_member.user, request=second, note="Fixed.")
    with django_capture_on_commit_callbacks(execute=True):
        third = file_pothole()
    with django_capture_on_commit_callbacks(execute=True):
        actions.transfer_request(
            by=staff_member.user, request=third, note="Theirs.", agency=other_agency
        )
    figures = dashboard.agency_dashboard(agency).total
    assert (figures.received, figures.acknowledged, figures.closed, figures.open) == (2, 2, 1, 1)
    assert dashboard.agency_dashboard(other_agency).total.received == 1
    incremental = _snapshot()
    Rollup.objects.all().delete()
    call_command("build_dashboard", stdout=io.StringIO())
    assert _snapshot() == incremental


def test_a_new_filing_updates_day_week_and_month_rows(
    file_pothole: Any, agency: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        file_pothole()
    assert len(callbacks) >= 1
    periods = set(Rollup.objects.filter(agency=agency).values_list("period", flat=True))
    assert periods == {RollupPeriod.DAY, RollupPeriod.WEEK, RollupPeriod.MONTH}
    assert (
        sum(Rollup.objects.filter(period=RollupPeriod.MONTH).values_list("received", flat=True))
        == 1
    )


def test_percentiles_from_buckets() -> None:
    histogram = rollups.empty_histogram()
    assert rollups.percentile(histogram, 0.5) is None
    for hours in (0.5, 2.5, 100, 10_000):
        histogram[rollups.bucket_of(hours)] += 1
    assert 2 <= rollups.percentile(histogram, 0.5) <= 3
    assert rollups.percentile(histogram, 1.0) == rollups.BUCKET_EDGES[-1]
    assert rollups.bucket_of(-3) == 0


# --- pages ----------------------------------------------------------------------------------


def test_overview_shows_every_agency_with_promises_kept(
    client: Any, city: dict[str, Any], agency: Any, other_agency: Any
) -> None:
    rollups.rebuild()
    response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Public Works" in page and "Parks and Recreation" in page
    assert "67%" in page  # 4 kept of 6 ended
    assert 'role="img"' in page and "<title" in page


def test_agency_page_by_month_and_by_week(client: Any, city: dict[str, Any], agency: Any) -> None:
    rollups.rebuild()
    url = reverse("dashboard:agency-detail", kwargs={"slug": agency.slug})
    for period in ("month", "week", "", "nonsense<script>", "x" * 5000):
        response = client.get(url, {"period": period})
        assert response.status_code == 200
        page = response.content.decode()
        assert "<script>" not in page.split("<main", 1)[1].split("</main>")[0]
        assert page.count('class="dashboard-chart" role="img"') == 3
        assert page.count("<details") == 3
        assert "Report a pothole" in page and "Freedom of information request" in page
    week = client.get(url, {"period": "week"}).content.decode()
    assert 'aria-current="true">By week' in week


def test_private_requests_are_counted_but_never_shown(
    client: Any, city: dict[str, Any], agency: Any
) -> None:
    rollups.rebuild()
    pothole = city["potholes"][1]
    answers = [
        client.get(reverse("dashboard:overview")),
        client.get(reverse("dashboard:agency-detail", kwargs={"slug": agency.slug})),
        client.get(reverse("api:transparency-agency-list")),
        client.get(reverse("api:transparency-agency-detail", kwargs={"slug": agency.slug})),
        client.get(
            reverse("open_data:dataset-download", kwargs={"identifier": "dashboard", "fmt": "csv"})
        ),
    ]
    for response in answers:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        assert pothole.reference not in text
        assert "Deep pothole" not in text
        assert "alex@example.org" not in text and "Alex Park" not in text
        assert "Sam Rivera" not in text
    detail = answers[3].json()
    assert detail["received"] == 4  # the three private potholes are counted


def test_unknown_agency_is_not_found(client: Any, agency: Any, site_admin: Any) -> None:
    assert client.get("/transparency/no-such-agency/").status_code == 404
    response = client.get("/api/v1/transparency/agencies/no-such-agency/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "status": 404}
    from townhall.agencies.models import Agency

    Agency.objects.filter(pk=agency.pk).update(is_published=False)
    assert client.get(f"/transparency/{agency.slug}/").status_code == 404
    assert client.get(f"/api/v1/transparency/agencies/{agency.slug}/").status_code == 404


# --- REST API ----------------------------------------------------------------------------------


def test_api_gives_the_agency_figures(client: Any, city: dict[str, Any], agency: Any) -> None:
    rollups.rebuild()
    response = client.get(f"/api/v1/transparency/agencies/{agency.slug}/")
    assert response.status_code == 200
    data = response.json()
    assert data["received"] == 4
    assert data["open"] == 3
    assert 5 <= data["median_hours_to_acknowledge"] < 6
    assert 48 <= data["median_hours_to_respond"] < 60
    assert (data["commitments_kept"], data["commitments_broken"]) == (4, 1)
    assert data["promises_kept_share"] == pytest.approx(0.6667, abs=1e-4)
    assert data["period"] == "month" and len(data["periods"]) == dashboard.WINDOW
    assert {s["code"] for s in data["services"]} >= {"pothole", "foi-public-works"}
    week = client.get(f"/api/v1/transparency/agencies/{agency.slug}/?period=week").json()
    assert week["period"] == "week" and week["received"] == 4


def test_api_lists_every_agency(
    client: Any, city: dict[str, Any], agency: Any, other_agency: Any
) -> None:
    rollups.rebuild()
    data = client.get("/api/v1/transparency/agencies/").json()
    by_slug = {entry["agency"]["slug"]: entry for entry in data["results"]}
    assert by_slug[agency.slug]["received"] == 4
    assert by_slug[agency.slug]["open"] == 3
    assert by_slug[other_agency.slug]["received"] == 0
    assert by_slug[other_agency.slug]["promises_kept_share"] is None


# --- open data -------------------------------------------------------------------------------------


def test_dashboard_figures_are_open_data(client: Any, city: dict[str, Any], agency: Any) -> None:
    rollups.rebuild()
    response = client.get("/data/dashboard.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sum(int(row["received"]) for row in rows if row["agency"] == agency.slug) == 4
    header = list(rows[0])
    assert header == [
        "month",
        "agency",
        "service_code",
        "service_name",
        "team",
        *dashboard.OPEN_DATA_FIGURES,
    ]
    as_json = json.loads(b"".join(client.get("/data/dashboard.json").streaming_content))
    assert sum(row["commitments_kept"] for row in as_json) == 4
    assert client.get("/data/dashboard/schema/").status_code == 200
    catalog = client.get("/data.json").json()
    assert any(entry["title"].startswith("Transparency dashboard") for entry in catalog["dataset"])


# --- a fixed number of queries -------------------------------------------------------------------


def _pages(agency: Any) -> list[str]:
    return [
        reverse("dashboard:overview"),
        reverse("dashboard:agency-detail", kwargs={"slug": agency.slug}) + "?period=month",
        reverse("dashboard:agency-detail", kwargs={"slug": agency.slug}) + "?period=week",
        reverse("api:transparency-agency-list"),
        reverse("api:transparency-agency-detail", kwargs={"slug": agency.slug}),
    ]


def _count_queries(client: Any, agency: Any, django_assert_max_num_queries: Any) -> list[int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for url in _pages(agency):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


def test_pages_cost_the_same_queries_for_3_or_40_requests(
    client: Any,
    file_pothole: Any,
    staff_member: Any,
    team: Any,
    agency: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(3):
        file_pothole(at=timezone.now() - dt.timedelta(days=40))
    rollups.rebuild()
    small = _count_queries(client, agency, django_assert_max_num_queries)
    for number in range(37):
        request = file_pothole(at=timezone.now() - dt.timedelta(days=number * 9))
        if number % 3 == 0:
            actions.assign_request(by=staff_member.user, request=request, team=team)
        if number % 2 == 0:
            actions.reply_to_request(by=staff_member.user, request=request, body="Seen.")
    rollups.rebuild()
    big = _count_queries(client, agency, django_assert_max_num_queries)
    assert big == small
    assert min(big) >= 2 and max(big) <= 6


def test_foi_deadlines_met_and_missed(
    citizen: Any, citizen2: Any, staff_member: Any, foi_service: Any, agency: Any
) -> None:
    filed = timezone.now() - dt.timedelta(days=2)
    on_time = actions.file_request(
        by=citizen, service=foi_service, description="Road contracts.", at=filed
    )
    actions.answer_request(
        by=staff_member.user, request=on_time, body="Attached.", at=filed + 2 * HOUR
    )
    actions.file_request(by=citizen2, service=foi_service, description="Budgets.", at=filed)
    mark_broken_commitments(now=timezone.now() + dt.timedelta(days=60))
    rollups.rebuild()
    total = dashboard.agency_dashboard(agency).total
    assert (total.foi_received, total.foi_on_time, total.foi_late) == (2, 1, 1)
    assert total.foi_on_time_share == 0.5
    assert total.responded_on_time == 1


def test_hostile_names_are_escaped_in_charts_and_tables(
    client: Any, site_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from townhall.agencies import actions as agency_actions

    agency_actions.create_agency(
        by=site_admin,
        name='<script>alert("x")</script> & <b>Co</b>',
        purpose="Testing.",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
    )
    page = client.get(reverse("dashboard:overview")).content.decode()
    assert '<script>alert("x")' not in page
    assert "&lt;script&gt;alert(" in page


def test_build_dashboard_rebuilds_one_agency_or_all(city: dict[str, Any], agency: Any) -> None:
    out = io.StringIO()
    call_command("build_dashboard", "--agency", agency.slug, stdout=out)
    assert f"{agency.slug}:" in out.getvalue()
    before = _snapshot()
    call_command("build_dashboard", stdout=io.StringIO())
    assert _snapshot() == before  # idempotent


def test_api_refuses_nothing_it_can_answer_and_breaks_on_nothing(
    client: Any, agency: Any, other_agency: Any
) -> None:
    base = f"/api/v1/transparency/agencies/{agency.slug}/"
    for query in ("?period=<script>", "?period=", "?period=day", "?period=week&period=month"):
        response = client.get(base + query)
        assert response.status_code == 200
        assert response.json()["period"] in ("week", "month")
    assert client.get(base + "?period=day").json()["period"] == "month"
    garbage = client.get("/api/v1/transparency/agencies/?cursor=%25%25%25not-base64")
    assert garbage.status_code == 404
    assert garbage.json()["status"] == 404
    page = client.get("/api/v1/transparency/agencies/?page_size=1").json()
    assert len(page["results"]) == 1 and page["next"]
    rest = client.get(page["next"]).json()
    assert rest["results"][0]["agency"]["slug"] != page["results"][0]["agency"]["slug"]


def test_a_burst_on_one_day_is_recomputed_once_not_per_activity(
    file_pothole: Any, staff_member: Any, agency: Any
) -> None:
    from townhall.activity.models import Activity

    before = timezone.now() - dt.timedelta(seconds=10)
    request = file_pothole()
    actions.reply_to_request(by=staff_member.user, request=request, body="Seen.")
    ids = list(Activity.objects.values_list("pk", flat=True))
    assert rollups.refresh_for_activities(ids, committed_at=before) == 1
    # Queued before that recomputation started: already counted, skipped.
    assert rollups.refresh_for_activities(ids, committed_at=before) == 0
    assert rollups.refresh_for_activities(ids, committed_at=timezone.now()) == 1
    assert dashboard.agency_dashboard(agency).total.acknowledged == 1


def test_one_service_or_team_by_week_or_month(
    client: Any, file_pothole: Any, foi_request: Any, staff_member: Any, team: Any, agency: Any
) -> None:
    request = file_pothole()
    actions.assign_request(by=staff_member.user, request=request, team=team)
    rollups.rebuild()
    url = reverse("dashboard:agency-detail", kwargs={"slug": agency.slug})
    page = client.get(url, {"service": "pothole", "period": "week"}).content.decode()
    assert "Only the service “Report a pothole”" in page
    assert "period=month&amp;service=pothole" in page
    service_only = dashboard.agency_dashboard(agency, "week", service=request.service)
    assert service_only.total.received == 1
    assert client.get(url, {"team": team.slug}).status_code == 200
    team_only = dashboard.agency_dashboard(agency, team=team)
    assert team_only.total.received == 1
    assert client.get(url, {"service": "no-such<script>"}).status_code == 404
    assert client.get(url, {"team": "x" * 500}).status_code == 404


def test_consultations_run_and_answered(client: Any, staff_member: Any, agency: Any) -> None:
    from townhall.consultations import actions as consultation_actions

    now = timezone.now()

    def consult(title: str, opens: dt.timedelta, closes: dt.timedelta) -> Any:
        return consultation_actions.create_consultation(
            by=staff_member.user,
            agency=agency,
            title=title,
            summary="Where should they go?",
            sections=[("The plan", "Main Street first.")],
            opens_at=now + opens,
            closes_at=now + closes,
            published_at=now - dt.timedelta(days=30),
        )

    answered = consult("Bike lanes", -dt.timedelta(days=20), -dt.timedelta(days=2))
    consultation_actions.publish_response(
        by=staff_member.user, consultation=answered, summary="We heard you."
    )
    consult("Parking", -dt.timedelta(days=20), -dt.timedelta(days=1))
    consult("Trees", -dt.timedelta(days=1), dt.timedelta(days=10))
    data = client.get(f"/api/v1/transparency/agencies/{agency.slug}/").json()["consultations"]
    assert (data["closed"], data["responded"], data["open"]) == (2, 1, 1)
    assert data["responded_share"] == 0.5
    assert sum(entry["closed"] for entry in data["periods"]) == 2
    page = client.get(reverse("dashboard:agency-detail", kwargs={"slug": agency.slug}))
    assert "Consultations run and answered" in page.content.decode()
    assert "50%" in page.content.decode()
