"""The app under gunicorn for the page benchmark (benchmarks/pages.py): its environment, and a
server that is always stopped, with every worker, however the run ends.

The server runs the code of the checkout this file sits in (``wsgi:app`` from its root), so the
same benchmark measures today's code and an integrated branch alike.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgresql_url(pg_url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if pg_url.startswith(prefix):
            return "postgresql+psycopg://" + pg_url[len(prefix) :]
    return pg_url


def server_environment(
    backend: str, size: str, *, pg_url: str, sqlite_dir: Path, cache_url: str, key_prefix: str
) -> dict[str, str]:
    """Production settings, as benchmarks/load.py sets them, pointed at one dataset.

    PostgreSQL datasets are schemas of one database: the engine's connections get the schema
    first in their search_path (as benchmarks/search.py does), through a JSON setting that Flask
    reads from ``SPORTRESSOURCES_SQLALCHEMY_ENGINE_OPTIONS``.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SPORTRESSOURCES_", "FLASK_", "PAGE_CACHE_", "DATABASE_"))
        and key not in {"WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "APP_ENV"}
    }
    env.update(
        APP_ENV="production",
        FLASK_APP="wsgi",
        SECRET_KEY=secrets.token_urlsafe(48),
        SITE_URL="http://127.0.0.1",
        MAIL_BACKEND="outbox",
        MAIL_DELIVERY="queue",
        TASKS_BROKER_URL="",
        STORAGE_BACKEND="local",
        RATELIMIT_ENABLED="false",
        PAGE_CACHE_URL=cache_url,
        # Plain http on loopback: the client must be able to send the session cookie back
        SPORTRESSOURCES_SESSION_COOKIE_SECURE="false",
        SPORTRESSOURCES_REMEMBER_COOKIE_SECURE="false",
        SPORTRESSOURCES_REQUEST_LOG_ENABLED="false",
        # Keys of this run only (the Redis rendering cache is flushed by this prefix)
        SPORTRESSOURCES_RATELIMIT_KEY_PREFIX=key_prefix,
    )
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{sqlite_dir / f'bench-{size}.db'}"
    else:
        env["DATABASE_URL"] = postgresql_url(pg_url)
        env["SPORTRESSOURCES_SQLALCHEMY_ENGINE_OPTIONS"] = (
            '{"pool_pre_ping": true, "connect_args": '
            f'{{"options": "-csearch_path=bench_{size},public"}}}}'
        )
    return env


class Server:
    """``gunicorn wsgi:app`` with two sync workers on a loopback port, in a process group of its
    own so that ``stop`` ends the master and every worker."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = WORKERS) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; its log:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM to the whole group (graceful), SIGKILL after 15 s."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # Workers left behind by a master that died first
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()


def flush_cache_prefix(cache_url: str, key_prefix: str) -> int:
    """Delete this run's keys in the Redis rendering cache; the number deleted."""
    if not cache_url:
        return 0
    import redis

    client = redis.Redis.from_url(cache_url)
    keys = list(client.scan_iter(f"{key_prefix}*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])
    return len(keys)


def count_cache_keys(cache_url: str, key_prefix: str) -> dict[str, int] | None:
    """Keys under this run's prefix and in the whole Redis database: an app that wrote its
    rendering cache under another prefix shows as keys outside the run's."""
    if not cache_url:
        return None
    import redis

    client = redis.Redis.from_url(cache_url)
    mine = sum(1 for _ in client.scan_iter(f"{key_prefix}*", count=1000))
    return {"under_run_prefix": mine, "in_database": client.dbsize()}
