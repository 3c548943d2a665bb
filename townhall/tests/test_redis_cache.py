"""The Redis cache backend the site uses when REDIS_URL is set: Django's, with one client
per connection pool. Checked against the Redis server (TEST_REDIS_URL, by default
127.0.0.1:6379 database 15; only this test's keys are touched): it stores, adds, expires
and deletes like Django's, from many threads at once."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from townhall.redis_cache import RedisCache

LOCATION = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def cache() -> Iterator[Any]:
    prefix = f"test-{uuid.uuid4().hex}"
    backend = RedisCache(LOCATION, {"KEY_PREFIX": prefix})
    client = backend._cache.get_client(write=True)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {LOCATION}; the cache tests need it in CI.")
        pytest.skip(f"Redis is not reachable at {LOCATION}.")
    yield backend
    for key in client.scan_iter(match=f"{prefix}:*"):  # this test's keys only
        client.delete(key)
    backend.close()


def test_it_keeps_adds_and_forgets_values_like_djangos(cache: Any) -> None:
    assert cache.get("missing", "default") == "default"
    cache.set("page", ("token-1", "token-2", "mark", "<html>é</html>"), 60)
    assert cache.get("page") == ("token-1", "token-2", "mark", "<html>é</html>")
    assert cache.add("token", "first", 60) is True
    assert cache.add("token", "second", 60) is False
    assert cache.get_many(["page", "token", "missing"]) == {
        "page": ("token-1", "token-2", "mark", "<html>é</html>"),
        "token": "first",
    }
    cache.add("count", 1, 60)
    assert cache.incr("count") == 2
    cache.delete("token")
    assert cache.get("token") is None
    cache.set("gone", "now", 0)  # a timeout of 0 does not keep it
    assert cache.get("gone") is None


def test_one_client_serves_every_call_and_thread(cache: Any) -> None:
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads use the same pool

    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for round_ in range(50):
                cache.set(f"thread-{number}", round_, 60)
                assert cache.get(f"thread-{number}") == round_
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get_many([f"thread-{n}" for n in range(8)]) == {
        f"thread-{n}": 49 for n in range(8)
    }
