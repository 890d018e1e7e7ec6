"""Mail through the task queue, end to end: a member's action commits, a real Celery worker
(another process, on Redis and the same PostgreSQL schema) hands the message to a real SMTP
server. The SMTP server stops: nothing is lost, the member sees no error, the rows wait with
their error; it comes back: each message arrives exactly once, counted by Message-ID."""

from __future__ import annotations

import pytest

from sportressources.core.db import db, utcnow
from sportressources.core.mail import OutgoingMail, send_mail
from tests.core.celery_worker import (
    Worker,
    exclusive_redis_db,
    message_ids,
    outbox_rows,
    require_postgresql,
    tasks_broker_url,
    wait_until,
    worker_env,
)
from tests.factories import make_user


@pytest.fixture(params=["postgresql"])
def backend(request) -> str:
    require_postgresql()
    return request.param


@pytest.fixture
def broker_url() -> str:
    return tasks_broker_url()


@pytest.fixture
def app_overrides(broker_url):
    return {
        "TASKS_BROKER_URL": broker_url,
        "MAIL_DELIVERY": "queue",
        "MAIL_RETRY_DELAY": 1,
        "MAIL_MAX_ATTEMPTS": 30,
    }


@pytest.fixture
def start_worker(app, smtp_server, broker_url):
    """Start workers for ``app`` (after ``smtp_server`` set its address); stopped at the end."""
    workers: list[Worker] = []
    with exclusive_redis_db(broker_url):

        def start(name: str = "worker1", beat_schedule=None, **env: str) -> Worker:
            worker = Worker(worker_env(app, broker_url, **env), name, beat_schedule)
            workers.append(worker)
            return worker

        yield start
        for worker in workers:
            worker.stop()


class _Person:
    display_name = "Camille"


def queue_mails(count: int, prefix: str) -> None:
    for number in range(count):
        send_mail(
            f"{prefix}{number}@example.org", "Objet", "accounts/account_deleted", user=_Person()
        )
    db.session.commit()


def test_a_members_action_is_mailed_once_by_the_worker(app, client, smtp_server, start_worker):
    member = make_user(email="camille@example.org")
    smtp_server.start()
    worker = start_worker()

    response = client.post("/compte/mot-de-passe-oublie", data={"email": member.email})

    assert response.status_code == 302
    wait_until(lambda: smtp_server.received, "the reset email reached the SMTP server", [worker])
    [row] = wait_until(
        lambda: [row for row in outbox_rows() if row.status == "sent"] or None,
        "the outbox row is marked sent",
        [worker],
    )
    assert smtp_server.recipients() == ["camille@example.org"]
    assert message_ids(smtp_server) == {row.message_id: 1}
    assert row.attempts == 1


def test_mail_waits_while_smtp_is_down_then_leaves_once_each(
    app, client, smtp_server, start_worker
):
    members = [make_user(email=f"member{number}@example.org") for number in range(3)]
    worker = start_worker()

    for member in members:
        response = client.post("/compte/mot-de-passe-oublie", data={"email": member.email})
        assert response.status_code == 302  # the member is told the link is on its way
        follow = client.get(response.headers["Location"])
        assert follow.status_code == 200

    waiting = wait_until(
        lambda: [row for row in outbox_rows() if row.last_error] or None,
        "a failed attempt is recorded while SMTP is down",
        [worker],
    )
    assert all(row.status == "pending" for row in outbox_rows())
    assert "ConnectionRefusedError" in waiting[0].last_error
    assert smtp_server.received == []

    smtp_server.start()

    wait_until(
        lambda: all(row.status == "sent" for row in outbox_rows()),
        "every message is sent once SMTP is back",
        [worker],
    )
    rows = outbox_rows()
    assert len(rows) == 3
    assert message_ids(smtp_server) == {row.message_id: 1 for row in rows}
    assert smtp_server.recipients() == sorted(member.email for member in members)


def test_two_workers_draining_at_once_send_each_message_once(app, smtp_server, start_worker):
    smtp_server.start()
    first, second = start_worker("worker1"), start_worker("worker2")
    tasks = app.extensions["sportressources.tasks"]

    # Each commit hands its ids to one worker; the beat's drain runs on both at the same time
    queue_mails(25, "batch-a-")
    queue_mails(25, "batch-b-")
    tasks["mail.send"].delay()
    tasks["mail.send"].delay()

    wait_until(
        lambda: (
            len(smtp_server.received) >= 50 and all(row.status == "sent" for row in outbox_rows())
        ),
        "the fifty messages are sent",
        [first, second],
    )
    rows = outbox_rows()
    assert message_ids(smtp_server) == {row.message_id: 1 for row in rows}
    assert len(rows) == 50
    assert all(row.attempts == 1 for row in rows)


def test_the_beat_drains_what_no_commit_handed_over(app, smtp_server, start_worker, tmp_path):
    smtp_server.start()
    # Rows written outside the app's session, so no commit hands them to a worker: as after a
    # broker outage, or a process that died right after its commit
    with db.engine.begin() as connection:
        for number in range(3):
            connection.execute(
                OutgoingMail.__table__.insert().values(
                    recipient=f"late{number}@example.org",
                    subject="Objet",
                    text="Bonjour",
                    headers={},
                    message_id=f"<late{number}@localhost>",
                    status="pending",
                    attempts=0,
                    next_attempt_at=utcnow(),
                    created_at=utcnow(),
                )
            )
    worker = start_worker()
    # mail.send every second instead of every minute (SPORTRESSOURCES_* is read as JSON)
    beat = start_worker(
        "beat", beat_schedule=tmp_path / "beat", SPORTRESSOURCES_TASKS_SCHEDULE='{"mail.send": 1}'
    )

    wait_until(
        lambda: all(row.status == "sent" for row in outbox_rows()),
        "the beat's mail.send sent the three messages",
        [worker, beat],
    )
    assert message_ids(smtp_server) == {f"<late{number}@localhost>": 1 for number in range(3)}
