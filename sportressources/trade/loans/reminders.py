"""Due dates: a reminder the day before the last day of a loan, an overdue notice after it.

``send_reminders`` is idempotent and safe to run from cron every few minutes, even twice at once:
each loan and event is marked by a compare-and-set UPDATE (``… WHERE due_reminder_sent_at IS
NULL``) and only the run whose UPDATE changed the row sends. Days are Europe/Paris calendar days;
``now`` is injectable so that tests travel in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from sportressources.core.db import db, utcnow
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Loan, LoanStatus
from sportressources.trade.loans.notices import tell
from sportressources.trade.loans.rules import lender_side_members


@dataclass(frozen=True)
class ReminderReport:
    due_soon: int
    overdue: int


def _claim(loan_id: int, column, moment: datetime) -> bool:
    """Mark one event of one loan as sent; True only for the run that changed the row."""
    result = db.session.execute(
        update(Loan)
        .where(Loan.id == loan_id, column.is_(None), Loan.status == LoanStatus.ACTIVE.value)
        .values({column.key: moment})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_reminders(now: datetime | None = None) -> ReminderReport:
    """Send the reminders due at ``now`` (aware; the present by default), each exactly once.

    Active loans whose last day is tomorrow (or today, for a run that missed yesterday) remind
    the borrower; active loans whose last day has passed send the overdue notice to the borrower
    and tell the owner. An accepted extension resets both marks. Flushes; the caller commits
    (outside a request, open the transaction with ``core.db.begin_write`` first).
    """
    moment = now or utcnow()
    today = paris_today(moment)
    due_soon = overdue = 0
    for loan_id in db.session.scalars(
        select(Loan.id).where(
            Loan.status == LoanStatus.ACTIVE.value,
            Loan.due_reminder_sent_at.is_(None),
            Loan.end_date.between(today, today + timedelta(days=1)),
        )
    ).all():
        if _claim(loan_id, Loan.due_reminder_sent_at, moment):
            loan = _load(loan_id)
            tell(loan.borrower, "due_soon", loan, actor=loan.lender)
            due_soon += 1
    for loan_id in db.session.scalars(
        select(Loan.id).where(
            Loan.status == LoanStatus.ACTIVE.value,
            Loan.overdue_notice_sent_at.is_(None),
            Loan.end_date < today,
        )
    ).all():
        if _claim(loan_id, Loan.overdue_notice_sent_at, moment):
            loan = _load(loan_id)
            tell(loan.borrower, "overdue", loan, actor=loan.lender)
            for member in lender_side_members(loan):
                tell(member, "overdue_lender", loan, actor=loan.borrower)
            overdue += 1
    db.session.flush()
    return ReminderReport(due_soon=due_soon, overdue=overdue)


def _load(loan_id: int) -> Loan:
    return db.session.scalars(
        select(Loan)
        .where(Loan.id == loan_id)
        .options(joinedload(Loan.listing), joinedload(Loan.borrower), joinedload(Loan.lender))
        .execution_options(populate_existing=True)
    ).one()
