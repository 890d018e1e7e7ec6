"""The rendering cache: fragments of pages and per-request lookups, never the truth.

Every entry is keyed by what it shows (``key(...)`` hashes the values it was built from), so a
change to the data gives a new key and an old entry is simply never asked for again: nothing has
to be deleted for a page to be right, and a cache that is down, cold or full only costs the work
it would have saved. ``PAGE_CACHE_URL`` empty keeps the entries in each process (development,
one server); ``redis://...`` shares them between every process and server (Flask-Caching's
RedisCache, under the ``sr62:cache:`` prefix). ``PAGE_CACHE_ENABLED`` false turns it off.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app
from flask_caching import Cache

log = logging.getLogger(__name__)

store = Cache()

# An entry nobody asked for in a day is dropped; keys change with the data, not with time
DEFAULT_TIMEOUT = 24 * 3600
# In-process: at most this many entries per process (cards of about 1 kB, pages of 5 to 15 kB
# compressed: at most some 50 MB a process)
IN_PROCESS_ENTRIES = 5_000


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
        settings = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": IN_PROCESS_ENTRIES}
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
