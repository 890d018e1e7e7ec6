"""What admins see of the outbox, and the one thing they do with it: send a given-up message
again. Recipients are shown masked; message bodies never."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from sportressources.core.db import db, utcnow
from sportressources.core.errors import Forbidden, NotFound
from sportressources.core.mail.delivery import queue_after_commit
from sportressources.core.mail.models import MailStatus, OutgoingMail
from sportressources.core.mail.transports import mask
from sportressources.core.security import Role, actor_of, has_role
from sportressources.core.states import apply_transition

SHOWN = 100


@dataclass(frozen=True)
class OutboxLine:
    id: int
    recipient: str  # masked
    subject: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    last_error: str | None


@dataclass(frozen=True)
class OutboxOverview:
    pending: int
    oldest_unsent_at: datetime | None
    retrying: list[OutboxLine]  # pending after at least one failed attempt
    given_up: list[OutboxLine]


def can_watch_outbox(actor) -> bool:
    """Only admins see the outbox (addresses, even masked, and the relay's replies)."""
    return has_role(actor, Role.ADMIN)


def outbox_overview(actor) -> OutboxOverview:
    """The backlog, the messages being retried and those given up, newest first (at most
    ``SHOWN`` of each). Raises Forbidden for anyone but an admin."""
    if not can_watch_outbox(actor):
        raise Forbidden()
    pending = OutgoingMail.status == MailStatus.PENDING.value
    count, oldest = db.session.execute(
        select(func.count(), func.min(OutgoingMail.created_at)).where(pending)
    ).one()
    retrying = select(OutgoingMail).where(pending, OutgoingMail.attempts > 0)
    given_up = select(OutgoingMail).where(OutgoingMail.status == MailStatus.FAILED.value)
    return OutboxOverview(
        pending=count,
        oldest_unsent_at=oldest,
        retrying=_lines(retrying),
        given_up=_lines(given_up),
    )


def _lines(statement) -> list[OutboxLine]:
    rows = db.session.scalars(statement.order_by(OutgoingMail.id.desc()).limit(SHOWN))
    return [_line(row) for row in rows]


def _line(row: OutgoingMail) -> OutboxLine:
    return OutboxLine(
        id=row.id,
        recipient=mask(row.recipient),
        subject=row.subject,
        created_at=row.created_at,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
    )


def retry_given_up_mail(actor, mail_id: int) -> OutboxLine:
    """Send a given-up message again: pending at once, with a full set of attempts, written in
    the audit log (« outgoing_mail.retry »); it leaves after the commit like any new message.
    Flushes.

    Raises Forbidden for anyone but an admin, NotFound for no such message, Conflict if it is
    not given up (sent, or already pending again: of two admins clicking at once, one only
    puts it back, the row being locked)."""
    if not can_watch_outbox(actor):
        raise Forbidden()
    row = db.session.get(OutgoingMail, mail_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(_l("Ce courriel n’est plus dans la file."))
    apply_transition(
        row, "retry", actor=actor_of(actor).user, details={"last_error": row.last_error}
    )
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.claimed_by = None
    db.session.flush()
    queue_after_commit(row.id)
    return _line(row)
