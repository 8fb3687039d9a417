"""config.cache.RedisCache (issue 9): Django's Redis cache, with one redis client per
connection pool instead of one per operation; behaves the same."""

import os
import uuid

import pytest

from config.cache import RedisCache

URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def cache():
    import redis

    try:
        redis.Redis.from_url(URL).ping()
    except redis.exceptions.ConnectionError:
        # A fresh machine without Redis (make test alone) cannot run these; CI has Redis.
        if os.environ.get("CI"):
            pytest.fail(f"REDIS_URL must point at a running Redis in CI (tried {URL})")
        pytest.skip(f"no Redis at {URL}")
    backend = RedisCache(URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}", "TIMEOUT": 60})
    yield backend
    backend.delete_many(["n", "word", "many1", "many2"])


def test_one_client_per_pool(cache):
    client = cache._cache.get_client()
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client  # one server: one pool


def test_operations_work_as_with_djangos_backend(cache):
    cache.set("n", 1)
    assert cache.incr("n") == 2
    assert cache.add("n", 5) is False and cache.get("n") == 2
    cache.set("word", {"站内信": 3})
    assert cache.get("word") == {"站内信": 3}
    cache.set_many({"many1": True, "many2": False})
    assert cache.get_many(["many1", "many2", "absent"]) == {"many1": True, "many2": False}
    assert cache.delete("word") is True and cache.get("word") is None


def test_read_replicas_get_their_own_clients():
    backend = RedisCache("redis://127.0.0.1:6379/15,redis://127.0.0.1:6379/14", {})
    client = backend._cache
    writer = client.get_client(write=True)
    reader = client.get_client()
    assert writer is client.get_client(write=True)
    assert reader is client.get_client() and reader is not writer
    assert reader.connection_pool is not writer.connection_pool
