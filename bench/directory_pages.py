"""Benchmark: do the directory pages and the agency API stay flat as the city grows?

Builds two throw-away SQLite databases, a small city (60 agencies) and a big one
(N agencies, default 1,000, each with staff, goals, teams and services), then times the
agency directory page, the staff directory page and the agency API list in each, against
a baseline measured in the same run (`/healthz`, which does one query). It prints each
page's median time as a ratio to the baseline, and the big/small ratio: a page whose cost
grows with the data (N+1 queries, a missing index, deep offsets) shows it here.

    .venv/bin/python bench/directory_pages.py [--agencies 1000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def build_city(agency_count: int) -> None:
    from django.contrib.auth import get_user_model

    from townhall.agencies.models import Agency, Goal, Service, StaffMembership, Team

    User = get_user_model()
    agencies = Agency.objects.bulk_create(
        Agency(
            name=f"Agency {i:05d}",
            slug=f"agency-{i:05d}",
            purpose="Serve the residents of Springfield. " * 5,
            jurisdiction="US-IL",
            time_zone="America/Chicago",
        )
        for i in range(agency_count)
    )
    users = User.objects.bulk_create(
        User(email=f"staff{i}@bench.example", display_name=f"Staff {i}")
        for i in range(agency_count * 3)
    )
    Goal.objects.bulk_create(
        Goal(agency=a, title=f"Goal {j}", measure="Share of requests answered on time", order=j)
        for a in agencies
        for j in range(3)
    )
    Team.objects.bulk_create(Team(agency=a, name="Front desk", slug="front-desk") for a in agencies)
    Service.objects.bulk_create(
        Service(agency=a, code=f"svc-{a.slug}-{j}", name=f"Service {j}")
        for a in agencies
        for j in range(3)
    )
    StaffMembership.objects.bulk_create(
        StaffMembership(
            user=users[i * 3 + j],
            agency=a,
            public_name=f"Person {i}-{j}",
            slug=f"person-{i}-{j}",
            job_title="Case officer",
        )
        for i, a in enumerate(agencies)
        for j in range(3)
    )


def time_paths(paths: list[str], repeat: int) -> dict[str, float]:
    from django.test import Client

    client = Client()
    medians = {}
    for path in paths:
        for _ in range(3):  # warm caches and template loading
            assert client.get(path).status_code == 200, path
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200, path
        medians[path] = statistics.median(samples)
    return medians


def measure(agency_count: int, repeat: int, paths: list[str]) -> dict[str, float]:
    """Run in a child process so each city gets its own settings and database."""
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--child", str(agency_count), "--repeat", str(repeat)],
        check=True,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "TOWNHALL_VAR_DIR": tempfile.mkdtemp(prefix="townhall-bench-"),
            "STATIC_MANIFEST": "false",
            "DEBUG": "false",
        },
    )
    result = {}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            _, path, seconds = line.split()
            result[path] = float(seconds)
    return result


# The small city still fills a first page (50 rows), so both cities render the same amount.
SMALL_CITY = 60
PATHS = ["/healthz", "/agencies/", "/agencies/people/", "/api/v1/agencies/", "/api/v1/services/"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--child", type=int)
    args = parser.parse_args()

    if args.child is not None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        build_city(args.child)
        for path, seconds in time_paths(PATHS, args.repeat).items():
            print(f"RESULT {path} {seconds:.6f}")
        return

    small = measure(SMALL_CITY, args.repeat, PATHS)
    big = measure(args.agencies, args.repeat, PATHS)
    print(f"{'page':24} {'small/base':>11} {'big/base':>9} {'big/small':>10}")
    for path in PATHS[1:]:
        print(
            f"{path:24} {small[path] / small['/healthz']:11.1f} "
            f"{big[path] / big['/healthz']:9.1f} {big[path] / small[path]:10.2f}"
        )


if __name__ == "__main__":
    main()
