"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's own backend makes a new `redis.Redis` for every cache call, and making one
builds its table of reply handlers (some two hundred entries): about 8 % of a kept status
page's time, and paid again on every signed-in page (the session lives in the cache). A client
only borrows a connection from its pool while a command runs, so one client per pool
serves every thread (redis-py: clients are safe to share between threads).

    CACHES = {"default": {"BACKEND": "townhall.redis_cache.RedisCache", "LOCATION": ...}}
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis

__all__ = ["RedisCache", "RedisCacheClient"]


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:  # two threads may both make one: either serves
            made = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            client = self._clients.setdefault(id(pool), made)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
