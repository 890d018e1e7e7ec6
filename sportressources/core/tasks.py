"""Background tasks: Celery on a Redis broker, with the Flask app around every task.

Domain packages add their jobs in their ``init_app`` with ``register_task(app, name, function,
schedule)``; core never imports them. ``init_tasks`` (run by ``core.init_app``, first of all)
builds the Celery app from ``TASKS_BROKER_URL`` and keeps it in ``app.extensions["celery"]``;
``wsgi.py`` exposes it to ``celery -A wsgi:celery worker`` and ``celery -A wsgi:celery beat``.

With no broker (``TASKS_BROKER_URL`` empty: development, ``make run``, tests) a task asked for
runs at once in the process that asks (``task_always_eager``), and the periodic jobs run only
when an operator (or cron) calls their ``flask`` command. The command and the task call the same
function. A periodic job two workers could start at once runs under ``exclusive(name)``: a
PostgreSQL advisory lock keyed by its name, taken without waiting, so a second run finds the lock
taken and does nothing (on SQLite, which runs one writer at a time, the lock is a no-op).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask
from sqlalchemy import text

from sportressources.core.db import db

__all__ = [
    "SKIPPED",
    "crontab",
    "exclusive",
    "init_tasks",
    "job_lock",
    "register_task",
    "tasks_of",
]

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Redis makes an unacknowledged message visible again after this long: longer than any retry
# countdown (mail waits at most 6 hours), or a delayed retry would be delivered twice
VISIBILITY_TIMEOUT = 7 * 3600
# What a ``flask`` command prints when an exclusive job is already running elsewhere
SKIPPED = "Déjà en cours ailleurs (autre processus ou tâche planifiée) : rien fait cette fois."


def init_tasks(app: Flask) -> Celery:
    """Build this app's Celery app; every task it runs is inside ``app.app_context()``."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config["TASKS_BROKER_URL"]
    celery = Celery(app.import_name, task_cls=FlaskTask, set_as_current=False)
    celery.conf.update(
        broker_url=broker or "memory://",
        task_always_eager=not broker,
        task_eager_propagates=True,
        task_ignore_result=True,
        result_backend=None,
        timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
        enable_utc=True,
        # Every task is idempotent: acknowledged once done, given to another worker if its own
        # died; one message at a time per worker process, so a long job holds up no other
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        broker_connection_retry_on_startup=True,
        # A web request that hands over a task must not hang on a broker that is down
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        beat_schedule={},
        worker_hijack_root_logger=False,
    )
    app.extensions["celery"] = celery
    app.extensions["sportressources.tasks"] = {}
    return celery


def register_task(
    app: Flask,
    name: str,
    function: Callable[..., Any],
    schedule: crontab | timedelta | float | None = None,
    **options: Any,
) -> Task:
    """Make ``function`` the Celery task ``name`` (run in the app context, result not kept), and
    run it on ``schedule`` (a ``crontab`` in ``BABEL_DEFAULT_TIMEZONE``, or an interval) when the
    beat runs, unless ``TASKS_SCHEDULE`` gives it another one (or None: not scheduled).
    ``options`` go to the task (``bind``, ``max_retries``...)."""
    celery: Celery = app.extensions["celery"]
    task = celery.task(name=name, ignore_result=True, **options)(function)
    app.extensions["sportressources.tasks"][name] = task
    schedule = app.config["TASKS_SCHEDULE"].get(name, schedule)
    if schedule is not None:
        if isinstance(schedule, int | float):
            schedule = timedelta(seconds=schedule)
        celery.conf.beat_schedule[name] = {"task": name, "schedule": schedule}
    return task


def tasks_of(app: Flask) -> dict[str, Task]:
    """The registered tasks, by name."""
    return dict(app.extensions["sportressources.tasks"])


def lock_key(schema: str, name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock``, from a job's name and the schema
    the site's tables live in (advisory locks span the whole database: two sites, or two test
    runs, in two schemas of one database must not hold up each other's jobs)."""
    digest = hashlib.blake2b(f"sportressources:{schema}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Hold the lock of job ``name`` for the block; yields False (at once) if another process
    holds it.

    PostgreSQL: a session advisory lock on a connection of its own, so that the job may commit
    as many transactions as it likes meanwhile; released at the end, or by the server if the
    process dies. SQLite: always True (one writer at a time, and one machine).
    """
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    with db.engine.connect() as connection:
        key = lock_key(connection.scalar(text("SELECT current_schema()")) or "", name)
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        connection.commit()
        try:
            yield held
        finally:
            if held:
                try:
                    connection.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
                except Exception:  # noqa: BLE001 - never return a locked connection to the pool
                    connection.invalidate()
                    raise


def exclusive(name: str) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Run the decorated job under ``job_lock(name)``; when another run holds the lock, skip it
    and return None."""

    def decorate(function: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
            with job_lock(name) as held:
                if not held:
                    log.info("job %s is running elsewhere: this run does nothing", name)
                    return None
                return function(*args, **kwargs)

        return wrapper

    return decorate
