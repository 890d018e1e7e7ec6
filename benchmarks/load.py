"""Load test (issue 15): a realistic mix against gunicorn on loopback, one then two app servers.

    .venv/bin/python benchmarks/load.py                      # defaults: 2 × 60 s, ~4 min in all
    .venv/bin/python benchmarks/load.py --duration 20 --users 20 --listings 0 --keep

It starts everything it needs: a fresh PostgreSQL database (``--database``, dropped afterwards
unless ``--keep``), ``flask db upgrade``, ``flask data init --demo``, synthetic listings
(``flask demo seed --listings N``), load-test accounts (benchmarks/load_setup.py), then the app
in production mode (APP_ENV=production, a random SECRET_KEY shared by every server, cookies
allowed over plain http on loopback, rate limits counted in Redis db 12 under a key prefix of
this run and loosened so that one address can drive the load, or switched off with
``--no-rate-limits``; mail written to the outbox table as production does, for a worker to
send). Phase 1: one gunicorn server with ``--workers`` processes; phase 2: two servers on two
ports, same database and Redis, with the visitors spread over both and every signed-in member
switching server at random on each request. Each phase runs benchmarks/load_locust.py (locust,
headless) in its own process. Prints a table per phase and writes
``benchmarks/results-load-<UTC date and time>.json``. Never run by ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Loose enough that one loopback address never hits them, low enough to still be counted
LOOSE_LIMIT = "100000 per minute"
LIMITED_FORMS = ("LOGIN", "REGISTER", "PASSWORD_RESET", "EMAIL_RESEND", "REPORT")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load test: one then two gunicorn app servers, locust headless.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds measured per phase")
    parser.add_argument("--users", type=int, default=40, help="simulated visitors at once")
    parser.add_argument("--spawn-rate", type=float, default=20, help="visitors started a second")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument(
        "--listings", type=int, default=20_000, help="synthetic listings added (0: demo only)"
    )
    parser.add_argument("--accounts", type=int, default=50, help="load-test member accounts")
    parser.add_argument(
        "--pg-url",
        default="postgresql://root@127.0.0.1:5432",
        help="PostgreSQL server (no database name)",
    )
    parser.add_argument("--database", default="sr62_load", help="database created for the run")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="RATELIMIT_ENABLED=false instead of loose limits counted in Redis",
    )
    parser.add_argument("--port", type=int, default=0, help="first port (0: free ports)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--out", type=Path, default=None, help="results file (JSON)")
    args = parser.parse_args(argv)
    if min(args.duration, args.users, args.spawn_rate, args.workers, args.accounts) <= 0:
        parser.error("--duration, --users, --spawn-rate, --workers and --accounts must be > 0")
    if not args.database.isidentifier():
        parser.error("--database must be a plain name (letters, digits, _)")
    return args


# --- the database ---------------------------------------------------------------------------


def database_url(args: argparse.Namespace, name: str | None = None) -> str:
    return f"{args.pg_url.rstrip('/')}/{name or args.database}"


def admin(args: argparse.Namespace, statement: str) -> None:
    import psycopg

    with psycopg.connect(database_url(args, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


def create_database(args: argparse.Namespace) -> None:
    admin(args, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    admin(args, f'CREATE DATABASE "{args.database}"')


def drop_database(args: argparse.Namespace) -> None:
    admin(args, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


# --- the app servers ------------------------------------------------------------------------


def app_environment(args: argparse.Namespace, workdir: Path, prefix: str) -> dict[str, str]:
    """The environment of every flask command and gunicorn server of the run."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SPORTRESSOURCES_", "FLASK_"))
    }
    env.update(
        APP_ENV="production",
        FLASK_APP="wsgi",
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url(args),
        SITE_URL="http://127.0.0.1",
        MAIL_BACKEND="outbox",
        MAIL_DELIVERY="queue",
        MAIL_OUTBOX_DIR=str(workdir / "outbox"),
        UPLOAD_DIR=str(workdir / "uploads"),
        STORAGE_BACKEND="local",
        TASKS_BROKER_URL="",
        WEB_CONCURRENCY=str(2 * args.workers),
        # Plain http on loopback: the browser (locust) must send the session cookie back
        SPORTRESSOURCES_SESSION_COOKIE_SECURE="false",
        SPORTRESSOURCES_REMEMBER_COOKIE_SECURE="false",
    )
    if args.no_rate_limits:
        env["RATELIMIT_ENABLED"] = "false"
    else:
        env.update(
            RATELIMIT_ENABLED="true",
            RATELIMIT_STORAGE_URI=args.redis_url,
            SPORTRESSOURCES_RATELIMIT_KEY_PREFIX=prefix,
        )
        for form in LIMITED_FORMS:
            env[f"SPORTRESSOURCES_RATELIMIT_{form}"] = LOOSE_LIMIT
    return env


