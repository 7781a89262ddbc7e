"""Django's Redis cache backend, keeping one client per connection pool.

Django's RedisCache builds a new `redis.Redis` for every command (`RedisCacheClient.get_client`), and redis-py
fills some 170 response callbacks into each new client: a fifth of a millisecond of Python per cache call, paid on
every webhook call for its rate limit. A `redis.Redis` is safe to share between threads (it takes a connection
from the pool for each command), so this backend builds one per pool and keeps it. It adds `incr_with_expiry`
for the webhooks' rate limit; everything else is Django's.
"""

from django.core.cache.backends import redis


class _ReusingClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient

    def incr_with_expiry(self, key: str, timeout: int) -> int:
        """Add one to the counter at `key` (creating it at 1) and make sure it expires, in one round trip: what
        a rate limit's fixed window needs (Django's `add` then `incr` take three)."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        # The key names its window, so pushing the expiry on with each call only keeps it a little longer.
        count, _ = client.pipeline(transaction=False).incr(key).expire(key, timeout).execute()
        return count
