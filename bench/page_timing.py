"""Timing pages inside a benchmark's child process (Django set up, the database filled)."""

from __future__ import annotations

import statistics
import time


def time_paths(paths: list[str], repeat: int) -> dict[str, tuple[float, int]]:
    """Median seconds and query count of each page, read by an anonymous test client."""
    from django.db import connection
    from django.test import Client

    client = Client()
    results = {}
    for path in paths:
        for _ in range(3):  # warm caches and template loading
            assert client.get(path).status_code == 200, path
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        # A wrapper, not CaptureQueriesContext: the request closes and reopens the
        # connection, which clears the captured log.
        with connection.execute_wrapper(count):
            client.get(path)
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200, path
        results[path] = (statistics.median(samples), len(queries))
    return results
