"""A member's track record across every kind of handover: exchanges and loans.

Trade sits below its ``exchanges`` and ``loans`` packages (they import it), so the handover
tables are read here through light ``table()`` declarations rather than their models.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, column, func, or_, select, table

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.listings.models import Listing
from sportressources.trade.models import Rating
from sportressources.trade.ratings import about_organisation

_exchange_requests = table(
    "exchange_requests", column("listing_id"), column("requester_id"), column("status")
)
_loans = table(
    "loans", column("listing_id"), column("borrower_id"), column("lender_id"), column("status")
)
_loans_by_id = table("loans", column("id"), column("listing_id"))
_requests_by_id = table("exchange_requests", column("id"), column("listing_id"))
# The statuses of exchanges.models.RequestStatus and loans.models.LoanStatus counted here
EXCHANGE_COMPLETED, LOAN_RETURNED, NO_SHOW = "completed", "returned", "no_show"


@dataclass(frozen=True)
class Reliability:
    """A member's track record, shown as is: handovers completed (exchanges and loans),
    no-shows, ratings received."""

    completed: int
    no_shows: int
    ratings_count: int
    ratings_average: float | None


def _count(from_, *conditions):
    return (
        select(func.count()).select_from(from_).where(*conditions).correlate(User).scalar_subquery()
    )


def reliability(user) -> Reliability:
    """The member's transparent track record (see ``reliabilities``)."""
    return reliabilities([user])[user.id]


def reliabilities(users) -> dict[int, Reliability]:
    """Each member's track record, by id, in one SQL statement whatever their number.

    Completed exchanges and returned loans count on either side; no-shows count as requester or
    borrower only; ratings are those the member received, of both kinds, averaged to one
    decimal. What the member handled for an organisation (its listings, and the ratings of
    its handling) is the organisation's record, not theirs.
    """
    ids = {user.id for user in users}
    if not ids:
        return {}
    requests = _exchange_requests.c
    loans = _loans.c
    completed = _count(
        _exchange_requests.join(Listing, Listing.id == requests.listing_id),
        requests.status == EXCHANGE_COMPLETED,
        or_(
            requests.requester_id == User.id,
            and_(Listing.owner_id == User.id, Listing.organisation_id.is_(None)),
        ),
    ) + _count(
        _loans.join(Listing, Listing.id == loans.listing_id),
        loans.status == LOAN_RETURNED,
        or_(
            loans.borrower_id == User.id,
            and_(loans.lender_id == User.id, Listing.organisation_id.is_(None)),
        ),
    )
    no_shows = _count(
        _exchange_requests, requests.status == NO_SHOW, requests.requester_id == User.id
    ) + _count(_loans, loans.status == NO_SHOW, loans.borrower_id == User.id)
    ratings_count = _count(Rating, Rating.ratee_id == User.id, ~about_organisation())
    ratings_sum = (
        select(func.coalesce(func.sum(Rating.score), 0))
        .where(Rating.ratee_id == User.id, ~about_organisation())
        .correlate(User)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(User.id, completed, no_shows, ratings_count, ratings_sum).where(User.id.in_(ids))
    ).all()
    return {
        user_id: Reliability(
            completed=done,
            no_shows=missed,
            ratings_count=count,
            ratings_average=round(total / count, 1) if count else None,
        )
        for user_id, done, missed, count, total in rows
    }


@dataclass(frozen=True)
class OrganisationRatings:
    """How borrowers and requesters rated an organisation's handling of its gear."""

    count: int
    average: float | None


def organisation_ratings(organisation_id: int) -> OrganisationRatings:
    """The ratings an organisation's handling received (loans and exchanges of its listings,
    rated by the borrower or requester; ``trade.ratings.about_organisation``), averaged to one
    decimal: one query. The members who handled them keep none of it on their own record."""
    loan_listing = (
        select(_loans_by_id.c.listing_id)
        .where(_loans_by_id.c.id == Rating.loan_id)
        .scalar_subquery()
    )
    request_listing = (
        select(_requests_by_id.c.listing_id)
        .where(_requests_by_id.c.id == Rating.exchange_request_id)
        .scalar_subquery()
    )
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Rating.score), 0))
        .select_from(Rating)
        .join(Listing, Listing.id == func.coalesce(loan_listing, request_listing))
        .where(Listing.organisation_id == organisation_id, about_organisation())
    ).one()
    return OrganisationRatings(count=count, average=round(total / count, 1) if count else None)
