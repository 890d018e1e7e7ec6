"""Queueing in the outbox table, and delivering from it.

``send_mail`` adds a row in the caller's transaction. After the commit the rows leave from the
table: with a task broker (``TASKS_BROKER_URL``), the committed ids are handed to a worker
(``mail.deliver``), never sent by the process that committed them; without one, at once in the
same process when ``MAIL_DELIVERY`` is ``immediate``. Retries leave through the beat's
``mail.send`` every minute (or ``flask mail send``). A sender claims rows in a short
transaction of its own, sends them with no transaction open, then marks each one in another; only
the sender holding the claim may mark a row, so each message is marked sent once, however many
senders run. A message can leave twice only if a sender dies between the relay's « OK » and its
mark; it then carries the same Message-ID.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from flask_babel import LazyString
from sqlalchemy import Row, delete, event, select, update
from sqlalchemy.orm import Session

from sportressources.core.db import db, utcnow
from sportressources.core.mail.compose import Mail, build_message, new_message_id, render_mail
from sportressources.core.mail.models import MailStatus, OutgoingMail
from sportressources.core.mail.transports import (
    MESSAGE_ERRORS,
    describe,
    hand_over,
    is_permanent,
    mask,
)

log = logging.getLogger(__name__)

_QUEUED = "sportressources.mail.queued"  # ids of rows added in the open transaction
_COMMITTED = "sportressources.mail.committed"  # ids whose transaction committed, to deliver
BATCH = 20
# Long enough to send a batch; a sender that died leaves its rows to others after this
CLAIM_LEASE = timedelta(minutes=15)
MAX_RETRY_DELAY = timedelta(hours=6)


def send_mail(
    to: str,
    subject: str | LazyString,
    template: str,
    locale: str | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Mail:
    """Render a message in ``locale`` and queue it in the outbox, in the current transaction;
    flushes.

    It leaves after the commit, never for an action that rolled back; an unreachable mail server
    delays it (retried by the beat's ``mail.send``) and never fails the action.
    """
    mail = render_mail(to, subject, template, locale=locale, headers=headers, **context)
    row = OutgoingMail(
        recipient=mail.to,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        headers=dict(mail.headers),
        message_id=new_message_id(current_app.config["SITE_URL"]),
    )
    session = db.session()
    session.add(row)
    session.flush()
    queue_after_commit(row.id)
    return mail


def queue_after_commit(mail_id: int) -> None:
    """Deliver the outbox row ``mail_id`` once the current transaction commits (see the module
    docstring for how); nothing if it rolls back."""
    db.session().info.setdefault(_QUEUED, []).append(mail_id)


@event.listens_for(Session, "after_commit")
def _remember_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction around it may still roll back
    ids = session.info.pop(_QUEUED, None)
    if ids:
        session.info.setdefault(_COMMITTED, []).extend(ids)


@event.listens_for(Session, "after_transaction_end")
def _deliver_committed(session: Session, transaction) -> None:
    # Once the whole transaction is over and its connection released; a rollback took its rows.
    if transaction.parent is not None:
        return
    session.info.pop(_QUEUED, None)
    ids = session.info.pop(_COMMITTED, None)
    if not ids or not has_app_context():
        return
    if current_app.config["TASKS_BROKER_URL"]:
        hand_to_worker(ids)
        return
    if current_app.config["MAIL_DELIVERY"] != "immediate":
        return
    try:
        deliver_due(ids=ids)
    except Exception:  # noqa: BLE001 - the action is committed; the rows wait for flask mail send
        log.exception("queued mail not delivered now; it stays in the outbox")


def hand_to_worker(ids: list[int]) -> None:
    """Ask a worker to send the committed messages ``ids``; a broker that is down delays them
    (the beat's ``mail.send`` sends them), it never fails the action."""
    try:
        current_app.extensions["sportressources.tasks"]["mail.deliver"].apply_async(
            args=[ids], ignore_result=True
        )
    except Exception:  # noqa: BLE001 - the action is committed; the rows wait for the beat
        log.exception("queued mail not handed to a worker; it stays in the outbox")


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0  # failed this time, tried again later
    failed: int = 0  # given up
    interrupted: bool = False  # the mail server was unreachable: the run stopped


def deliver_due(
    now: datetime | None = None, ids: list[int] | None = None, batch: int = BATCH
) -> DeliveryReport:
    """Send the outbox messages due at ``now`` (only those of ``ids`` if given), oldest first.

    A failure leaves the message pending, tried again after a delay that doubles each time
    (``MAIL_RETRY_DELAY``, at most 6 hours), until ``MAIL_MAX_ATTEMPTS``; then it is marked
    failed, and so is one whose recipient the server refuses for good (5xx). When the server
    cannot be reached, the run stops and gives back the messages it had not tried yet. Each
    message is tried at most once per run. Commits its own short transactions; never uses the
    caller's session.
    """
    now = now or utcnow()
    token = secrets.token_hex(8)
    report = DeliveryReport()
    while not report.interrupted:
        claimed = _claim(token, now, ids, batch)
        if not claimed:
            break
        for position, row in enumerate(claimed):
            try:
                _hand_over(row)
            except MESSAGE_ERRORS as error:
                _record_failure(row, token, now, error, report)
            except OSError as error:
                # The server (or the outbox directory) is unavailable: the others would fail too
                _record_failure(row, token, now, error, report)
                untried = [later.id for later in claimed[position + 1 :]]
                _give_back(untried, token, now)
                if untried:
                    log.warning("mail server unavailable: %d more mail wait(s)", len(untried))
                report.interrupted = True
                break
            except Exception as error:  # noqa: BLE001 - one broken message must not stop the rest
                log.exception("mail %s could not be sent", row.id)
                _record_failure(row, token, now, error, report)
            else:
                if _mark(row.id, token, status=MailStatus.SENT.value, sent_at=_clock(now)):
                    report.sent += 1
    return report


def _clock(now: datetime) -> datetime:
    # ``now`` may be a moment given for a trial run; claims and delays never end before it
    return max(now, utcnow())


def _claim(token: str, now: datetime, ids: list[int] | None, batch: int) -> list[Row]:
    due = (OutgoingMail.status == MailStatus.PENDING.value, OutgoingMail.next_attempt_at <= now)
    candidates = (
        select(OutgoingMail.id)
        .where(*due)
        .order_by(OutgoingMail.id)
        .limit(batch)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite runs one writer at a time
    )
    if ids is not None:
        candidates = candidates.where(OutgoingMail.id.in_(ids))
    claim = (
        update(OutgoingMail)
        # The conditions again: a row another sender claimed meanwhile no longer matches
        .where(OutgoingMail.id.in_(candidates), *due)
        .values(claimed_by=token, next_attempt_at=_clock(now) + CLAIM_LEASE)
        .returning(
            OutgoingMail.id,
            OutgoingMail.created_at,
            OutgoingMail.recipient,
            OutgoingMail.subject,
            OutgoingMail.text,
            OutgoingMail.html,
            OutgoingMail.headers,
            OutgoingMail.message_id,
            OutgoingMail.attempts,
        )
    )
    with db.engine.begin() as connection:
        rows = connection.execute(claim).all()
    return sorted(rows, key=lambda row: row.id)


def _hand_over(row: Row) -> None:
    config = current_app.config
    mail = Mail(
        to=row.recipient,
        subject=row.subject,
        text=row.text,
        html=row.html,
        headers=tuple((row.headers or {}).items()),
    )
    message = build_message(mail, config["MAIL_DEFAULT_SENDER"], row.message_id, row.created_at)
    hand_over(message, config)


def _record_failure(
    row: Row, token: str, now: datetime, error: Exception, report: DeliveryReport
) -> None:
    config = current_app.config
    attempts = row.attempts + 1
    reason = describe(error)
    if is_permanent(error) or attempts >= config["MAIL_MAX_ATTEMPTS"]:
        if _mark(row.id, token, status=MailStatus.FAILED.value, last_error=reason):
            report.failed += 1
            log.error(
                "mail %s to %s given up after %d attempt(s): %s",
                row.id,
                mask(row.recipient),
                attempts,
                reason,
            )
        return
    delay = min(
        timedelta(seconds=config["MAIL_RETRY_DELAY"]) * 2 ** min(attempts - 1, 20), MAX_RETRY_DELAY
    )
    if _mark(row.id, token, next_attempt_at=_clock(now) + delay, last_error=reason):
        report.retrying += 1
        log.warning(
            "mail %s to %s could not be delivered (attempt %d, next in %s): %s",
            row.id,
            mask(row.recipient),
            attempts,
            delay,
            reason,
        )


def _mark(mail_id: int, token: str, **values: Any) -> bool:
    """Record an attempt on a message this sender holds, and release it; False if the claim was
    lost (it outlived ``CLAIM_LEASE`` and another sender took the message)."""
    values.setdefault("last_error", None)
    statement = (
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.claimed_by == token,
            OutgoingMail.status == MailStatus.PENDING.value,
        )
        .values(attempts=OutgoingMail.attempts + 1, claimed_by=None, **values)
    )
    with db.engine.begin() as connection:
        marked = connection.execute(statement).rowcount == 1
    if not marked:
        log.warning("mail %s: claim lost before the attempt was recorded", mail_id)
    return marked


def _give_back(mail_ids: list[int], token: str, now: datetime) -> None:
    """Release claimed messages that were not tried: due again, no attempt counted."""
    if not mail_ids:
        return
    with db.engine.begin() as connection:
        connection.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id.in_(mail_ids), OutgoingMail.claimed_by == token)
            .values(claimed_by=None, next_attempt_at=min(now, utcnow()))
        )


def purge_outbox(keep: timedelta, now: datetime | None = None) -> int:
    """Delete the sent and failed messages queued more than ``keep`` ago, so that the outbox
    holds no one's mail for long; returns how many. Flushes."""
    cutoff = (now or utcnow()) - keep
    result = db.session.execute(
        delete(OutgoingMail)
        .where(
            OutgoingMail.status.in_([MailStatus.SENT.value, MailStatus.FAILED.value]),
            OutgoingMail.created_at < cutoff,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
