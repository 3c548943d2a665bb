"""Benchmark: memory of streaming the open-data service requests CSV as the rows grow.

Streams `/data/service-requests.csv` (the view's own generator, `_csv_lines`) over the
first 10,000 and then the first 100,000 public requests of the configured database, each
in a fresh subprocess, and prints the rows, the time, the peak Python allocations
(tracemalloc) and the growth of the process's resident memory (maxrss). A streamed export
stays flat: ten times the rows should cost about the same memory, not ten times more.

Needs a filled database; make one with `bench/requests_generate.py` first:

    TOWNHALL_VAR_DIR=/tmp/townhall-bench .venv/bin/python bench/requests_generate.py
    TOWNHALL_VAR_DIR=/tmp/townhall-bench .venv/bin/python bench/open_data_export.py
    # a million rows (a 1,000,000-request city, every request made public):
    TOWNHALL_VAR_DIR=/tmp/townhall-bench .venv/bin/python bench/open_data_export.py --large 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(rows: int) -> dict[str, float]:
    """In this process: stream the first `rows` public requests as CSV and measure."""
    import resource
    import tracemalloc

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
    django.setup()
    from townhall.service_requests.models import ServiceRequest
    from townhall.transparency import data_views, datasets

    public = ServiceRequest.objects.visible_to(None).order_by("pk")
    last = public.values_list("pk", flat=True)[rows - 1 : rows].first()
    if last is None:
        raise SystemExit(f"fewer than {rows} public requests: run bench/requests_generate.py")
    # The same generator and query, over the first `rows` public requests.
    datasets._public_requests = lambda: ServiceRequest.objects.visible_to(None).filter(pk__lte=last)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    lines = size = 0
    for line in data_views._csv_lines(datasets.REQUESTS):
        lines += 1
        size += len(line)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": lines - 1,
        "seconds": round(elapsed, 2),
        "mb": round(size / 1e6, 1),
        "peak_kib": peak // 1024,
        "rss_growth_kib": rss_after - rss_before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    results = []
    for rows in (args.small, args.large):
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(rows)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            sys.exit(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    small, large = results
    for result in results:
        print(
            f"{result['rows']:>9,} rows  {result['seconds']:>6} s  {result['mb']:>6} MB of CSV  "
            f"peak {result['peak_kib']:>6,} KiB  maxrss +{result['rss_growth_kib']:,} KiB"
        )
    print(
        f"rows × {large['rows'] / small['rows']:.0f}: peak allocations × "
        f"{large['peak_kib'] / max(small['peak_kib'], 1):.2f}, "
        f"time × {large['seconds'] / max(small['seconds'], 0.01):.1f}"
    )


if __name__ == "__main__":
    main()
