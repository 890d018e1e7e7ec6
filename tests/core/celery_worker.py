"""A real Celery worker in a subprocess (``celery -A wsgi:celery worker``), on the test's
PostgreSQL schema and a Redis database of its own, for the tests of background tasks.

The worker reads its settings from the environment, as in production: ``worker_env`` builds it
from the test app's configuration. Tests that use Redis database ``TASKS_REDIS_DB`` hold a file
lock, so that xdist processes never flush each other's queues.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from sqlalchemy import select

from sportressources.config import normalise_database_url
from sportressources.core.db import db
from sportressources.core.mail import OutgoingMail

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
TASKS_REDIS_DB = 13
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Generous bounds for a worker to start or a message to arrive: reaching one is a failure, never
# what the test measures
STARTUP = 60.0
PATIENCE = 60.0


def tasks_broker_url() -> str:
    """``TEST_REDIS_URL``'s server, database 13; the test fails (CI) or is skipped without it."""
    import redis

    if not REDIS_URL:
        message = "TEST_REDIS_URL is not set: the task queue needs Redis"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    parts = urlsplit(REDIS_URL)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{TASKS_REDIS_DB}", "", ""))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis at {url} is unreachable: {exc}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


@contextmanager
def exclusive_redis_db(url: str) -> Iterator[None]:
    """Hold database 13 for this test (across xdist processes) and start it empty."""
    import redis

    lock_path = Path(tempfile.gettempdir()) / f"sportressources-redis-{TASKS_REDIS_DB}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        client = redis.Redis.from_url(url)
        client.flushdb()
        try:
            yield
        finally:
            client.flushdb()
            client.close()
            fcntl.flock(lock, fcntl.LOCK_UN)


def require_postgresql() -> None:
    if not PG_URL:
        message = "TEST_DATABASE_URL is not set: workers share a PostgreSQL database"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def database_url_of(app) -> str:
    """The app's PostgreSQL URL with the test schema's search_path in it, for another process."""
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]
    url = normalise_database_url(PG_URL)
    return f"{url}{'&' if '?' in url else '?'}options={quote(options)}"


def worker_env(app, broker_url: str, **extra: str) -> dict[str, str]:
    """The environment of a worker process serving ``app``'s database and mail settings."""
    config = app.config
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SPORTRESSOURCES_", "MAIL_", "TASKS_"))
    }
    env.update(
        APP_ENV="production",
        SECRET_KEY="worker-test-secret-key-with-enough-length-0123456789",
        DATABASE_URL=database_url_of(app),
        TASKS_BROKER_URL=broker_url,
        SITE_URL=config["SITE_URL"],
        LOG_FORMAT="text",
        UPLOAD_DIR=config["UPLOAD_DIR"],
        MAIL_BACKEND=config["MAIL_BACKEND"],
        MAIL_SERVER=str(config["MAIL_SERVER"]),
        MAIL_PORT=str(config["MAIL_PORT"]),
        MAIL_USE_TLS="0",
        MAIL_OUTBOX_DIR=config["MAIL_OUTBOX_DIR"],
        MAIL_RETRY_DELAY=str(config["MAIL_RETRY_DELAY"]),
        MAIL_MAX_ATTEMPTS=str(config["MAIL_MAX_ATTEMPTS"]),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Worker:
    """``celery -A wsgi:celery worker --pool=solo`` in a subprocess (or, with ``beat=True``, the
    beat); its log is kept in ``log``."""

    def __init__(self, env: dict[str, str], name: str, beat_schedule: Path | None = None):
        self.log: list[str] = []
        self._ready = threading.Event()
        if beat_schedule is None:
            arguments = [
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}@%h",
            ]
            self._ready_text = " ready."
        else:
            arguments = ["beat", "--schedule", str(beat_schedule)]
            self._ready_text = "beat: Starting"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wsgi:celery", *arguments, "--loglevel=INFO"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._ready.wait(STARTUP) or self.process.poll() is not None:
            self.stop()
            pytest.fail(f"celery {arguments[0]} did not start:\n" + "".join(self.log[-60:]))

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line)
            if self._ready_text in line:
                self._ready.set()
        self._ready.set()  # ended: let the waiter look at the exit code

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # a warm shutdown: the current task finishes first
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def wait_until(condition: Callable[[], object], what: str, worker_logs: list[Worker] = ()):
    """Poll ``condition`` until it holds; fail (with the workers' logs) if it never does."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    logs = "".join(line for worker in worker_logs for line in worker.log[-80:])
    pytest.fail(f"never happened: {what}\n{logs}")


def message_ids(smtp_server) -> Counter:
    """How many times the SMTP server accepted each Message-ID."""
    return Counter(
        message_from_bytes(envelope.original_content)["Message-ID"]
        for envelope in smtp_server.received
    )


def outbox_rows() -> list[OutgoingMail]:
    """Every outbox row, as the other processes committed them."""
    db.session.rollback()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))
