"""Rules shared by every step of a loan (services and handovers): locking, the two sides,
status conflicts, plain-text checks, freeing the booked days. For the loans' own modules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.errors import Conflict
from sportressources.listings.models import Listing
from sportressources.listings.owners import owner_side_members
from sportressources.trade.loans import overlaps
from sportressources.trade.loans.models import Booking, Loan, LoanStatus, Party
from sportressources.trade.loans.policies import loan_parties
from sportressources.trade.parties import lock_listing, require_party

NOT_A_PARTY = _l("Seules les deux personnes du prêt peuvent faire cela.")


def lock_loan(loan: Loan) -> Listing:
    """Lock the loan's listing, then reload the loan and its handovers as the last step left
    them.

    FOR NO KEY UPDATE, not FOR UPDATE: it still serialises the steps of one listing, but lets
    other transactions take the KEY SHARE lock their foreign keys need (a kit's loan booking
    this item). With FOR UPDATE, that loan would wait for us while we wait for it at the
    exclusion constraint: a deadlock.
    """
    listing = lock_listing(loan.listing_id, key_share=True)
    db.session.refresh(loan)
    db.session.refresh(loan, ["handovers"])
    return listing


def lock_booked_listings(listing_ids: list[int]) -> None:
    """Lock, in ascending id order, every listing a loan books (a kit and each of its items).

    Two loans booking one item at once (a kit's and the item's own) then take turns instead of
    both writing their booking and each waiting for the other at the exclusion constraint, which
    PostgreSQL ends as a deadlock. Same FOR NO KEY UPDATE as ``lock_loan``; a no-op on SQLite.
    """
    for listing_id in sorted(listing_ids):
        lock_listing(listing_id, key_share=True)


def require_side(actor, loan: Loan, wanted: str | None = None, message=NOT_A_PARTY) -> str:
    return require_party(actor, loan_parties(loan), message, wanted)


def other_party(loan: Loan, side: str) -> User:
    return loan.borrower if side == Party.LENDER.value else loan.lender


def other_side_members(loan: Loan, side: str, actor=None) -> list[User]:
    """Who to tell of ``side``'s step: the borrower, or everyone on the lender's side (for an
    organisation's listing, each of its current members but ``actor``)."""
    if side == Party.LENDER.value:
        return [loan.borrower]
    return lender_side_members(loan, actor)


def lender_side_members(loan: Loan, actor=None) -> list[User]:
    """The lender, or each current member of the lending organisation but ``actor``."""
    return owner_side_members(loan.listing, exclude=actor)


def status_conflict(loan: Loan) -> Conflict:
    if overlaps.taken_by(loan) is not None:
        return Conflict(overlaps.TAKEN_CONFLICT)
    messages = {
        LoanStatus.REQUESTED: _l("Ce prêt attend encore la réponse du propriétaire."),
        LoanStatus.ACCEPTED: _l("Ce prêt est déjà accepté : la remise n’a pas encore eu lieu."),
        LoanStatus.ACTIVE: _l("Ce prêt est déjà en cours."),
        LoanStatus.RETURNED: _l("Ce prêt est terminé : le matériel a été rendu."),
        LoanStatus.DECLINED: _l("Cette demande de prêt a été refusée."),
        LoanStatus.CANCELLED: _l("Ce prêt a été annulé."),
        LoanStatus.NO_SHOW: _l("Ce prêt est clos : l’emprunteur n’est pas venu."),
        LoanStatus.EXPIRED: _l("Cette demande a expiré : son premier jour est passé sans réponse."),
    }
    return Conflict(messages.get(loan.status, _l("Ce prêt n’est plus en cours.")))


def free_bookings(loan: Loan) -> list[int]:
    """Free the loan's days; returns the listings freed, for the waiting lists."""
    freed = sorted(db.session.scalars(select(Booking.listing_id).where(Booking.loan_id == loan.id)))
    db.session.execute(delete(Booking).where(Booking.loan_id == loan.id))
    return freed
