"""What the page benchmark (benchmarks/pages.py) requests, prepared in the benchmark's own
process before the server starts: the search mix of benchmarks/search.py, pages of those
searches never requested (cold), published listings, a member account, and the bare SQL of the
mix replayed on a DBAPI cursor (as benchmarks/search.py does).

Everything here runs an app of its own on the dataset, with the in-process rendering cache
(never the Redis one the server may use), before or after the server's measurements.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from search import (  # noqa: F401 (SIZES re-exported)
    SEARCHES,
    SIZES,
    dataset_overrides,
    ensure_dataset,
    percentile,
)
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict

from sportressources import create_app
from sportressources.core.db import db, transaction

SEARCH_PATH = "/annonces"
# The template floor: the search page past its last result (a cursor before the first listing),
# the page's view and template without a card and with the cheapest SQL. A word that matches
# nothing is no floor on PostgreSQL: finding that nothing matches costs more than a page.
EMPTY_QUERY = {"after": "0"}
NO_MATCH_QUERY = {"q": "zzqxwvjk"}
# Listing pages taken one published listing in this many (by id), then shuffled
LISTING_STRIDE = 37
# A cold search page may show this share of listings already shown by an earlier cold page
COLD_OVERLAP = 0.2


@dataclass
class Plan:
    """The URLs of one dataset and what was measured in process."""

    mix: list[tuple[str, str]]  # (name, url): the 15 searches, as benchmarks/search.py has them
    cold_searches: list[str]  # pages of the mix's searches, each showing listings not yet shown
    skipped_pages: int  # pages left out of cold_searches: they showed listings already shown
    repeated_cards: int  # cards of cold_searches shown by an earlier page of cold_searches
    warm_listings: list[str]
    cold_listings: list[str]
    warmup_listings: list[str]  # requested before the cold phase, never measured
    empty: str
    no_match: str
    account: tuple[str, str]
    statements: dict[str, int] = field(default_factory=dict)
    bare_sql: dict = field(default_factory=dict)


def url(args: dict) -> str:
    return f"{SEARCH_PATH}?{urlencode(args)}" if args else SEARCH_PATH


def make_app(backend: str, size: str, pg_url: str, sqlite_dir: Path):
    """The app on one dataset, production settings, in-process rendering cache."""
    overrides = dataset_overrides(backend, size, pg_url, sqlite_dir)
    overrides.update(
        {"SITE_URL": "http://127.0.0.1", "PAGE_CACHE_URL": "", "SESSION_COOKIE_SECURE": False}
    )
    return create_app(overrides)


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def prepare(app, backend, size, *, pg_url, reseed, cold_pages, listings, bare_rounds) -> Plan:
    """Seed (or reuse) the dataset, then the URLs, the account and the bare SQL of the mix."""
    ensure_dataset(app, backend, size, SIZES[size], pg_url, reseed)
    with app.app_context():
        mix = walk_mix(SEARCHES)
        cold, skipped, repeated, shown = cold_pages_of(SEARCHES, cold_pages)
        warmup, warm, cold_listings = listing_pages(shown, listings)
        empty, no_match = url(EMPTY_QUERY), url(NO_MATCH_QUERY)
        check_empty(empty)
        check_empty(no_match)
        account = member_account()
        db.session.remove()
    plan = Plan(mix, cold, skipped, repeated, warm, cold_listings, warmup, empty, no_match, account)
    plan.statements, plan.bare_sql = bare_sql(app, [u for _, u in mix], bare_rounds)
    return plan


def _page(args: dict):
    from sportressources.listings.search.params import parse_search_args
    from sportressources.listings.search.query import search_listings

    params, _errors = parse_search_args(MultiDict(args))
    return search_listings(params)


def walk_mix(searches) -> list[tuple[str, str]]:
    """The mix's URLs, ``_page: n`` turned into the cursor of page n (benchmarks/search.py)."""
    resolved = []
    for name, args in searches:
        args = dict(args)
        for _ in range(args.pop("_page", 1) - 1):
            page = _page(args)
            if page.next_cursor is None:
                break
            args["after"] = page.next_cursor
        resolved.append((name, url(args)))
    return resolved


