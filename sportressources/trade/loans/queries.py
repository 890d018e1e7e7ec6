"""Reading loans: a member's loans on both sides, an item's history, what a listing page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden
from sportressources.listings.models import VISIBLE_STATUSES, Listing, ListingKind, ListingStatus
from sportressources.listings.owners import managed_by
from sportressources.listings.policies import acts_for_owner
from sportressources.organisations.models import Membership
from sportressources.trade.loans.availability import (
    Month,
    kit_items,
    kits_containing,
    month_tables,
    paris_today,
)
from sportressources.trade.loans.models import (
    OPEN_STATUSES,
    Loan,
    LoanStatus,
    WaitlistEntry,
)
from sportressources.trade.loans.policies import can_manage_loan_terms, can_request_loan
from sportressources.trade.loans.services import ensure_can_borrow
from sportressources.trade.loans.terms import Terms, pickup_place, terms_of
from sportressources.trade.models import Rating, RatingKind
from sportressources.trade.ratings import rated_ids

# Open loans first, the next to act on at the top
_ORDER = case(
    (Loan.status == LoanStatus.REQUESTED.value, 0),
    (Loan.status == LoanStatus.ACCEPTED.value, 1),
    (Loan.status == LoanStatus.ACTIVE.value, 2),
    else_=3,
)
HISTORY_STATUSES = (
    LoanStatus.ACCEPTED.value,
    LoanStatus.ACTIVE.value,
    LoanStatus.RETURNED.value,
    LoanStatus.NO_SHOW.value,
)


def _loans(*where) -> list[Loan]:
    return list(
        db.session.scalars(
            select(Loan)
            .join(Listing, Listing.id == Loan.listing_id)
            .where(*where)
            .options(
                joinedload(Loan.listing).joinedload(Listing.organisation),
                joinedload(Loan.borrower),
                joinedload(Loan.lender),
                joinedload(Loan.borrower_organisation),
                selectinload(Loan.handovers),
            )
            .order_by(_ORDER, Loan.start_date.desc(), Loan.id.desc())
        ).unique()
    )


def loans_as_borrower(user) -> list[Loan]:
    """The member's loans as borrower, and those borrowed for an organisation they act for now
    (to follow them), open ones first: three queries whatever their number."""
    return _loans(
        or_(
            Loan.borrower_id == user.id,
            Loan.borrower_organisation_id.in_(
                select(Membership.organisation_id).where(Membership.user_id == user.id)
            ),
        )
    )


def loans_as_lender(user) -> list[Loan]:
    """Loans of the member's gear and of the gear of every organisation they act for now, open
    ones first: three queries whatever their number."""
    return _loans(managed_by(user.id))


def loan_listings_of(user) -> list[Listing]:
    """The member's loan listings that are not closed, and those of the organisations they act
    for, by title."""
    return list(
        db.session.scalars(
            select(Listing)
            .options(joinedload(Listing.organisation))
            .where(
                managed_by(user.id),
                Listing.kind == ListingKind.LOAN.value,
                Listing.status.not_in((ListingStatus.WITHDRAWN.value,)),
            )
            .order_by(Listing.title, Listing.id)
        )
    )


@dataclass(frozen=True)
class OrganisationLoanFigures:
    """What an organisation's gear did: loans returned and under way, and the items it lends."""

    returned: int
    active: int
    lendable_items: int

    @property
    def lent(self) -> int:
        """« Objets prêtés »: loans returned or under way."""
        return self.returned + self.active


