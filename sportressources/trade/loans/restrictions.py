"""A member suspended or banned: their loans, on either side, are settled (called by moderation's
sanction effects)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from sportressources.core.db import db
from sportressources.core.states import apply_transition
from sportressources.listings.models import Listing
from sportressources.trade.loans import waitlist
from sportressources.trade.loans.models import OPEN_STATUSES, HandoverStage, Loan, LoanStatus, Party
from sportressources.trade.loans.policies import pickup_started
from sportressources.trade.loans.rules import free_bookings, lock_loan

# Why the system ends or starts a loan, in the audit log
RESTRICTED_REASON = "member suspended or banned"


def settle_loans_of_restricted_member(
    member, now: datetime | None = None
) -> tuple[list[Loan], list[Loan]]:
    """A member is suspended or banned: their loans, on either side, are settled.

    Loans whose gear has not changed hands (requested, or accepted with no pickup confirmed)
    are cancelled, their days freed and the waiting lists told. Loans whose gear has changed
    hands continue, so that it can come back: a pickup only the other party confirmed starts
    the loan now, and the other party's confirmation of the return is then enough
    (``handovers.confirm_return``). Returns (cancelled, continuing), for the caller to tell
    each counterpart; tells nobody itself. Flushes.
    """
    # An organisation's loans go on: other members act for it
    loans = db.session.scalars(
        select(Loan)
        .join(Listing, Listing.id == Loan.listing_id)
        .where(
            or_(
                Loan.borrower_id == member.id,
                and_(Loan.lender_id == member.id, Listing.organisation_id.is_(None)),
            ),
            Loan.status.in_(OPEN_STATUSES),
        )
        .order_by(Loan.listing_id, Loan.id)
    ).all()
    cancelled: list[Loan] = []
    continuing: list[Loan] = []
    freed: set[int] = set()
    for loan in loans:
        lock_loan(loan)
        if loan.status not in OPEN_STATUSES:
            continue
        if loan.status == LoanStatus.ACTIVE.value or pickup_started(loan):
            other = Party.LENDER if loan.borrower_id == member.id else Party.BORROWER
            confirmed_by_other = any(
                handover.stage == HandoverStage.PICKUP.value and handover.party == other.value
                for handover in loan.handovers
            )
            if loan.status == LoanStatus.ACCEPTED.value and confirmed_by_other:
                apply_transition(loan, "start", actor=None, reason=RESTRICTED_REASON, now=now)
            continuing.append(loan)
            continue
        apply_transition(loan, "cancel", actor=None, reason=RESTRICTED_REASON, now=now)
        freed.update(free_bookings(loan) or [loan.listing_id])
        cancelled.append(loan)
    db.session.flush()
    waitlist.release(sorted(freed), now)
    return cancelled, continuing
