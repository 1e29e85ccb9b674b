"""A per-worker memory cache bounded by the bytes it holds, not by its number of entries.

Django's LocMemCache counts entries: 2,000 sitemaps of 400 KB are 0.8 GB a worker. This one
drops the least recently used pages once MAX_BYTES (keys and pickled values) would be passed.
"""

from __future__ import annotations

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# Bytes held per cache name, shared like LocMemCache's own stores (one per process).
_totals: dict[str, list[int]] = {}


class BytesBoundedLocMemCache(LocMemCache):
    """LocMemCache that also keeps its keys and values under OPTIONS["MAX_BYTES"]."""

    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self.max_bytes = int(options.get("MAX_BYTES", DEFAULT_MAX_BYTES))
        self._total = _totals.setdefault(name, [0])

    @property
    def bytes_held(self) -> int:
        return self._total[0]

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        self._delete(key)
        size = len(key) + len(value)
        if size > self.max_bytes:
            return
        while self._cache and self._total[0] + size > self.max_bytes:
            # get() and set() move an entry to the front: the last is the least recently used.
            self._forget(*self._cache.popitem())
        super()._set(key, value, timeout)
        self._total[0] += size

    def _forget(self, key, value) -> None:
        self._expire_info.pop(key, None)
        self._total[0] -= len(key) + len(value)

    def _cull(self):
        if self._cull_frequency == 0:
            self._cache.clear()
            self._expire_info.clear()
            self._total[0] = 0
            return
        for _ in range(len(self._cache) // self._cull_frequency):
            self._forget(*self._cache.popitem())

    def _delete(self, key):
        value = self._cache.get(key)
        if not super()._delete(key):
            return False
        self._total[0] -= len(key) + len(value)
        return True

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._total[0] = 0

    def incr(self, key, delta=1, version=None):
        raise NotImplementedError("the page cache holds pages, not counters")
