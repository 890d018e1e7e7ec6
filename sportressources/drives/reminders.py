"""The reminder the day before a drop-off: ``send_reminders`` is idempotent and safe to run from
cron every few minutes, even twice at once. Each pledge is claimed by a compare-and-set UPDATE
(``… WHERE reminded_at IS NULL``) and only the run whose UPDATE changed the row sends. Days are
Europe/Paris calendar days; ``now`` is injectable so that tests travel in time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from sportressources.core.dates import paris_midnight, paris_today
from sportressources.core.db import db, utcnow
from sportressources.drives import notices
from sportressources.drives.models import DriveSlot, Pledge, PledgeStatus


def _claim(pledge_id: int, moment: datetime) -> bool:
    result = db.session.execute(
        update(Pledge)
        .where(
            Pledge.id == pledge_id,
            Pledge.reminded_at.is_(None),
            Pledge.status == PledgeStatus.BOOKED.value,
        )
        .values(reminded_at=moment)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_reminders(now: datetime | None = None) -> int:
    """Remind, once each, the members whose booked drop-off is tomorrow (or later today, for a
    run that missed yesterday's); returns how many were reminded. Flushes; the caller commits
    (outside a request, open the transaction with ``core.db.begin_write`` first)."""
    moment = now or utcnow()
    until = paris_midnight(paris_today(moment) + timedelta(days=2))
    due = db.session.scalars(
        select(Pledge.id)
        .join(DriveSlot, DriveSlot.id == Pledge.slot_id)
        .where(
            Pledge.status == PledgeStatus.BOOKED.value,
            Pledge.reminded_at.is_(None),
            DriveSlot.starts_at > moment,
            DriveSlot.starts_at < until,
        )
        .order_by(Pledge.id)
    ).all()
    sent = 0
    for pledge_id in due:
        if _claim(pledge_id, moment):
            pledge = db.session.get(Pledge, pledge_id, populate_existing=True)
            notices.tell_pledger(pledge, "drive_reminder")
            sent += 1
    db.session.flush()
    return sent
