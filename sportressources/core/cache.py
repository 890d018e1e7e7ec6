"""The rendering cache: fragments of pages and per-request lookups, never the truth.

Every entry is keyed by what it shows (``key(...)`` hashes the values it was built from), so a
change to the data gives a new key and an old entry is simply never asked for again: nothing has
to be deleted for a page to be right, and a cache that is down, cold or full only costs the work
it would have saved. ``PAGE_CACHE_URL`` empty keeps the entries in each process
(``InProcessCache``, least recently used dropped first); ``redis://...`` shares them between
every process and server (Flask-Caching's RedisCache, under the ``sr62:cache:`` prefix).
``PAGE_CACHE_ENABLED`` false turns it off.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app
from flask_caching import Cache
from flask_caching.backends.base import BaseCache

log = logging.getLogger(__name__)

store = Cache()

# An entry nobody asked for in a day is dropped; keys change with the data, not with time
DEFAULT_TIMEOUT = 24 * 3600
# In-process: at most this many bytes of entries per process (a card is about 1 kB, a page 5 to
# 15 kB compressed), the least recently used dropped first
IN_PROCESS_BYTES = 48 * 1024 * 1024


class InProcessCache(BaseCache):
    """Entries in this process, the least recently used dropped first beyond ``max_bytes``.

    Not cachelib's SimpleCache: at capacity it sorts every entry on each insert and drops those
    that expire first, which are the pages (ten minutes) before the cards (a day), so a burst
    of new cards emptied it of the pages most asked for. Values are pickled, as in Redis: a
    caller never shares an object with another request.
    """

    def __init__(self, max_bytes: int = IN_PROCESS_BYTES, default_timeout: int = 300) -> None:
        super().__init__(default_timeout)
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def factory(cls, app, config, args, kwargs) -> InProcessCache:
        return cls(config["CACHE_IN_PROCESS_BYTES"], config["CACHE_DEFAULT_TIMEOUT"])

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= len(key) + len(entry[1])

    def get(self, key: str) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] and entry[0] < time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
        return pickle.loads(entry[1])

    def get_many(self, *keys: str) -> list[Any]:
        return [self.get(key) for key in keys]

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        seconds = self._normalize_timeout(timeout)
        expires = time.monotonic() + seconds if seconds else 0.0
        with self._lock:
            self._drop(key)
            self._entries[key] = (expires, data)
            self.size += len(key) + len(data)
            while self.size > self.max_bytes and self._entries:
                self._drop(next(iter(self._entries)))
        return True

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> list[Any]:
        for key, value in mapping.items():
            self.set(key, value, timeout)
        return list(mapping)

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        if self.has(key):
            return False
        return self.set(key, value, timeout)

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def delete(self, key: str) -> bool:
        with self._lock:
            found = key in self._entries
            self._drop(key)
        return found

    def clear(self) -> bool:
        with self._lock:
            self._entries.clear()
            self.size = 0
        return True


def init_app(app: Flask) -> None:
    url = app.config["PAGE_CACHE_URL"]
    if not app.config["PAGE_CACHE_ENABLED"]:
        settings: dict[str, Any] = {"CACHE_TYPE": "NullCache"}
    elif url:
        settings = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": f"{app.config['RATELIMIT_KEY_PREFIX']}:cache:",
        }
    else:
        settings = {
            "CACHE_TYPE": f"{__name__}.InProcessCache",
            "CACHE_IN_PROCESS_BYTES": IN_PROCESS_BYTES,
        }
    settings["CACHE_DEFAULT_TIMEOUT"] = DEFAULT_TIMEOUT
    store.init_app(app, config=settings)


def key(kind: str, *parts: Any) -> str:
    """``kind:`` and a digest of ``parts`` (their ``repr``): equal values, equal key."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"{kind}:{digest}"


def _cache():
    return store.cache if current_app.config["PAGE_CACHE_ENABLED"] else None


def get_many(keys: Iterable[str]) -> dict[str, Any]:
    """The entries found, by key (missing ones absent); {} if the cache does not answer."""
    keys = list(keys)
    cache = _cache()
    if cache is None or not keys:
        return {}
    try:
        values = cache.get_many(*keys)
    except Exception as exc:  # noqa: BLE001 - a cache that is down only costs the work
        log.warning("rendering cache unreachable: %s", exc.__class__.__name__)
        return {}
    return {k: v for k, v in zip(keys, values, strict=True) if v is not None}


def set_many(entries: dict[str, Any], timeout: int = DEFAULT_TIMEOUT) -> None:
    cache = _cache()
    if cache is None or not entries:
        return
    try:
        cache.set_many(entries, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - a cache that is down only costs the work
        log.warning("rendering cache unreachable: %s", exc.__class__.__name__)


def remember(cache_key: str, build: Callable[[], Any], timeout: int = DEFAULT_TIMEOUT) -> Any:
    """The cached value of ``cache_key``, or ``build()`` stored under it. ``None`` is never
    stored (it reads as a miss)."""
    found = get_many([cache_key])
    if cache_key in found:
        return found[cache_key]
    value = build()
    if value is not None:
        set_many({cache_key: value}, timeout)
    return value


def clear() -> None:
    """Drop every entry (tests, benchmarks' cold runs; never needed for correctness)."""
    cache = _cache()
    if cache is not None:
        cache.clear()