def flask(env: dict[str, str], *command: str) -> None:
    started = time.monotonic()
    completed = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        sys.exit(f"flask {' '.join(command)} failed:\n{completed.stdout}{completed.stderr}")
    print(f"  flask {' '.join(command)} ({time.monotonic() - started:.0f} s)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One gunicorn app server on a loopback port (its own master and workers)."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path) -> None:
        self.port, self.log = port, log
        self.url = f"http://127.0.0.1:{port}"
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(
                    f"gunicorn on {self.port} stopped; its log:\n{self.log.read_text()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        sys.exit(f"gunicorn on {self.port} did not answer /healthz in {timeout:.0f} s")

    def warm_up(self) -> None:
        """A few pages per worker, so that the first measured requests do not pay imports."""
        for path in ("/", "/annonces", "/lieux", "/territoire") * 3:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                response.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # quick shutdown: the phase is over
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def start_servers(env, count: int, args, workdir: Path) -> list[Server]:
    ports = [args.port + n if args.port else free_port() for n in range(count)]
    servers = [Server(env, port, args.workers, workdir / f"gunicorn-{port}.log") for port in ports]
    for server in servers:
        server.wait_ready()
        server.warm_up()
    return servers


# --- one phase ------------------------------------------------------------------------------


def run_phase(label: str, servers: list[Server], args, catalogue: Path, workdir: Path) -> dict:
    """One phase in a locust process of its own, with the CPU each part used."""
    out = workdir / f"{label}.json"
    load_before = os.getloadavg()
    completed = subprocess.run(
        [
            sys.executable,
            str(HERE / "load_locust.py"),
            "--hosts",
            ",".join(server.url for server in servers),
            "--catalogue",
            str(catalogue),
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--duration",
            str(args.duration),
            "--out",
            str(out),
            "--app-pids",
            ",".join(str(server.process.pid) for server in servers),
            "--pg-url",
            database_url(args),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if completed.returncode or not out.exists():
        sys.exit(f"locust ({label}) failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}")
    phase = json.loads(out.read_text(encoding="utf-8"))
    phase.update(
        label=label,
        workers=args.workers,
        load_average_before=[round(x, 2) for x in load_before],
        load_average_after=[round(x, 2) for x in os.getloadavg()],
        busiest_processes=busiest_processes(),
    )
    return phase


def busiest_processes(count: int = 8) -> list[str]:
    """What else was using the CPU just after the phase (other engineers' tests, say)."""
    listing = subprocess.run(
        ["ps", "-eo", "pcpu,comm", "--sort=-pcpu"], capture_output=True, text=True
    ).stdout.splitlines()
    return [" ".join(line.split()) for line in listing[1 : count + 1]]


def machine() -> dict:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f"{kilobytes / 1024 / 1024:.0f} GB"
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory": memory,
        "system": platform.platform(),
        "python": platform.python_version(),
    }


def clear_rate_limit_keys(args, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(args.redis_url)
    keys = list(client.scan_iter(f"*{prefix}*"))
    if keys:
        client.delete(*keys)


# --- the run --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(HERE))
    from load_report import text_table

    stamp = datetime.now(UTC)
    out = args.out or HERE / f"results-load-{stamp:%Y-%m-%d-%H%M}.json"
    prefix = f"sr62load{secrets.token_hex(4)}"
    workdir = Path(tempfile.mkdtemp(prefix="sr62-load-"))
    env = app_environment(args, workdir, prefix)
    limits = (
        "rate limits off (RATELIMIT_ENABLED=false)"
        if args.no_rate_limits
        else f"rate limits on, in Redis {args.redis_url}, {LOOSE_LIMIT} per limited form"
    )
    print(f"Load test, {stamp:%Y-%m-%d %H:%M} UTC; {limits}; work files in {workdir}")
    servers: list[Server] = []
    phases = []
    try:
        print(f"Database {database_url(args)} (fresh):")
        create_database(args)
        flask(env, "db", "upgrade")
        flask(env, "data", "init", "--demo")
        if args.listings:
            flask(env, "demo", "seed", "--listings", str(args.listings))
        catalogue = workdir / "catalogue.json"
        setup = subprocess.run(
            [sys.executable, str(HERE / "load_setup.py"), str(args.accounts), str(catalogue)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if setup.returncode:
            sys.exit(f"load_setup.py failed:\n{setup.stdout}{setup.stderr}")
        print(f"  {setup.stdout.strip()}")
        for label, count in (("phase 1: one server", 1), ("phase 2: two servers", 2)):
            servers = start_servers(env, count, args, workdir)
            print(f"{label}: {', '.join(s.url for s in servers)}, {args.duration:.0f} s …")
            phases.append(run_phase(label, servers, args, catalogue, workdir))
            print(text_table(phases[-1]) + "\n")
            for server in servers:
                server.stop()
            servers = []
    finally:
        for server in servers:
            server.stop()
        if not args.no_rate_limits:
            clear_rate_limit_keys(args, prefix)
        if args.keep:
            print(f"Kept: database {database_url(args)}, files {workdir}")
        else:
            drop_database(args)
            shutil.rmtree(workdir, ignore_errors=True)
    results = {
        "date": stamp.isoformat(timespec="seconds"),
        "command": " ".join(["benchmarks/load.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "settings": {
            "duration_s": args.duration,
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "workers_per_server": args.workers,
            "synthetic_listings": args.listings,
            "accounts": args.accounts,
            "rate_limits": limits,
            "mail": "outbox table (MAIL_DELIVERY=queue), left for a worker",
            "tasks": "in-process (TASKS_BROKER_URL empty)",
        },
        "phases": phases,
    }
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"Results: {out}")
    failures = sum(phase["total"]["failures"] for phase in phases)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
