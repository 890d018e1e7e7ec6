"""Page benchmark (issue 17): whole pages under gunicorn, as fractions of ``/healthz``.

    .venv/bin/python benchmarks/pages.py                     # 100k and 1M, SQLite and PostgreSQL
    .venv/bin/python benchmarks/pages.py --sizes 100k --backends sqlite --duration 3   # smoke run
    .venv/bin/python benchmarks/pages.py --cache-url redis://127.0.0.1:6379/11

For each dataset of benchmarks/search.py (seeded if absent, ``--reseed`` to rebuild) it starts
the app of this checkout under gunicorn (two sync workers, loopback, production settings, rate
limits and request logs off, rendering cache in-process or ``--cache-url``), and measures over
``--concurrency`` keep-alive connections: the search mix cold (pages of its searches that no
request showed before, each requested once just after the start) and the listing page cold
(listings never requested); then, after a warm-up pass, the home page, the search mix, a listing
page, the empty search page (past its last result: the template floor, no card, the least SQL),
the search mix and « Mon espace » signed in, and a revalidation (``If-None-Match`` with the
page's ETag; « 304 not supported » when the app has no validator). Each page is measured in
slices alternating with slices of ``/healthz`` of the same length, so that its fraction of
``/healthz`` holds on a shared 2-core machine. Then the search mix, the empty page and a word
that matches nothing, one request at a time (latency without queueing), against the bare SQL of
the mix replayed in process. Prints a table and the issue's targets (PASS / FAIL, never an
assertion) and writes ``benchmarks/results-pages-<UTC>.json``. Never run by the tests
(tests/test_pages_benchmark.py only checks its options and pages).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))

from pages_report import evaluate_targets, print_run, print_targets  # noqa: E402

BACKENDS = ("sqlite", "postgresql")
SIZE_NAMES = ("100k", "1m")
DEFAULT_PG_URL = "postgresql://root@127.0.0.1:5432/test"
WARM_PASSES = 6  # requests per URL before a warm measurement (both workers see each URL)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Page benchmark: pages under gunicorn as fractions of /healthz.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--sizes", default="100k,1m", help="datasets: 100k, 1m")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--duration", type=float, default=5.0, help="seconds per page (and as many of /healthz)"
    )
    parser.add_argument(
        "--requests", type=int, default=None, help="requests per page instead of --duration"
    )
    parser.add_argument("--slice", type=float, default=0.5, help="seconds per alternating slice")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    parser.add_argument(
        "--cache-url", default="", help="PAGE_CACHE_URL of the server (empty: in-process)"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument(
        "--sqlite-dir", type=Path, default=ROOT / "instance", help="where bench-*.db live"
    )
    parser.add_argument("--reseed", action="store_true", help="rebuild the datasets first")
    parser.add_argument(
        "--latency-requests", type=int, default=200, help="one-at-a-time requests per page"
    )
    parser.add_argument("--cold-pages", type=int, default=100, help="pages walked per search")
    parser.add_argument("--listings", type=int, default=3000, help="cold listing pages at most")
    parser.add_argument("--bare-rounds", type=int, default=20, help="bare SQL replays of the mix")
    parser.add_argument("--out", type=Path, default=None, help="results file (JSON)")
    args = parser.parse_args(argv)
    # Flask-SQLAlchemy would read a relative SQLite path inside instance/
    args.sqlite_dir = args.sqlite_dir.resolve()
    args.size_list = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    args.backend_list = [b.strip().lower() for b in args.backends.split(",") if b.strip()]
    if not args.size_list or set(args.size_list) - set(SIZE_NAMES):
        parser.error(f"--sizes: among {', '.join(SIZE_NAMES)}")
    if not args.backend_list or set(args.backend_list) - set(BACKENDS):
        parser.error(f"--backends: among {', '.join(BACKENDS)}")
    numbers = (args.duration, args.slice, args.concurrency, args.latency_requests)
    if min(numbers) <= 0 or min(args.cold_pages, args.listings, args.bare_rounds) <= 0:
        parser.error("durations, counts and --concurrency must be > 0")
    if args.requests is not None and args.requests <= 0:
        parser.error("--requests must be > 0")
    if args.cache_url and not args.cache_url.startswith(("redis://", "rediss://")):
        parser.error("--cache-url: empty (in-process) or redis://host:port/db")
    return args


def slices_of(args: argparse.Namespace) -> int:
    return max(2, round(args.duration / args.slice))


# --- one dataset ----------------------------------------------------------------------------


def warm_workers(client, plan) -> None:
    """Imports and templates compiled in both workers, without rendering any measured card:
    /healthz, the empty search, the sign-in form and listings kept out of every measurement."""
    from pages_client import Source

    paths = ["/healthz", plan.empty, "/compte/connexion", *plan.warmup_listings]
    client.slice(Source.paths(paths), seconds=60, count=len(paths) * 4)


def warm_up(client, source) -> None:
    """Every URL of ``source`` requested WARM_PASSES times over every connection."""
    client.slice(source, seconds=120, count=len(source.items) * WARM_PASSES)
    source.position = 0


def revalidation_source(client, paths: list[str]):
    """Each page with its validator, for a conditional GET; how many had one."""
    from pages_client import Source

    items, validators = [], {"etag": 0, "last_modified": 0, "none": 0}
    for path in paths:
        response = client.get(path)
        if response.headers.get("ETag"):
            items.append((path, {"If-None-Match": response.headers["ETag"]}))
            validators["etag"] += 1
        elif response.headers.get("Last-Modified"):
            items.append((path, {"If-Modified-Since": response.headers["Last-Modified"]}))
            validators["last_modified"] += 1
        else:  # no validator: the request is still conditional, the app answers 200
            items.append((path, {"If-None-Match": '"sr62-bench-no-validator"'}))
            validators["none"] += 1
    return Source(items), validators


def measure_server(server, plan, args) -> dict:
    """Every page of one dataset on a freshly started server."""
    from pages_client import Client, Source, sign_in

    client = Client(server.url, args.concurrency)
    pages: dict[str, dict] = {}
    errors: list[str] = []
    healthz = Source.paths(["/healthz"])

    def measure(name: str, source, phase: str) -> None:
        page, reference = client.interleaved(
            source, healthz, seconds=args.duration, slices=slices_of(args), requests=args.requests
        )
        row = page.summary()
        row.update(
            phase=phase,
            healthz=reference.summary(),
            fraction=round(page.rate / reference.rate, 3) if reference.rate else None,
            urls=len(source.items),
        )
        if source.once:
            row["pool_exhausted"] = source.exhausted
        pages[name] = row
        print(
            f"    {name:28} {row['rate']:7.1f} req/s  /healthz {reference.rate:7.1f}  "
            f"fraction {row['fraction']}  p95 {row['p95_ms']} ms  {row['statuses']}",
            flush=True,
        )

    try:
        warm_workers(client, plan)
        measure("search mix, cold", Source.paths(plan.cold_searches, once=True), "cold")
        measure("listing page, cold", Source.paths(plan.cold_listings, once=True), "cold")

        mix = Source.paths([u for _, u in plan.mix])
        warm = {
            "home page": Source.paths(["/"]),
            "search mix": mix,
            "listing page": Source.paths(plan.warm_listings),
            "empty search": Source.paths([plan.empty]),
        }
        for source in warm.values():
            warm_up(client, source)
        for name, source in warm.items():
            measure(name, source, "warm")

        try:
            cookie = sign_in(client, *plan.account)
        except RuntimeError as exc:  # the other pages still tell something
            print(f"    signed-in pages left out: {exc}", flush=True)
            errors.append(f"signed-in pages left out: {exc}")
        else:
            signed_in = {
                "search mix, signed in": Source.paths([u for _, u in plan.mix], Cookie=cookie),
                "my space, signed in": Source.paths(["/mon-espace"], Cookie=cookie),
            }
            for name, source in signed_in.items():
                warm_up(client, source)
                measure(name, source, "warm")

        conditional, validators = revalidation_source(
            client, [u for _, u in plan.mix] + ["/"] + plan.warm_listings[:10]
        )
        measure("304 revalidation", conditional, "warm")
        pages["304 revalidation"]["validators"] = validators

        # A word that matches nothing is slow on PostgreSQL (a second at 1M): fewer of those
        search_serial, empty_serial, no_match_serial = client.serial(
            [
                (Source.paths([u for _, u in plan.mix]), args.latency_requests),
                (Source.paths([plan.empty]), args.latency_requests),
                (Source.paths([plan.no_match]), max(5, args.latency_requests // 10)),
            ]
        )
        serial = {
            "search mix": search_serial.summary(),
            "empty search": empty_serial.summary(),
            "no-match search": no_match_serial.summary(),
        }
    finally:
        client.close()
    return {"pages": pages, "serial": serial, "errors": errors}


def run_dataset(backend: str, size: str, args, workdir: Path) -> dict:
    from load import busiest_processes
    from pages_data import dispose, make_app, prepare
    from pages_server import Server, count_cache_keys, flush_cache_prefix, server_environment

    started = time.monotonic()
    print(f"\n{backend} {size}: preparing URLs and bare SQL …", flush=True)
    app = make_app(backend, size, args.pg_url, args.sqlite_dir)
    try:
        plan = prepare(
            app,
            backend,
            size,
            pg_url=args.pg_url,
            reseed=args.reseed,
            cold_pages=args.cold_pages,
            listings=args.listings,
            bare_rounds=args.bare_rounds,
        )
    finally:
        dispose(app)
    print(
        f"  {len(plan.mix)} searches, {len(plan.cold_searches)} cold search pages "
        f"({plan.skipped_pages} left out: over a fifth of their listings already shown; "
        f"{plan.repeated_cards} cards shown twice), "
        f"{len(plan.cold_listings)} cold listings; bare SQL of the mix p50 "
        f"{plan.bare_sql['p50_ms']} / p95 {plan.bare_sql['p95_ms']} ms "
        f"({time.monotonic() - started:.0f} s)",
        flush=True,
    )
    prefix = f"sr62bench{secrets.token_hex(4)}"
    env = server_environment(
        backend,
        size,
        pg_url=args.pg_url,
        sqlite_dir=args.sqlite_dir,
        cache_url=args.cache_url,
        key_prefix=prefix,
    )
    flush_cache_prefix(args.cache_url, prefix)
    load_before = [round(x, 2) for x in os.getloadavg()]
    server = Server(env, workdir / f"gunicorn-{backend}-{size}.log")
    try:
        server.wait_ready()
        print(f"  gunicorn on {server.url}, load average {load_before}", flush=True)
        measured = measure_server(server, plan, args)
        measured["redis_keys"] = count_cache_keys(args.cache_url, prefix)
    finally:
        server.stop()
        flushed = flush_cache_prefix(args.cache_url, prefix)
    run = {
        "backend": backend,
        "size": size,
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "busiest_processes": busiest_processes(),
        "seconds": round(time.monotonic() - started, 1),
        "cold_search_pages": len(plan.cold_searches),
        "cold_search_pages_left_out": plan.skipped_pages,
        "cold_search_cards_shown_twice": plan.repeated_cards,
        "cold_listing_pages": len(plan.cold_listings),
        "mix": [{"name": name, "url": url} for name, url in plan.mix],
        "empty_search": plan.empty,
        "no_match_search": plan.no_match,
        "statements_per_search_page": {name: plan.statements[url] for name, url in plan.mix},
        "bare_sql": plan.bare_sql,
        "redis_keys_flushed_after": flushed,
        **measured,
    }
    print_run(run)
    return run


# --- the run --------------------------------------------------------------------------------


def _terminate(signum, _frame):
    raise SystemExit(f"stopped by signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from load import machine

    signal.signal(signal.SIGTERM, _terminate)
    stamp = datetime.now(UTC)
    out = args.out or HERE / f"results-pages-{stamp:%Y-%m-%d-%H%M}.json"
    workdir = Path(tempfile.mkdtemp(prefix="sr62-pages-"))
    cache = args.cache_url or "in-process (PAGE_CACHE_URL empty)"
    print(
        f"Page benchmark, {stamp:%Y-%m-%d %H:%M} UTC; gunicorn 2 sync workers; "
        f"{args.concurrency} connections; rendering cache {cache}; logs in {workdir}"
    )
    results = {
        "date": stamp.isoformat(timespec="seconds"),
        "command": " ".join(["benchmarks/pages.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "settings": {
            "workers": 2,
            "concurrency": args.concurrency,
            "duration_s": args.duration,
            "requests": args.requests,
            "slices": slices_of(args),
            "cache_url": args.cache_url,
            "latency_requests": args.latency_requests,
        },
        "runs": [],
    }
    for backend in args.backend_list:
        for size in args.size_list:
            results["runs"].append(run_dataset(backend, size, args, workdir))
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = evaluate_targets(results["runs"])
    print_targets(results["targets"])
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nResults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
