"""The task queue as operators see it: the beat schedule, tasks run in-process without a broker,
the ``flask`` commands as manual triggers of the same jobs, and periodic jobs that run once
when two start at the same time."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from celery.schedules import crontab
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.mail import OutgoingMail, send_mail
from sportressources.core.tasks import job_lock, tasks_of

BEAT = {
    "mail.send": timedelta(minutes=1),
    "mail.purge": crontab(hour=3, minute=30),
    "alerts.send": crontab(hour=7, minute=0),
    "users.purge_unconfirmed": crontab(hour=3, minute=10),
    "uploads.purge": crontab(hour=3, minute=20),
    "loans.remind": timedelta(minutes=5),
    "secondlife.scan": crontab(hour=10, minute=0),
    "inventory.purge_handouts": crontab(hour=3, minute=40),
    "drives.send_reminders": timedelta(minutes=5),
    "moderation.end_sanctions": crontab(minute=5),
}


def test_the_beat_runs_every_scheduled_job_in_paris_time(app):
    celery = app.extensions["celery"]
    schedule = {name: entry["schedule"] for name, entry in celery.conf.beat_schedule.items()}
    assert schedule == BEAT
    assert celery.conf.timezone == "Europe/Paris"
    assert set(BEAT) | {"mail.deliver"} == set(tasks_of(app))


def test_workers_take_one_task_at_a_time_and_acknowledge_it_when_done(app):
    conf = app.extensions["celery"].conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_ignore_result
    # Longer than the longest retry countdown (6 hours), or Redis would deliver it twice
    assert conf.broker_transport_options["visibility_timeout"] > 6 * 3600


def test_without_a_broker_a_task_runs_at_once_in_the_process(app, outbox):
    app.config["MAIL_DELIVERY"] = "queue"  # nothing leaves by itself after the commit
    send_mail("a@example.org", "Objet", "accounts/account_deleted", user=_Person())
    db.session.commit()
    assert len(outbox) == 0
    assert app.extensions["celery"].conf.task_always_eager

    tasks_of(app)["mail.send"].delay()

    assert [message.to for message in outbox.messages()] == ["a@example.org"]


def test_the_flask_command_and_the_task_run_the_same_job(app, outbox):
    app.config["MAIL_DELIVERY"] = "queue"
    send_mail("a@example.org", "Objet", "accounts/account_deleted", user=_Person())
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["mail", "send"])

    assert result.exit_code == 0
    assert "1 courriel(s) envoyé(s)" in result.output
    assert len(outbox) == 1
    assert tasks_of(app)["mail.send"].run() == "0 courriel(s) envoyé(s), 0 à réessayer plus " + (
        "tard, 0 abandonné(s)."
    )


class _Person:
    display_name = "Camille"


def test_the_mail_drain_needs_no_lock_its_row_claims_share_the_work(app, outbox):
    app.config["MAIL_DELIVERY"] = "queue"
    for number in range(3):
        send_mail(f"m{number}@example.org", "Objet", "accounts/account_deleted", user=_Person())
    db.session.commit()

    with job_lock("mail.send"):  # even held, the drain runs: it is not an exclusive job
        tasks_of(app)["mail.send"].delay()

    assert len(outbox) == 3
    db.session.rollback()
    assert {row.status for row in db.session.scalars(select(OutgoingMail))} == {"sent"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    "app_overrides", [{"TASKS_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"}]
)
def test_a_broker_that_is_down_fails_no_action_and_loses_no_mail(app, outbox, caplog):
    send_mail("a@example.org", "Objet", "accounts/account_deleted", user=_Person())
    db.session.commit()  # the action stands

    assert "queued mail not handed to a worker" in caplog.text
    assert len(outbox) == 0  # never sent by the process that committed, even when it could
    db.session.rollback()
    assert db.session.scalar(select(OutgoingMail.status)) == "pending"
    # The drain (the beat's mail.send, or its command) sends it once the worker side runs again
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "1 courriel(s) envoyé(s)" in result.output
    assert len(outbox) == 1


@pytest.mark.parametrize(
    "app_overrides",
    [{"TASKS_SCHEDULE": {"secondlife.scan": crontab(hour=9, minute=0), "mail.purge": None}}],
)
def test_the_operator_moves_or_removes_a_job_from_the_beat(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule["secondlife.scan"]["schedule"] == crontab(hour=9, minute=0)
    assert "mail.purge" not in schedule
    assert "mail.purge" in tasks_of(app)  # still a task, and still a command


def test_each_scheduled_task_runs_the_function_its_flask_command_calls(app):
    from sportressources.accounts.cli import purge_unconfirmed
    from sportressources.alerts.services import send_digests_job
    from sportressources.core.mail.tasks import purge, send_due
    from sportressources.drives.cli import send_reminders_job
    from sportressources.drives.inventory_cli import purge_handouts
    from sportressources.listings.photos import purge_uploads
    from sportressources.moderation.sanctions import end_sanctions_job
    from sportressources.secondlife.cli import scan_job
    from sportressources.trade.loans.cli import remind

    jobs = {
        "mail.send": send_due,
        "mail.purge": purge,
        "alerts.send": send_digests_job,
        "users.purge_unconfirmed": purge_unconfirmed,
        "uploads.purge": purge_uploads,
        "loans.remind": remind,
        "secondlife.scan": scan_job,
        "inventory.purge_handouts": purge_handouts,
        "drives.send_reminders": send_reminders_job,
        "moderation.end_sanctions": end_sanctions_job,
    }
    tasks = tasks_of(app)
    assert {name: tasks[name].run for name in jobs} == jobs
