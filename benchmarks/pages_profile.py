"""Where a page's time goes: cProfile of the search mix (or listing pages) through the Flask
test client, on one dataset of benchmarks/search.py.

    .venv/bin/python benchmarks/pages_profile.py                       # search mix, SQLite 100k
    .venv/bin/python benchmarks/pages_profile.py --page listing --backend postgresql --top 40

Production settings, in-process rendering cache; every URL is requested once before profiling
(templates compiled, caches warm), then ``--requests`` requests cycle over the URLs under
cProfile. Prints the top functions by cumulative time, then by own time, and the mean request
time with and without the profiler.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--size", default="100k", choices=("100k", "1m"))
    parser.add_argument("--page", default="search", choices=("search", "listing", "home"))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--save", type=Path, help="also write the raw profile (pstats) here")
    parser.add_argument("--pg-url", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--sqlite-dir", type=Path, default=HERE.parent / "instance")
    args = parser.parse_args(argv)
    args.sqlite_dir = args.sqlite_dir.resolve()

    from pages_data import (
        SEARCHES,
        SIZES,
        dispose,
        ensure_dataset,
        listing_pages,
        make_app,
        walk_mix,
    )

    app = make_app(args.backend, args.size, args.pg_url, args.sqlite_dir)
    ensure_dataset(app, args.backend, args.size, SIZES[args.size], args.pg_url, False)
    with app.app_context():
        if args.page == "search":
            urls = [url for _, url in walk_mix(SEARCHES)]
        elif args.page == "listing":
            urls = listing_pages(set(), 20)[1][:20]
        else:
            urls = ["/"]
    client = app.test_client()
    for url in urls:
        assert client.get(url).status_code == 200, url

    def run() -> float:
        started = time.perf_counter()
        for index in range(args.requests):
            client.get(urls[index % len(urls)])
        return (time.perf_counter() - started) * 1000 / args.requests

    plain = run()
    profiler = cProfile.Profile()
    profiler.enable()
    profiled = run()
    profiler.disable()
    dispose(app)
    if args.save:
        profiler.dump_stats(args.save)

    print(
        f"{args.page} ({len(urls)} URLs), {args.backend} {args.size}: {args.requests} requests, "
        f"mean {plain:.2f} ms a request ({profiled:.2f} ms under cProfile)\n"
    )
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(args.top)
        print(f"--- top {args.top} by {order} ---")
        print(out.getvalue().split("\n", 6)[-1] if order == "tottime" else out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
