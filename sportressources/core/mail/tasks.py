"""The outbox's jobs: the Celery tasks and the ``flask mail`` commands call these functions.

``mail.deliver`` sends the messages an action just committed (handed over by ``delivery`` after
the commit when a broker is configured, so a web request never talks to the mail server); when
some could not leave it asks Celery to run it again once they are due. ``mail.send`` (the beat,
every minute) sends whatever is due, retries included; ``mail.purge`` (daily) forgets old
messages. The row claims of ``deliver_due`` make any number of these safe at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import Task
from flask import Flask, current_app
from sqlalchemy import func, select

from sportressources.core.db import db, transaction, utcnow
from sportressources.core.mail.delivery import (
    MAX_RETRY_DELAY,
    DeliveryReport,
    deliver_due,
    purge_outbox,
)
from sportressources.core.mail.models import MailStatus, OutgoingMail
from sportressources.core.tasks import crontab, exclusive, register_task

DELIVER = "mail.deliver"
SEND_DUE = "mail.send"
PURGE = "mail.purge"


def register(app: Flask) -> None:
    register_task(
        app,
        DELIVER,
        deliver_committed,
        bind=True,
        max_retries=app.config["MAIL_MAX_ATTEMPTS"],
    )
    register_task(app, SEND_DUE, send_due, 60)
    register_task(app, PURGE, purge, crontab(hour=3, minute=30))


def summary(report: DeliveryReport) -> str:
    text = (
        f"{report.sent} courriel(s) envoyé(s), {report.retrying} à réessayer plus tard, "
        f"{report.failed} abandonné(s)."
    )
    if report.interrupted:
        text += "\nServeur de courrier injoignable : la file attend le prochain passage."
    return text


def send_due(now: datetime | None = None) -> str:
    """Send the queued messages that are due, each exactly once however many run at once."""
    return summary(deliver_due(now))


@exclusive(PURGE)
def purge(days: int | None = None) -> str:
    """Delete the sent and given-up messages older than ``days`` (``MAIL_KEEP_DAYS``)."""
    keep = timedelta(days=days or current_app.config["MAIL_KEEP_DAYS"])
    with transaction():
        count = purge_outbox(keep)
    return f"{count} courriel(s) supprimé(s) de la file."


def deliver_committed(task: Task, ids: list[int]) -> str:
    """Send the messages ``ids`` that are due; while some are still pending, run again when the
    first of them is due (the beat's ``mail.send`` is the safety net past ``max_retries``)."""
    report = deliver_due(ids=ids)
    wait = next_try_in(ids, report, task.request.retries)
    if wait is not None and not task.request.is_eager and task.request.retries < task.max_retries:
        raise task.retry(countdown=wait)
    return summary(report)


def next_try_in(ids: list[int], report: DeliveryReport, retries: int) -> float | None:
    """Seconds until the first of ``ids`` still pending is due, at least one; None if none is.

    After the mail server could not be reached, the messages given back are due at once: wait
    as long as a failed attempt would, doubling with each run."""
    earliest = db.session.scalar(
        select(func.min(OutgoingMail.next_attempt_at)).where(
            OutgoingMail.id.in_(ids), OutgoingMail.status == MailStatus.PENDING.value
        )
    )
    db.session.rollback()
    if earliest is None:
        return None
    wait = (earliest - utcnow()).total_seconds()
    if report.interrupted:
        backoff = current_app.config["MAIL_RETRY_DELAY"] * 2 ** min(retries, 20)
        wait = max(wait, backoff)
    return min(max(wait, 1.0), MAX_RETRY_DELAY.total_seconds())
