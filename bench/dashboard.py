"""Benchmark: does the transparency dashboard cost the same at 100 requests as at 100,000
(or a million)?

Fills two throw-away SQLite databases with `bench/requests_generate.py` (the demo city
plus N synthetic requests with their commitments, messages and activity; 100 for the
small city, `--requests` for the big one, default 100,000), builds the rollup tables
(`townhall build_dashboard`, timed), then times the dashboard pages and API against the
baseline measured in the same run (`/bench/one-row/`, one row read by primary key through
the same middleware). It prints each page's query count and median time as a ratio to the
baseline, in both cities, and the big/small ratio; then the cost of one incremental
refresh (one agency's busiest day, its week and its month).

    .venv/bin/python bench/dashboard.py                      # 100 vs 100,000 requests
    .venv/bin/python bench/dashboard.py --requests 1000000   # 100 vs a million (same code)
    .venv/bin/python bench/dashboard.py --keep /tmp/dash     # keep (and reuse) the databases
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL_CITY = 100
PATHS = [
    "/bench/one-row/?id=1",
    "/transparency/",
    "/transparency/public-works/?period=month",
    "/transparency/public-works/?period=week",
    "/api/v1/transparency/agencies/",
    "/api/v1/transparency/agencies/public-works/",
]


def refresh_cost() -> tuple[float, int, int]:
    """Seconds and queries of one incremental refresh: the busiest day of Public Works."""
    from django.db import connection
    from django.db.models import Sum
    from django.test.utils import CaptureQueriesContext

    from townhall.agencies.models import Agency
    from townhall.transparency import rollups
    from townhall.transparency.models import Rollup, RollupPeriod

    agency = Agency.objects.get(slug="public-works")
    busiest = (
        Rollup.objects.filter(agency=agency, period=RollupPeriod.DAY)
        .values("start")
        .annotate(n=Sum("received"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    samples = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            rollups.refresh_day(agency.pk, busiest["start"])
            samples.append(time.perf_counter() - start)
    return statistics.median(samples), len(queries), busiest["n"]


def child(repeat: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from bench.page_timing import time_paths
    from townhall.transparency import rollups

    start = time.perf_counter()
    days = sum(rollups.rebuild().values())
    print(f"BUILD {time.perf_counter() - start:.3f} {days}")
    for path, (seconds, queries) in time_paths(PATHS, repeat).items():
        print(f"RESULT {path} {seconds:.6f} {queries}")
    seconds, queries, received = refresh_cost()
    print(f"REFRESH {seconds:.6f} {queries} {received}")


def measure(requests: int, repeat: int, keep: Path | None) -> dict[str, object]:
    """Generate (unless kept from an earlier run), then measure in a child process."""
    var_dir = (keep / f"city-{requests}") if keep else Path(tempfile.mkdtemp(prefix="dash-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "TOWNHALL_VAR_DIR": str(var_dir),
        "STATIC_MANIFEST": "false",
        "DEBUG": "false",
        "TASKS_BACKEND": "immediate",
    }
    env.pop("DATABASE_URL", None)  # two SQLite cities side by side
    marker = var_dir / "generated"
    if not marker.exists():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "bench/requests_generate.py"), "--requests", str(requests)],
            check=True,
            capture_output=True,
            env=env,
        )
        marker.write_text(f"{time.perf_counter() - started:.1f}")
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--repeat", str(repeat)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, object] = {"generated_in": float(marker.read_text())}
    for line in out.stdout.splitlines():
        word, *rest = line.split()
        if word == "BUILD":
            result["build"] = (float(rest[0]), int(rest[1]))
        elif word == "RESULT":
            result[rest[0]] = (float(rest[1]), int(rest[2]))
        elif word == "REFRESH":
            result["refresh"] = (float(rest[0]), int(rest[1]), int(rest[2]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000, help="the big city's size")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="keep the databases here, and reuse them")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.repeat)
        return

    small = measure(SMALL_CITY, args.repeat, args.keep)
    big = measure(args.requests, args.repeat, args.keep)
    base_small = small[PATHS[0]][0]  # type: ignore[index]
    base_big = big[PATHS[0]][0]  # type: ignore[index]
    print(f"cities: {SMALL_CITY:,} and {args.requests:,} requests (SQLite)")
    for name, city in (("small", small), ("big", big)):
        build_s, day_rows = city["build"]  # type: ignore[misc]
        print(
            f"  {name}: generated in {city['generated_in']:.0f} s; "
            f"build_dashboard {build_s:.1f} s, {day_rows:,} day rows"
        )
    print(f"baseline {PATHS[0]}: {base_small * 1000:.2f} ms small, {base_big * 1000:.2f} ms big")
    print(f"{'page':46} {'queries s/b':>11} {'small/base':>10} {'big/base':>9} {'big/small':>9}")
    for path in PATHS[1:]:
        (small_s, small_q), (big_s, big_q) = small[path], big[path]  # type: ignore[misc]
        print(
            f"{path:46} {f'{small_q}/{big_q}':>11} {small_s / base_small:10.1f} "
            f"{big_s / base_big:9.1f} {big_s / small_s:9.2f}"
        )
    for name, city in (("small", small), ("big", big)):
        seconds, queries, received = city["refresh"]  # type: ignore[misc]
        print(
            f"incremental refresh, {name} city (busiest Public Works day, {received} requests): "
            f"{seconds * 1000:.1f} ms, {queries} queries"
        )


if __name__ == "__main__":
    main()