def organisation_loan_figures(organisation_id: int) -> OrganisationLoanFigures:
    """The loan figures of an organisation's listings (for its page, drives and impact pages):
    loans returned, loans active now, and its lendable items visible now. Two queries."""
    returned, active = db.session.execute(
        select(
            func.count().filter(Loan.status == LoanStatus.RETURNED.value),
            func.count().filter(Loan.status == LoanStatus.ACTIVE.value),
        )
        .select_from(Loan)
        .join(Listing, Listing.id == Loan.listing_id)
        .where(Listing.organisation_id == organisation_id)
    ).one()
    items = db.session.scalar(
        select(func.count())
        .select_from(Listing)
        .where(
            Listing.organisation_id == organisation_id,
            Listing.kind == ListingKind.LOAN.value,
            Listing.status.in_(VISIBLE_STATUSES),
        )
    )
    return OrganisationLoanFigures(returned=returned, active=active, lendable_items=items)


def rated_loan_ids(user, loans: list[Loan]) -> set[int]:
    """The ids, among ``loans``, of those ``user``'s side has already rated: at most two queries.

    On the lender's side of an organisation's listing, a loan counts as rated once any member
    rated its borrower."""
    rated = rated_ids(user, RatingKind.LOAN, [loan.id for loan in loans])
    shared = {
        loan.id: loan.borrower_id
        for loan in loans
        if loan.listing.organisation_id is not None and loan.borrower_id != user.id
    }
    if shared:
        rows = db.session.execute(
            select(Rating.loan_id, Rating.ratee_id).where(Rating.loan_id.in_(shared))
        )
        rated |= {loan_id for loan_id, ratee_id in rows if shared[loan_id] == ratee_id}
    return rated


def item_history(actor, listing: Listing) -> list[Loan]:
    """Who borrowed the item (alone or in a kit), when, and how it came back: for its owner.

    Latest first, with the handovers loaded. Raises Forbidden for anyone else.
    """
    if not can_manage_loan_terms(actor, listing):
        raise Forbidden(_l("Seul le propriétaire du matériel voit l’historique de ses prêts."))
    ids = [listing.id, *kits_containing([listing.id])]
    return list(
        db.session.scalars(
            select(Loan)
            .where(Loan.listing_id.in_(ids), Loan.status.in_(HISTORY_STATUSES))
            .options(
                joinedload(Loan.listing),
                joinedload(Loan.borrower),
                selectinload(Loan.handovers),
            )
            .order_by(Loan.start_date.desc(), Loan.id.desc())
        ).unique()
    )


@dataclass(frozen=True)
class LoanSection:
    """What the loan part of a listing page shows a viewer."""

    listing: Listing
    terms: Terms
    place: object
    items: list[Listing]
    months: list[Month]
    today: date
    is_owner: bool
    can_request: bool
    # Why the viewer cannot ask now (overdue loan, cap reached), shown instead of the form
    blocker: str | None
    open_loan: Loan | None
    waitlist_entry: WaitlistEntry | None


def loan_section(listing: Listing, viewer, now: datetime | None = None) -> LoanSection:
    """Terms, calendar and the viewer's situation for a loan listing's page."""
    today = paris_today(now)
    member = bool(viewer is not None and getattr(viewer, "is_authenticated", False))
    open_loan = waiting = None
    blocker = None
    can_request = can_request_loan(viewer, listing)
    is_owner = member and acts_for_owner(viewer, listing)
    if member and not is_owner:
        open_loan = db.session.scalar(
            select(Loan)
            .where(
                Loan.listing_id == listing.id,
                Loan.borrower_id == viewer.id,
                Loan.status.in_(OPEN_STATUSES),
            )
            .order_by(Loan.start_date)
            .limit(1)
        )
        waiting = db.session.scalar(
            select(WaitlistEntry).where(
                WaitlistEntry.listing_id == listing.id, WaitlistEntry.user_id == viewer.id
            )
        )
        if can_request:
            try:
                ensure_can_borrow(viewer, today)
            except Conflict as error:
                blocker = str(error.message)
    return LoanSection(
        listing=listing,
        terms=terms_of(listing),
        place=pickup_place(listing),
        items=kit_items(listing),
        months=month_tables(listing, today),
        today=today,
        is_owner=is_owner,
        can_request=can_request and blocker is None,
        blocker=blocker,
        open_loan=open_loan,
        waitlist_entry=waiting,
    )
