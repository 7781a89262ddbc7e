"""Read caches for what pages recount on every view, failing open: a cache that is down or slow costs the read it
would have saved, never an error. Writers forget a key after their transaction commits (`forget_on_commit`), so a
reader never caches what a rolled-back write did; every key also expires, a bound on any staleness a write that
bypasses the services (a delete in Django admin) can cause."""

import copy
import logging
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

# Every key this process has cached, so `forget_all` can drop exactly those (the test suite, between tests whose
# rows were rolled back without a commit to forget them).
_written: set[str] = set()


def cached(key: str, compute, *, timeout: int):
    """The value under `key`, or `compute()` stored there for `timeout` seconds."""
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("cache.read_failed", extra={"key": key}, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
            _written.add(key)
        except Exception:
            logger.warning("cache.write_failed", extra={"key": key}, exc_info=True)
    return value


def forget_on_commit(*keys: str) -> None:
    """Delete `keys` now, for this transaction's own later reads, and again once it commits, since a reader in
    between may have cached what was there before it."""

    def forget():
        try:
            cache.delete_many(list(keys))
        except Exception:
            logger.warning("cache.delete_failed", extra={"keys": keys}, exc_info=True)

    forget()
    transaction.on_commit(forget)


class ProcessMemo:
    """A per-process memo of small rows every intake call looks up and that almost never change (the default
    organisation, an organisation's client teams), kept `seconds`: no query and no cache round trip at all.

    A save or delete in this process clears it at once (`tracker.apps` connects `clear` to the models' signals);
    other processes see the change within `seconds`. Each read gets its own copy, so no caller can change another's.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._values: dict = {}
        _memos.append(self)

    def get(self, key, compute):
        """The memo of `key`, or `compute()` remembered (unless it is None: a miss is asked again next time)."""
        hit = self._values.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return copy.copy(hit[1])
        value = compute()
        if value is not None:
            self._values[key] = (now + self.seconds, value)
        return copy.copy(value)

    def clear(self, *args, **kwargs) -> None:
        self._values.clear()


_memos: list[ProcessMemo] = []
_sets: list[set] = []


def process_set() -> set:
    """A set this process keeps (what it has already seen), emptied by `forget_all` with the rest."""
    remembered: set = set()
    _sets.append(remembered)
    return remembered


def forget_all() -> None:
    """Forget every key this process has cached, every memo and every process set."""
    for memo in _memos:
        memo.clear()
    for remembered in _sets:
        remembered.clear()
    if _written:
        cache.delete_many(list(_written))
        _written.clear()
