"""Requests declined because the owner gave their dates to another loan.

Accepting a loan declines the waiting requests whose days overlap it. The decline's audit row
names the accepted loan (``details["dates_taken_by"]``), so that the owner's page lists the
requests it declined, each borrower reads why, and a later attempt to accept one of them says
that the dates went to another loan rather than « refusée ».
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.core.audit import AuditEntry
from sportressources.core.db import db
from sportressources.trade.loans.models import Loan, LoanStatus

TAKEN_BY = "dates_taken_by"
# Stored as the audit row's reason: the borrower reads TAKEN_MESSAGE in their own language
TAKEN_REASON = "dates_taken"
TAKEN_MESSAGE = _l(
    "Ces dates ont été données à une autre demande pour le même matériel : vous pouvez en "
    "demander d’autres."
)
TAKEN_CONFLICT = _l(
    "Ces dates ont été données à une autre demande : celle-ci a été refusée automatiquement "
    "quand vous l’avez acceptée, elle ne peut plus l’être."
)


def taken_details(winner: Loan) -> dict:
    """The audit details of a decline caused by accepting ``winner``."""
    return {TAKEN_BY: winner.id}


def _declines(where) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.target_type == Loan.transitions.target_type,
                AuditEntry.after == LoanStatus.DECLINED.value,
                where,
            )
            .order_by(AuditEntry.id)
        )
    )


def taken_by(loan: Loan) -> int | None:
    """The id of the loan that took this declined request's dates; None for any other loan."""
    if loan.status != LoanStatus.DECLINED.value:
        return None
    for entry in _declines(AuditEntry.target_id == loan.id):
        if isinstance(entry.details, dict) and isinstance(entry.details.get(TAKEN_BY), int):
            return entry.details[TAKEN_BY]
    return None


def declined_for(loan: Loan) -> list[Loan]:
    """The requests declined when ``loan`` was accepted, oldest first: two queries."""
    candidates = db.session.scalars(
        select(Loan.id).where(
            Loan.listing_id == loan.listing_id,
            Loan.id != loan.id,
            Loan.status == LoanStatus.DECLINED.value,
            Loan.start_date <= loan.end_date,
            Loan.end_date >= loan.start_date,
        )
    ).all()
    if not candidates:
        return []
    ids = [
        entry.target_id
        for entry in _declines(AuditEntry.target_id.in_(candidates))
        if isinstance(entry.details, dict) and entry.details.get(TAKEN_BY) == loan.id
    ]
    if not ids:
        return []
    return list(db.session.scalars(select(Loan).where(Loan.id.in_(ids)).order_by(Loan.id)))
