"""Who may do what with a loan. Pure predicates: services enforce them, templates show buttons.

Each takes the actor (``core.security.Actor``) or a user, who then acts for themselves.
``today`` is the calendar day in Europe/Paris (``availability.paris_today``).
"""

from __future__ import annotations

from datetime import date

from sportressources.core.security import actor_of
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.listings.policies import acts_for_owner
from sportressources.organisations.queries import is_member
from sportressources.trade.loans.models import HandoverStage, Loan, LoanStatus, Party
from sportressources.trade.parties import side_of


def _member_id(actor) -> int | None:
    return actor_of(actor).user_id


def is_loan_listing(listing: Listing) -> bool:
    """A listing of kind « loan »: the loans workflow applies to it."""
    return listing.kind == ListingKind.LOAN.value


def can_manage_loan_terms(actor, listing: Listing) -> bool:
    """Only the owner sets the lending terms, kit and blocked periods of a loan listing (for an
    organisation's, any of its current members)."""
    return acts_for_owner(actor, listing) and is_loan_listing(listing)


def can_request_loan(actor, listing: Listing) -> bool:
    """A member other than the owner (or, for an organisation's listing, than its members) may
    ask to borrow a published loan listing (the dates and the borrower's own limits are checked
    when they ask)."""
    member_id = _member_id(actor)
    return (
        member_id is not None
        and not acts_for_owner(actor, listing)
        and is_loan_listing(listing)
        and listing.status == ListingStatus.PUBLISHED.value
    )


def loan_side(actor, loan: Loan) -> str | None:
    """``"lender"`` or ``"borrower"`` for the two parties, None for anyone else."""
    return side_of(actor_of(actor).user, loan_parties(loan))


def loan_parties(loan: Loan) -> dict[str, int | Listing]:
    """The two sides of a loan: the lender's is whoever acts for the listing's owner (for an
    organisation's listing, any of its current members), the borrower's is the member who
    asked."""
    return {Party.LENDER.value: loan.listing, Party.BORROWER.value: loan.borrower_id}


def follows_for_borrowing_organisation(actor, loan: Loan) -> bool:
    """A member of the organisation a loan was borrowed for follows it: they see the loan and its
    steps, but only the member who asked acts on the borrower's side."""
    return loan.borrower_organisation_id is not None and is_member(
        _member_id(actor), loan.borrower_organisation_id
    )


def can_view_loan(actor, loan: Loan) -> bool:
    """The two parties see a loan, and the members of the organisation it was borrowed for."""
    return loan_side(actor, loan) is not None or follows_for_borrowing_organisation(actor, loan)


def has_confirmed(loan: Loan, stage: str, side: str) -> bool:
    """True if ``side`` has recorded the ``stage`` (pickup or return) of the loan."""
    return any(h.stage == stage and h.party == side for h in loan.handovers)


def pickup_started(loan: Loan) -> bool:
    """True once either side has confirmed the pickup."""
    return any(h.stage == HandoverStage.PICKUP.value for h in loan.handovers)


def can_answer_loan(actor, loan: Loan) -> bool:
    """The lender accepts or declines a request still waiting for an answer."""
    return loan_side(actor, loan) == Party.LENDER.value and loan.status == LoanStatus.REQUESTED


def can_cancel_loan(actor, loan: Loan) -> bool:
    """Either party cancels a requested or accepted loan until the pickup is confirmed."""
    return (
        loan_side(actor, loan) is not None
        and loan.status in (LoanStatus.REQUESTED, LoanStatus.ACCEPTED)
        and not pickup_started(loan)
    )


def can_confirm_pickup(actor, loan: Loan, today: date) -> bool:
    """Each party confirms the pickup of an accepted loan once, from its first day to its last."""
    side = loan_side(actor, loan)
    return (
        side is not None
        and loan.status == LoanStatus.ACCEPTED
        and loan.start_date <= today <= loan.end_date
        and not has_confirmed(loan, HandoverStage.PICKUP, side)
    )


def can_confirm_return(actor, loan: Loan) -> bool:
    """Each party confirms the return of an active loan once."""
    side = loan_side(actor, loan)
    return (
        side is not None
        and loan.status == LoanStatus.ACTIVE
        and not has_confirmed(loan, HandoverStage.RETURN, side)
    )


def can_request_extension(actor, loan: Loan) -> bool:
    """The borrower asks for a later end date, one request at a time, before the return."""
    return (
        loan_side(actor, loan) == Party.BORROWER.value
        and loan.status in (LoanStatus.ACCEPTED, LoanStatus.ACTIVE)
        and loan.extension_end_date is None
    )


def can_answer_extension(actor, loan: Loan) -> bool:
    """The lender accepts or declines a pending extension."""
    return (
        loan_side(actor, loan) == Party.LENDER.value
        and loan.status in (LoanStatus.ACCEPTED, LoanStatus.ACTIVE)
        and loan.extension_end_date is not None
    )


def can_mark_no_show(actor, loan: Loan, today: date) -> bool:
    """The lender reports a borrower who did not come, from the first day, if nobody confirmed
    the pickup."""
    return (
        loan_side(actor, loan) == Party.LENDER.value
        and loan.status == LoanStatus.ACCEPTED
        and today >= loan.start_date
        and not pickup_started(loan)
    )


def can_rate_loan(actor, loan: Loan, already_rated: bool) -> bool:
    """Each party rates the other once, after the return."""
    return (
        loan_side(actor, loan) is not None
        and loan.status == LoanStatus.RETURNED
        and not already_rated
    )


def is_overdue(loan: Loan, today: date) -> bool:
    """An active loan whose last day is past: the gear should be back."""
    return loan.status == LoanStatus.ACTIVE and today > loan.end_date
