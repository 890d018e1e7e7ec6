"""Doing things at the same moment from several threads, each with its own application context
and database session, all released together by a barrier: the races the services must win."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from sportressources.core.db import begin_write, db
from sportressources.core.errors import Conflict


def _run_together(app, jobs: Sequence[Callable[[], object]], timeout: int = 120) -> list:
    """Run each job in its own thread inside an application context; the results in the jobs'
    order. A job's exception fails the test in the test's own thread."""
    barrier = threading.Barrier(len(jobs))
    results: dict[int, object] = {}
    failures: list[BaseException] = []

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=20)
                results[index] = job()
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not failures, failures
    db.session.rollback()
    return [results[index] for index in range(len(jobs))]


def responses_at_once(app, calls) -> list:
    """Send each (client, path, data) POST at the same moment; the responses in the calls' order."""
    return _run_together(app, [lambda c=call: c[0].post(c[1], data=c[2]) for call in calls])


def post_at_once(app, calls) -> list[int]:
    """Like ``responses_at_once``, returning the status codes."""
    return [response.status_code for response in responses_at_once(app, calls)]


def in_threads(app, actions) -> list:
    """Run each action at the same moment in a write transaction, as code outside a request
    opens it, and commit it. Returns what each returned, or the Conflict it raised (then rolled
    back)."""

    def transaction(action):
        def job():
            try:
                begin_write()
                result = action()
                db.session.commit()
                return result
            except Conflict as error:
                db.session.rollback()
                return error
            finally:
                db.session.remove()

        return job

    return _run_together(app, [transaction(action) for action in actions])
