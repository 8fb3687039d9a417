"""The shared cache on Redis (``REDIS_URL``): Django's backend, with one client per
connection pool instead of one per operation.

Django's RedisCacheClient builds a new ``redis.Redis`` for every get or set (its
constructor copies some 170 response callbacks), about as long as the round trip to
Redis itself; every logged-in page reads its session, the 站内信 count and the 卖家中心
flag from the cache (issue 9). A ``redis.Redis`` is safe to share between threads (it
takes a connection from the pool for each command) and the pool reconnects after a fork.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # kept for the life of the process
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient


def forget(key: str) -> None:
    """Drop a cached answer after a write it depends on: at once, so the rest of the
    transaction (and the next page) reads afresh, and again after the commit, so a request
    that read the old rows while the transaction was open and cached them does not keep
    its stale answer. Used by every per-user cache (站内信 badge, 卖家中心 flag,
    permissions)."""
    from django.core.cache import cache
    from django.db import transaction

    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