def cold_pages_of(searches, pages_per_search: int) -> tuple[list[str], int, int, set[int]]:
    """Pages 1, 2, 3… of each search of the mix, taken in turn (page 1 of every search, then
    page 2…), each to be requested once on a fresh server. A page is kept when at most
    COLD_OVERLAP of its listings were on a page kept before it, so that nearly every card of the
    cold measurement is rendered for the first time. Returns the pages, how many were left out,
    how many cards of the kept pages had been shown before, and every listing id shown."""
    walkers = {}
    for _name, args in searches:
        base = {k: v for k, v in args.items() if k != "_page"}
        walkers.setdefault(tuple(sorted(base.items())), base)
    cursors: dict[tuple, dict | None] = {key: dict(base) for key, base in walkers.items()}
    shown: set[int] = set()
    pages, skipped, repeated = [], 0, 0
    for _ in range(pages_per_search):
        for key, args in list(cursors.items()):
            if args is None:
                continue
            page = _page(args)
            ids = {hit.listing.id for hit in page.hits}
            if ids and len(ids & shown) <= COLD_OVERLAP * len(ids):
                pages.append(url(args))
                repeated += len(ids & shown)
                shown |= ids
            elif ids:
                skipped += 1
            cursors[key] = {**args, "after": page.next_cursor} if page.next_cursor else None
        db.session.expunge_all()
    return pages, skipped, repeated, shown


def listing_pages(shown: set[int], count: int) -> tuple[list[str], list[str], list[str]]:
    """Published listings not shown by the cold search pages: 4 to warm the workers up, 50 for
    the warm measurement, up to ``count`` never requested for the cold one."""
    from sportressources.listings.models import Listing, ListingStatus

    ids = [
        listing_id
        for listing_id in db.session.scalars(
            select(Listing.id)
            .where(
                Listing.status == ListingStatus.PUBLISHED.value,
                Listing.id % LISTING_STRIDE == 11,
            )
            .order_by(Listing.id)
        )
        if listing_id not in shown
    ]
    random.Random(17).shuffle(ids)
    paths = [f"/annonces/{listing_id}" for listing_id in ids]
    return paths[:4], paths[4:54], paths[54 : 54 + count]


def check_empty(path: str) -> None:
    from urllib.parse import parse_qsl, urlsplit

    page = _page(dict(parse_qsl(urlsplit(path).query)))
    if page.hits:
        raise SystemExit(
            f"the search {path} should find nothing but finds {len(page.hits)} listings"
        )


def member_account() -> tuple[str, str]:
    """A confirmed resident with the demo password (benchmarks/load_setup.py's first load-test
    account), created in the dataset the first time."""
    from load_setup import ensure_accounts

    from sportressources.accounts.demo import DEMO_PASSWORD

    with transaction():
        email = ensure_accounts(1)[0]
    return email, DEMO_PASSWORD


def forget_kept_page(app, response) -> None:
    """Drop the page the app kept under its tag (``core.httpcache``), if any, so that the next
    request renders it again (with its cards cached): the statements of a page being built,
    not the one statement of a kept page."""
    tag = response.headers.get("ETag", "")
    if not tag:
        return
    from sportressources.core import cache, httpcache

    with app.app_context():
        cache.store.cache.delete(httpcache.page_key(tag.removeprefix("W/").strip('"')))


def bare_sql(app, urls: list[str], rounds: int) -> tuple[dict[str, int], dict]:
    """Statements per search page, and the statements of the mix replayed bare.

    Each URL is requested twice through the test client (the second time with the process's
    rendering cache warm, as on a warm server, but the page itself built again); the statements
    of the second request are then
    replayed ``rounds`` times over the mix on one DBAPI cursor, no ORM, no Flask: the p50/p95
    of a page's SQL alone, pooled over the mix."""
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.split(" ", 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            captured.append((statement, parameters))

    statements: dict[str, list] = {}
    event.listen(engine, "before_cursor_execute", capture)
    try:
        for path in urls:
            forget_kept_page(app, client.get(path))
            captured.clear()
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code} in process")
            statements[path] = list(captured)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    times: list[float] = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for index in range(rounds + 1):
            for path in urls:
                started = time.perf_counter()
                for statement, parameters in statements[path]:
                    cursor.execute(statement, parameters)
                    cursor.fetchall()
                if index:  # the first round warms the connection's statement cache
                    times.append((time.perf_counter() - started) * 1000)
        raw.rollback()
    finally:
        raw.close()
    counts = {path: len(found) for path, found in statements.items()}
    return counts, {
        "replays": len(times),
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(percentile(times, 0.95), 3),
        "p99_ms": round(percentile(times, 0.99), 3),
    }
