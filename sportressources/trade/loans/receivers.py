"""What the loans answer to the signals of lower domains: the RGPD export and account
deletion."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select

from sportressources.core.db import db
from sportressources.core.errors import Conflict
from sportressources.listings.models import Listing
from sportressources.listings.owners import owner_side_members
from sportressources.listings.policies import acts_for_owner
from sportressources.trade.loans import services
from sportressources.trade.loans.models import (
    BlockedPeriod,
    CalendarFeed,
    Handover,
    Loan,
    LoanStatus,
    WaitlistEntry,
)
from sportressources.trade.loans.policies import pickup_started
from sportressources.trade.models import RatingKind
from sportressources.trade.ratings import ratings_of


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_loans(user, **_extra) -> tuple[str, dict]:
    """RGPD export: the member's loans on both sides, their handover records, ratings given and
    received, waiting lists, blocked periods and whether a calendar feed exists."""
    loans = db.session.scalars(
        select(Loan)
        .where(or_(Loan.borrower_id == user.id, Loan.lender_id == user.id))
        .order_by(Loan.id)
    ).all()
    handovers = db.session.scalars(
        select(Handover).where(Handover.user_id == user.id).order_by(Handover.id)
    ).all()
    ratings = ratings_of(user, RatingKind.LOAN)
    waiting = db.session.scalars(
        select(WaitlistEntry).where(WaitlistEntry.user_id == user.id).order_by(WaitlistEntry.id)
    ).all()
    periods = db.session.scalars(
        select(BlockedPeriod)
        .join(Listing, Listing.id == BlockedPeriod.listing_id)
        .where(Listing.owner_id == user.id)
        .order_by(BlockedPeriod.id)
    ).all()
    return "loans", {
        "loans": [
            {
                "id": loan.id,
                "role": "borrower" if loan.borrower_id == user.id else "lender",
                "listing_id": loan.listing_id,
                "listing_title": loan.listing.title,
                "status": loan.status,
                "start_date": _iso(loan.start_date),
                "end_date": _iso(loan.end_date),
                "message": loan.message,
                "reason": loan.reason,
                "deposit_cents": loan.deposit_cents,
                "deposit_kept_cents": loan.deposit_kept_cents,
                "requested_at": _iso(loan.requested_at),
                "returned_at": _iso(loan.returned_at),
            }
            for loan in loans
        ],
        "handovers": [
            {
                "loan_id": handover.loan_id,
                "stage": handover.stage,
                "checklist": handover.checklist,
                "notes": handover.notes,
                "damage_report": handover.damage_report,
                "photo": handover.photo_key,
                "created_at": _iso(handover.created_at),
            }
            for handover in handovers
        ],
        "ratings": [
            {
                "loan_id": rating.loan_id,
                "given": rating.rater_id == user.id,
                "score": rating.score,
                "comment": rating.comment,
                "created_at": _iso(rating.created_at),
            }
            for rating in ratings
        ],
        "waiting_lists": [
            {
                "listing_id": entry.listing_id,
                "start_date": _iso(entry.start_date),
                "end_date": _iso(entry.end_date),
            }
            for entry in waiting
        ],
        "blocked_periods": [
            {
                "listing_id": period.listing_id,
                "start_date": _iso(period.start_date),
                "end_date": _iso(period.end_date),
                "note": period.note,
            }
            for period in periods
        ],
        "calendar_feed": db.session.get(CalendarFeed, user.id) is not None,
    }


def cancel_loans_of_closing_listing(
    listing, actor=None, deleting_account: bool = False, **_extra
) -> None:
    """A lent item's listing is withdrawn: refused while the item is out on loan; loans not
    picked up yet are cancelled, and the borrowers told. When the owner deletes their account,
    ``cancel_loans_of_deleted_member`` has already cancelled what it could and an item out on
    loan never blocks the deletion: that loan stays as the borrower's record."""
    if listing.kind != "loan" or deleting_account:
        return
    loans = db.session.scalars(
        select(Loan)
        .where(
            Loan.listing_id == listing.id,
            Loan.status.in_(
                (LoanStatus.REQUESTED.value, LoanStatus.ACCEPTED.value, LoanStatus.ACTIVE.value)
            ),
        )
        .order_by(Loan.id)
    ).all()
    if any(loan.status == LoanStatus.ACTIVE.value or pickup_started(loan) for loan in loans):
        raise Conflict(
            _l(
                "Ce matériel est prêté en ce moment : retirez l’annonce après son retour. Les "
                "prochaines réservations peuvent être annulées depuis « Mes prêts »."
            )
        )
    # Cancelled on the lender's side: by who closes it if they act for the owner, else (a
    # moderator) in the name of the owner or, for an organisation, of one of its members.
    if actor is not None and acts_for_owner(actor, listing):
        lender = actor
    else:
        lender = next(iter(owner_side_members(listing)), None)
    for loan in loans:
        services.cancel_loan(lender or loan.lender, loan)


def cancel_loans_of_deleted_member(user, **_extra) -> None:
    """A leaving member's loans not picked up yet are cancelled, on both sides, and the other
    party told; active and past loans stay, so that the other party keeps the record (the
    member then shows as « Membre supprimé »). Their waiting lists and calendar feed go first, so
    that the days these cancellations free are never offered to the leaving member."""
    db.session.execute(delete(WaitlistEntry).where(WaitlistEntry.user_id == user.id))
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    # The loans of an organisation's gear the member published stay the organisation's
    open_loans = db.session.scalars(
        select(Loan)
        .join(Listing, Listing.id == Loan.listing_id)
        .where(
            or_(
                Loan.borrower_id == user.id,
                and_(Loan.lender_id == user.id, Listing.organisation_id.is_(None)),
            ),
            Loan.status.in_((LoanStatus.REQUESTED.value, LoanStatus.ACCEPTED.value)),
        )
        .order_by(Loan.listing_id, Loan.id)
    ).all()
    for loan in open_loans:
        if pickup_started(loan):
            continue
        try:
            services.cancel_loan(user, loan)
        except Conflict:
            # Picked up meanwhile: it stays, like any active loan.
            continue
    db.session.flush()
