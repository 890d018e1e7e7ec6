"""Periodic jobs that two workers (or a worker and an operator) start at the same time: one
does the work, the other finds the PostgreSQL advisory lock taken and does nothing."""

from __future__ import annotations

import threading

import pytest

from sportressources.core.db import db
from sportressources.core.tasks import SKIPPED, exclusive, job_lock
from tests.core.celery_worker import require_postgresql


@pytest.fixture(params=["postgresql"])
def backend(request) -> str:
    require_postgresql()
    return request.param


def run_in_thread(app, function, *args):
    """Run ``function`` in another thread with its own app context (its own connection)."""
    outcome: dict = {}

    def target():
        with app.app_context():
            try:
                outcome["value"] = function(*args)
            finally:
                db.session.remove()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def test_two_runs_of_a_periodic_job_at_once_do_the_work_once(app):
    inside, release = threading.Event(), threading.Event()
    done: list[str] = []

    @exclusive("test.job")
    def job(who: str) -> str:
        inside.set()
        release.wait()
        done.append(who)
        return who

    first, first_outcome = run_in_thread(app, job, "first")
    assert inside.wait(30)
    second, second_outcome = run_in_thread(app, job, "second")
    second.join(30)
    release.set()
    first.join(30)

    assert done == ["first"]
    assert first_outcome == {"value": "first"}
    assert second_outcome == {"value": None}  # found the lock taken and did nothing
    # Released: the next run does the work
    release.set()
    assert job("third") == "third"


def test_a_command_started_while_the_task_runs_says_so_and_does_nothing(app):
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with job_lock("loans.remind") as held:
            assert held
            holding.set()
            release.wait()

    thread, _ = run_in_thread(app, hold)
    assert holding.wait(30)
    try:
        result = app.test_cli_runner().invoke(args=["loans", "remind"])
    finally:
        release.set()
        thread.join(30)

    assert result.exit_code == 0
    assert result.output.strip() == SKIPPED
    again = app.test_cli_runner().invoke(args=["loans", "remind"])
    assert "rappel(s) avant échéance" in again.output
