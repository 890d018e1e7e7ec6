"""The in-process rendering cache (``core.cache.InProcessCache``): what a process keeps when
``PAGE_CACHE_URL`` is empty. It must keep what is asked for often, whatever its lifetime, and
stay within its byte budget."""

from __future__ import annotations

import time

from sportressources.core.cache import InProcessCache


def test_the_least_recently_used_entry_goes_first_whatever_its_lifetime():
    cache = InProcessCache(max_bytes=3_000, default_timeout=3600)
    cache.set("page:home", b"p" * 900, timeout=600)  # a page lives ten minutes
    cache.set("card:1", "c" * 900, timeout=86_400)  # a card a day
    cache.set("card:2", "c" * 900, timeout=86_400)
    assert cache.get("page:home") is not None  # read again: the most recently used
    cache.set("card:3", "c" * 900, timeout=86_400)  # over budget: the oldest unread goes
    assert cache.get("page:home") == b"p" * 900
    assert cache.get("card:1") is None
    assert cache.get("card:2") is not None and cache.get("card:3") is not None
    assert cache.size <= 3_000


def test_an_entry_past_its_time_is_a_miss():
    cache = InProcessCache(default_timeout=3600)
    cache.set("place:x", ("Liévin",), timeout=1)
    assert cache.get("place:x") == ("Liévin",)
    cache._entries["place:x"] = (time.monotonic() - 1, cache._entries["place:x"][1])
    assert cache.get("place:x") is None and cache.size == 0


def test_each_reader_gets_its_own_copy():
    cache = InProcessCache()
    cache.set("k", ["a"])
    first = cache.get("k")
    first.append("b")
    assert cache.get("k") == ["a"]


def test_many_at_once_and_clear():
    cache = InProcessCache()
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.get_many("a", "x", "b") == [1, None, 2]
    assert cache.add("a", 3) is False and cache.get("a") == 1
    assert cache.delete("a") and not cache.has("a")
    cache.clear()
    assert cache.get("b") is None and cache.size == 0
