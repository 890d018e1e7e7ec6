"""Search benchmark: the search page through Flask, against the same SQL run bare.

Seeds (or reuses) databases of 100,000 and 1,000,000 synthetic listings, on SQLite
(``instance/bench-100k.db``, ``instance/bench-1m.db``) and PostgreSQL (schemas ``bench_100k``,
``bench_1m`` of ``--pg-url``), then for a fixed mix of realistic searches prints, per search:
p50/p95 of the whole request (Flask test client: routing, session, view, template), SQL statements
per request, p50/p95 of the same statements replayed on a bare DBAPI cursor, and the statements
run by ``search_listings`` for pages of 5 and of 50. Also the throughput of the search mix against
``/healthz`` in the same process. Run on demand only:

    .venv/bin/python benchmarks/search.py                      # everything
    .venv/bin/python benchmarks/search.py --sizes 100k --backends sqlite --runs 20
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Blueprint, render_template_string, request  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from sportressources import create_app  # noqa: E402
from sportressources.core.db import db  # noqa: E402

SIZES = {"100k": 100_000, "1m": 1_000_000}
DEFAULT_PG_URL = "postgresql://root@127.0.0.1:5432/test"

# The mix: what people type and tick, from the broadest to the most specific
SEARCHES = [
    ("newest, no filter", {}),
    ("text « vélo »", {"q": "vélo"}),
    ("text « enfant » (common)", {"q": "enfant"}),
    ("text « kimono » (rare)", {"q": "kimono judo"}),
    ("text + sport + kind", {"q": "velo", "sport": "cyclisme", "kind": "sale"}),
    ("sport + category", {"sport": "football", "category": "chaussures"}),
    ("sport + category, page 6", {"sport": "football", "category": "chaussures", "_page": 6}),
    ("zone + kind", {"zone": "lens-lievin", "kind": "gift"}),
    ("commune", {"commune": "62498"}),
    ("photos + condition", {"with_photos": "1", "condition": "very_good"}),
    ("cheapest, max price, text", {"q": "raquette", "sort": "cheapest", "max_price": "20"}),
    ("nearest 10 km", {"near": "commune:62498", "radius": "10", "sort": "nearest"}),
    (
        "text, nearest 10 km",
        {"q": "vélo", "near": "commune:62498", "radius": "10", "sort": "nearest"},
    ),
    (
        "text, nearest, page 4",
        {"q": "ballon", "near": "venue:stade-bollaert-delelis", "sort": "nearest", "_page": 4},
    ),
    ("newest within 5 km", {"near": "commune:62510", "radius": "5"}),
]

PAGE_TEMPLATE = """{% extends "base.html" %}
{% from "listings/_card.html" import listing_card %}
{% block title %}Annonces{% endblock %}
{% block content %}
<h1>Annonces</h1>
{% for name, message in errors.items() %}<p>{{ message }}</p>{% endfor %}
<p>{{ page.count_label or "" }}</p>
<ul class="listing-list">
{% for hit in page.hits %}{{ listing_card(hit.listing, hit.distance_km) }}{% endfor %}
</ul>
{% if page.next_query_string() %}<a href="?{{ page.next_query_string() }}">suivante</a>{% endif %}
{% endblock %}
"""


def stand_in_blueprint() -> Blueprint:
    """The search page as the view will do it, used while the real one is not there."""
    from sportressources.listings.search.params import parse_search_args
    from sportressources.listings.search.query import search_listings

    bp = Blueprint("bench", __name__)

    @bp.route("/bench/annonces")
    def search_page():
        params, errors = parse_search_args(request.args)
        page = search_listings(params)
        return render_template_string(PAGE_TEMPLATE, page=page, errors=errors)

    return bp


def dataset_overrides(backend: str, size: str, pg_url: str, directory: Path) -> dict:
    """Production settings for an app on one dataset (SQLite files in ``directory``)."""
    overrides = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SITE_URL": "http://127.0.0.1:5000",
        "MAIL_BACKEND": "outbox",
        "RATELIMIT_ENABLED": False,
        "REQUEST_LOG_ENABLED": False,
    }
    if backend == "sqlite":
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{directory / f'bench-{size}.db'}"
    else:
        from sportressources.config import normalise_database_url

        overrides["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(pg_url)
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-csearch_path=bench_{size},public"},
        }
    return overrides


def make_app(backend: str, size: str, pg_url: str):
    overrides = dataset_overrides(backend, size, pg_url, ROOT / "instance")
    app = create_app(overrides)
    app.register_blueprint(stand_in_blueprint())
    return app


def ensure_dataset(app, backend: str, size: str, count: int, pg_url: str, reseed: bool) -> None:
    from sqlalchemy import inspect

    from sportressources.core.db import transaction
    from sportressources.listings.synthetic import analyze, seed_synthetic_listings
    from sportressources.venues.loader import load_territory

    with app.app_context():
        if backend == "postgresql":
            from sportressources.config import normalise_database_url

            admin = create_engine(normalise_database_url(pg_url), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                if reseed:
                    connection.execute(text(f"DROP SCHEMA IF EXISTS bench_{size} CASCADE"))
                connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS bench_{size}"))
            admin.dispose()
        elif reseed:
            db.engine.dispose()
            Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).unlink(
                missing_ok=True
            )
        if "listing_search" in inspect(db.engine).get_table_names():
            present = db.session.scalar(text("SELECT count(*) FROM listings"))
            if present == count:
                print(f"  {backend} {size}: reusing {present} listings")
                db.create_all()  # tables added since it was seeded (data_versions...)
                upgrade_dataset(app, backend, size)
                return
            raise SystemExit(
                f"{backend} {size} holds {present} listings, not {count}: rerun with --reseed"
            )
        print(f"  {backend} {size}: seeding {count} listings…", flush=True)
        started = time.monotonic()
        db.create_all()
        load_territory()
        db.session.commit()
        with transaction():
            seed_synthetic_listings(count, batch=20_000)
        analyze()
        print(f"  {backend} {size}: seeded in {time.monotonic() - started:.0f} s", flush=True)


def upgrade_dataset(app, backend: str, size: str) -> None:
    """Add to a dataset seeded before them what db.create_all now makes: listing_positions,
    its spatial index and triggers, and the index of a position's listings; drop the GiST
    index of every listing that PostgreSQL no longer uses."""
    from sqlalchemy import inspect

    from sportressources.listings.search import index as search_index
    from sportressources.listings.synthetic import analyze

    with app.app_context():
        if "listing_positions" in inspect(db.engine).get_table_names():
            return
        started = time.monotonic()
        with db.engine.begin() as connection:
            search_index.listing_positions.create(connection)
            triggers = (
                search_index.SQLITE_POSITION_TRIGGERS
                if backend == "sqlite"
                else search_index.POSTGRESQL_POSITION_TRIGGERS
            )
            for statement in triggers:
                connection.exec_driver_sql(statement)
            for index in search_index.listing_search.indexes:
                if index.name == "ix_listing_search_latitude_longitude_seq":
                    index.create(connection)
            if backend == "postgresql":
                connection.exec_driver_sql("DROP INDEX IF EXISTS search_ix_position")
            search_index.recount_positions(connection)
        analyze()
        print(f"  {backend} {size}: positions added in {time.monotonic() - started:.0f} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def resolve_pages(app, searches) -> list[tuple[str, dict]]:
    """Turn ``_page: n`` into the cursor of page n, found by walking pages like a visitor."""
    from sportressources.listings.search.params import parse_search_args
    from sportressources.listings.search.query import search_listings

    resolved = []
    with app.app_context():
        for name, args in searches:
            args = dict(args)
            pages = args.pop("_page", 1)
            for _ in range(pages - 1):
                params, _errors = parse_search_args(MultiDict(args))
                page = search_listings(params)
                if page.next_cursor is None:
                    break
                args["after"] = page.next_cursor
            resolved.append((name, args))
    return resolved


def run_one(app, path: str, args: dict, runs: int, warmup: int) -> dict:
    client = app.test_client()
    url = f"{path}?{urlencode(args)}" if args else path
    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.split(" ", 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    request_times, statement_counts = [], []
    try:
        for index in range(warmup + runs):
            captured.clear()
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (url, response.status_code)
            if index >= warmup:
                request_times.append(elapsed * 1000)
                statement_counts.append(len(captured))
        statements = list(captured)
    finally:
        event.remove(engine, "before_cursor_execute", capture)

    # The same statements, bare: one DBAPI cursor, no ORM, no Flask
    bare_times = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for index in range(warmup + runs):
            started = time.perf_counter()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            elapsed = time.perf_counter() - started
            if index >= warmup:
                bare_times.append(elapsed * 1000)
        raw.rollback()
    finally:
        raw.close()
    return {
        "url": url,
        "p50_ms": statistics.median(request_times),
        "p95_ms": percentile(request_times, 0.95),
        "mean_ms": statistics.fmean(request_times),
        "statements": max(statement_counts),
        "bare_p50_ms": statistics.median(bare_times),
        "bare_p95_ms": percentile(bare_times, 0.95),
    }


def statements_per_page_size(app, args: dict) -> tuple[int, int]:
    from sportressources.listings.search.params import parse_search_args
    from sportressources.listings.search.query import search_listings

    counts = []
    with app.app_context():
        for size in (5, 50):
            seen: list[str] = []

            def count(*_args, seen=seen):
                seen.append("x")

            event.listen(db.engine, "before_cursor_execute", count)
            try:
                params, _errors = parse_search_args(MultiDict(args))
                search_listings(params, limit=size)
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            counts.append(len(seen))
            db.session.rollback()
    return counts[0], counts[1]


def throughput(app, path: str, urls: list[str], seconds: float) -> float:
    client = app.test_client()
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        response = client.get(urls[done % len(urls)] if urls else path)
        assert response.status_code == 200
        done += 1
    return done / (time.perf_counter() - started)


def search_path(app) -> str:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match("/annonces", method="GET")
    except Exception:  # noqa: BLE001 - no search page yet: use the stand-in
        return "/bench/annonces"
    return "/annonces" if endpoint else "/bench/annonces"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput measurement")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args()

    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {platform.python_version()}",
        "runs": [],
    }
    for backend in options.backends.split(","):
        for size in options.sizes.split(","):
            app = make_app(backend, size, options.pg_url)
            ensure_dataset(app, backend, size, SIZES[size], options.pg_url, options.reseed)
            if options.seed_only:
                continue
            path = search_path(app)
            searches = resolve_pages(app, SEARCHES)
            # The benchmark is CPU-bound: a busy machine shows in the 1-minute load average
            load_before = os.getloadavg()[0]
            print(f"\n{backend} {size} ({path}), load average {load_before:.2f}")
            print(
                f"{'search':30} {'p50':>7} {'p95':>7} {'stmts':>5} {'bare50':>7} "
                f"{'bare95':>7} {'5/50':>6}"
            )
            rows = []
            for name, args in searches:
                row = run_one(app, path, args, options.runs, options.warmup)
                row["name"] = name
                row["statements_5_50"] = statements_per_page_size(app, args)
                rows.append(row)
                print(
                    f"{name:30} {row['p50_ms']:7.2f} {row['p95_ms']:7.2f} {row['statements']:5d} "
                    f"{row['bare_p50_ms']:7.2f} {row['bare_p95_ms']:7.2f} "
                    f"{'{}/{}'.format(*row['statements_5_50']):>6}",
                    flush=True,
                )
            urls = [row["url"] for row in rows]
            search_rate = throughput(app, path, urls, options.seconds)
            health_rate = throughput(app, "/healthz", [], options.seconds)
            load_after = os.getloadavg()[0]
            print(
                f"throughput: search mix {search_rate:.0f} req/s, /healthz {health_rate:.0f} "
                f"req/s, ratio {search_rate / health_rate:.2f}; load average {load_after:.2f}"
            )
            results["runs"].append(
                {
                    "backend": backend,
                    "size": size,
                    "path": path,
                    "searches": rows,
                    "search_rate": search_rate,
                    "healthz_rate": health_rate,
                    "load_average": [load_before, load_after],
                }
            )
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    if options.json:
        options.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
