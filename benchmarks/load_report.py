"""Tables of the load test's results (benchmarks/load.py): plain text for the terminal and
Markdown for benchmarks/README.md, from the JSON results file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

COLUMNS = ("request", "n", "req/s", "p50", "p95", "p99", "errors")


def _row(entry: dict) -> list[str]:
    name = f"{entry['name']}" if entry["name"] != "Aggregated" else "ALL"
    return [
        name,
        str(entry["requests"]),
        f"{entry['rps']:.1f}",
        f"{entry['p50_ms']:.0f}",
        f"{entry['p95_ms']:.0f}",
        f"{entry['p99_ms']:.0f}",
        str(entry["failures"]),
    ]


def phase_rows(phase: dict) -> list[list[str]]:
    requests = sorted(phase["requests"], key=lambda e: -e["requests"])
    return [_row(entry) for entry in requests] + [_row(phase["total"])]


def phase_title(phase: dict) -> str:
    cpu = phase.get("cpu", {})
    per_request = cpu.get("app_cpu_ms_per_request")
    extra = f", app CPU {per_request:.0f} ms/request" if per_request else ""
    return (
        f"{phase['label']}: {len(phase['hosts'])} server(s) × {phase['workers']} workers, "
        f"{phase['users']} users, {phase['duration_s']:.0f} s, "
        f"{phase['total']['rps']:.1f} req/s{extra}"
    )


def text_table(phase: dict) -> str:
    rows = [list(COLUMNS), *phase_rows(phase)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [phase_title(phase) + " (times in ms)"]
    for number, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    errors = phase["errors"]
    if errors:
        lines.append("errors:")
        lines += [f"  {e['count']} × {e['method']} {e['name']}: {e['error']}" for e in errors]
    else:
        lines.append("errors: none")
    servers = phase.get("requests_per_server", {})
    lines.append("requests per server: " + ", ".join(f"{k} {v}" for k, v in servers.items()))
    return "\n".join(lines)


def markdown_table(phase: dict) -> str:
    lines = [
        f"**{phase_title(phase)}** (times in ms)",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in phase_rows(phase)]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """``python benchmarks/load_report.py RESULTS.json [--markdown]``: the tables again."""
    results = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    render = markdown_table if "--markdown" in argv else text_table
    print("\n\n".join(render(phase) for phase in results["phases"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
