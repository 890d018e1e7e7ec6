"""Tables and the issue's targets for the page benchmark (benchmarks/pages.py).

    .venv/bin/python benchmarks/pages_report.py benchmarks/results-pages-….json [--markdown]

prints a results file again, as text or as the Markdown tables of benchmarks/README.md.
Targets are compared and printed (PASS / FAIL), never asserted: a benchmark on a shared machine
informs, it does not gate.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# Issue 17's targets
SEARCH_WARM, SEARCH_COLD, LISTING, REVALIDATION = 0.35, 0.2, 0.5, 0.8
SQL_MARGIN_MS, SIZE_RATIO = 3.0, 1.5
ORDER = (
    "search mix, cold",
    "listing page, cold",
    "home page",
    "search mix",
    "listing page",
    "empty search",
    "search mix, signed in",
    "my space, signed in",
    "304 revalidation",
)


def _statuses(row: dict) -> str:
    return " ".join(f"{status}×{count}" for status, count in row["statuses"].items())


def serial_margin(run: dict) -> float | None:
    """Search p95 minus (bare SQL p95 + empty search p95), one request at a time."""
    serial = run.get("serial") or {}
    if "search mix" not in serial or "empty search" not in serial:
        return None
    floor = run["bare_sql"]["p95_ms"] + serial["empty search"]["p95_ms"]
    return round(serial["search mix"]["p95_ms"] - floor, 2)


def print_run(run: dict) -> None:
    print(
        f"\n  {run['backend']} {run['size']} — load average {run['load_average_before']} → "
        f"{run['load_average_after']}"
    )
    print(
        f"  {'page':24} {'phase':5} {'req/s':>7} {'healthz':>7} {'frac':>6} "
        f"{'p50':>7} {'p95':>7} {'p99':>7}  statuses"
    )
    for name in ORDER:
        row = run["pages"].get(name)
        if row is None:
            continue
        print(
            f"  {name:24} {row['phase']:5} {row['rate']:7.1f} {row['healthz']['rate']:7.1f} "
            f"{row['fraction'] or 0:6.3f} {row['p50_ms']:7.2f} {row['p95_ms']:7.2f} "
            f"{row['p99_ms']:7.2f}  {_statuses(row)}"
            + ("  (pool exhausted)" if row.get("pool_exhausted") else "")
        )
    serial = run["serial"]
    print(
        f"  one at a time: search mix p50 {serial['search mix']['p50_ms']} / p95 "
        f"{serial['search mix']['p95_ms']} ms; empty search p50 "
        f"{serial['empty search']['p50_ms']} / p95 {serial['empty search']['p95_ms']} ms; "
        f"no-match word p50 {serial['no-match search']['p50_ms']} / p95 "
        f"{serial['no-match search']['p95_ms']} ms; "
        f"bare SQL of the mix p50 {run['bare_sql']['p50_ms']} / p95 {run['bare_sql']['p95_ms']} "
        f"ms; search p95 − (bare p95 + empty p95) = {serial_margin(run)} ms"
    )


def _target(name, run, value, limit, passed, note="") -> dict:
    return {
        "target": name,
        "backend": run["backend"],
        "size": run["size"],
        "value": value,
        "limit": limit,
        "result": "n/a" if value is None else ("PASS" if passed else "FAIL"),
        "note": note,
    }


def evaluate_targets(runs: list[dict]) -> list[dict]:
    targets = []
    for run in runs:
        pages = run["pages"]
        for page, limit in (
            ("search mix", SEARCH_WARM),
            ("search mix, cold", SEARCH_COLD),
            ("listing page", LISTING),
            ("listing page, cold", LISTING),
            ("304 revalidation", REVALIDATION),
        ):
            fraction = pages.get(page, {}).get("fraction")
            note = ""
            if page == "304 revalidation" and "304" not in pages[page]["statuses"]:
                note = "304 not supported: the app answered " + _statuses(pages[page])
            targets.append(
                _target(
                    f"{page} ≥ {limit} of /healthz",
                    run,
                    fraction,
                    limit,
                    fraction is not None and fraction >= limit,
                    note,
                )
            )
        if run["size"] == "1m":
            margin = serial_margin(run)
            targets.append(
                _target(
                    f"search p95 ≤ bare SQL p95 + empty page p95 + {SQL_MARGIN_MS:g} ms",
                    run,
                    margin,
                    SQL_MARGIN_MS,
                    margin is not None and margin <= SQL_MARGIN_MS,
                    "one request at a time; value = search p95 − (bare p95 + empty p95)",
                )
            )
    by_backend: dict[str, dict[str, dict]] = {}
    for run in runs:
        by_backend.setdefault(run["backend"], {})[run["size"]] = run
    for sizes in by_backend.values():
        if not {"100k", "1m"} <= set(sizes):
            continue
        small, large = sizes["100k"], sizes["1m"]
        pairs = [
            (
                "search mix (one at a time)",
                small["serial"]["search mix"],
                large["serial"]["search mix"],
            )
        ]
        for page in ("search mix", "search mix, cold", "listing page", "home page"):
            if page in small["pages"] and page in large["pages"]:
                pairs.append((page, small["pages"][page], large["pages"][page]))
        for name, before, after in pairs:
            ratio = round(after["p95_ms"] / before["p95_ms"], 2) if before["p95_ms"] else None
            targets.append(
                _target(
                    f"{name}: p95 1M ÷ 100k ≤ {SIZE_RATIO:g}",
                    large,
                    ratio,
                    SIZE_RATIO,
                    ratio is not None and ratio <= SIZE_RATIO,
                )
            )
        same = small["statements_per_search_page"] == large["statements_per_search_page"]
        differing = [
            f"{name} {count}→{large['statements_per_search_page'].get(name)}"
            for name, count in small["statements_per_search_page"].items()
            if large["statements_per_search_page"].get(name) != count
        ]
        targets.append(
            _target(
                "statements per search page the same at 100k and 1M",
                large,
                max(large["statements_per_search_page"].values()),
                "same",
                same,
                "; ".join(differing) or "max statements per page shown",
            )
        )
    return targets


def print_targets(targets: list[dict]) -> None:
    print("\nIssue 17 targets (informative, never asserted):")
    for target in targets:
        print(
            f"  {target['result']:4} {target['backend']:10} {target['size']:4} "
            f"{target['target']}: {target['value']}"
            + (f"  ({target['note']})" if target["note"] else "")
        )


def markdown(results: dict) -> str:
    """The README's tables: one per backend, a column pair per size."""
    lines = []
    runs = results["runs"]
    for backend in dict.fromkeys(run["backend"] for run in runs):
        mine = [run for run in runs if run["backend"] == backend]
        header = "| page | " + " | ".join(
            f"{run['size']} req/s (÷ /healthz) | {run['size']} p50 / p95 / p99 ms" for run in mine
        )
        lines += [
            f"### {backend}",
            "",
            header + " | statuses |",
            "|---" * (1 + 2 * len(mine)) + "|---|",
        ]
        for name in ORDER:
            if not all(name in run["pages"] for run in mine):
                continue
            cells = []
            for run in mine:
                row = run["pages"][name]
                cells.append(f"{row['rate']:.0f} ({row['fraction'] or 0:.3f})")
                cells.append(f"{row['p50_ms']:.1f} / {row['p95_ms']:.1f} / {row['p99_ms']:.1f}")
            statuses = "; ".join(f"{run['size']}: {_statuses(run['pages'][name])}" for run in mine)
            lines.append(
                f"| {name} ({mine[0]['pages'][name]['phase']}) | "
                + " | ".join(cells)
                + f" | {statuses} |"
            )
        lines.append(
            "| /healthz (all slices) | "
            + " | ".join(f"{_healthz_rate(run):.0f} (1.000) | — " for run in mine)
            + " | |"
        )
        lines.append("")
        for run in mine:
            serial = run["serial"]
            lines.append(
                f"- {run['size']}: one at a time, search mix p50 / p95 "
                f"{serial['search mix']['p50_ms']} / {serial['search mix']['p95_ms']} ms, empty "
                f"search {serial['empty search']['p50_ms']} / {serial['empty search']['p95_ms']} "
                f"ms, bare SQL of the mix {run['bare_sql']['p50_ms']} / {run['bare_sql']['p95_ms']}"
                f" ms (margin {serial_margin(run)} ms); load average "
                f"{run['load_average_before']} → {run['load_average_after']}"
            )
        lines.append("")
    lines += [
        "### Targets",
        "",
        "| result | backend | size | target | value | note |",
        "|---|---|---|---|---|---|",
    ]
    for target in results["targets"]:
        lines.append(
            f"| {target['result']} | {target['backend']} | {target['size']} | {target['target']} "
            f"| {target['value']} | {target['note']} |"
        )
    return "\n".join(lines)


def _healthz_rate(run: dict) -> float:
    """/healthz throughput over every slice of the dataset."""
    requests = sum(row["healthz"]["requests"] for row in run["pages"].values())
    seconds = sum(row["healthz"]["seconds"] for row in run["pages"].values())
    return requests / seconds if seconds else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a page benchmark results file.")
    parser.add_argument("results", type=Path)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    if args.markdown:
        print(markdown(results))
    else:
        for run in results["runs"]:
            print_run(run)
        print_targets(results["targets"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
