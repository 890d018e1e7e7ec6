"""``flask secondlife scan``: find gear nobody uses and suggest it to its owner, once.

A published loan listing is idle when nobody borrowed it for ``SECOND_LIFE_LOAN_IDLE_MONTHS``
(counted from its last return, or its publication if never lent) and no loan is asked, booked or
running; a published gift is unclaimed when no request was accepted for
``SECOND_LIFE_GIFT_UNCLAIMED_WEEKS`` since its publication. Listings published in an
organisation's name are left out: the organisation manages its own stock.

Each listing gets at most one suggestion, ever (a unique constraint): a second scan, or one
running at the same moment, skips it; an item routed, donated or dismissed is never suggested
again.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.secondlife import notices
from sportressources.secondlife.models import Suggestion, SuggestionReason, SuggestionStatus
from sportressources.trade.exchanges.models import ExchangeRequest, RequestStatus
from sportressources.trade.loans.models import Loan, LoanStatus

# Loans that keep an item in use: asked, booked or out
BUSY_LOAN_STATUSES = (
    LoanStatus.REQUESTED.value,
    LoanStatus.ACCEPTED.value,
    LoanStatus.ACTIVE.value,
)
CLAIMED_STATUSES = (RequestStatus.ACCEPTED.value, RequestStatus.COMPLETED.value)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (or a shorter month's last)."""
    year, month_index = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month_index + 1)[1])
    return moment.replace(year=year, month=month_index + 1, day=day)


def _candidates(kind: str, cutoff: datetime):
    return (
        select(Listing)
        .where(
            Listing.kind == kind,
            Listing.status == ListingStatus.PUBLISHED.value,
            Listing.organisation_id.is_(None),
            Listing.published_at.is_not(None),
            Listing.published_at <= cutoff,
            ~exists().where(Suggestion.listing_id == Listing.id),
        )
        .order_by(Listing.id)
    )


def idle_loan_listings(now: datetime) -> list[Listing]:
    """Published loan listings nobody borrowed for the configured months, oldest first by id."""
    cutoff = months_before(now, current_app.config["SECOND_LIFE_LOAN_IDLE_MONTHS"])
    busy = exists().where(Loan.listing_id == Listing.id, Loan.status.in_(BUSY_LOAN_STATUSES))
    listings = list(db.session.scalars(_candidates(ListingKind.LOAN.value, cutoff).where(~busy)))
    if not listings:
        return []
    last_returns = dict(
        db.session.execute(
            select(Loan.listing_id, func.max(Loan.returned_at))
            .where(
                Loan.listing_id.in_([listing.id for listing in listings]),
                Loan.status == LoanStatus.RETURNED.value,
            )
            .group_by(Loan.listing_id)
        ).all()
    )
    return [
        listing
        for listing in listings
        if last_returns.get(listing.id) is None or _aware(last_returns[listing.id]) <= cutoff
    ]


def unclaimed_gift_listings(now: datetime) -> list[Listing]:
    """Published gift listings with no accepted request for the configured weeks."""
    cutoff = now - timedelta(weeks=current_app.config["SECOND_LIFE_GIFT_UNCLAIMED_WEEKS"])
    claimed = exists().where(
        ExchangeRequest.listing_id == Listing.id, ExchangeRequest.status.in_(CLAIMED_STATUSES)
    )
    return list(db.session.scalars(_candidates(ListingKind.GIFT.value, cutoff).where(~claimed)))


def _aware(moment: datetime) -> datetime:
    # SQLite's MAX() hands back the stored text without the column's type: UTC
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def suggest(listing: Listing, reason: str, now: datetime) -> Suggestion | None:
    """Record the suggestion for ``listing`` and tell its owner; None when the listing already
    has one (a scan running at the same moment got there first: nothing is sent twice)."""
    suggestion = Suggestion(
        listing_id=listing.id,
        owner_id=listing.owner_id,
        reason=reason,
        status=SuggestionStatus.SUGGESTED.value,
        decline_reason="",
        created_at=now,
        updated_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(suggestion)
    except IntegrityError:
        return None
    record_entry(
        "second_life_suggestion.suggest",
        "second_life_suggestion",
        suggestion.id,
        actor=None,
        after=suggestion.status,
        details={"listing_id": listing.id, "reason": reason},
        now=now,
        session=db.session(),
    )
    notices.tell_owner(suggestion, "second_life_suggested")
    return suggestion


def scan(now: datetime | None = None) -> int:
    """Suggest every idle loan and unclaimed gift not suggested before; the number suggested.
    Flushes, never commits; safe to run often, and twice at once."""
    now = now or utcnow()
    found = [(listing, SuggestionReason.IDLE_LOAN.value) for listing in idle_loan_listings(now)]
    found += [
        (listing, SuggestionReason.UNCLAIMED_GIFT.value) for listing in unclaimed_gift_listings(now)
    ]
    return sum(1 for listing, reason in found if suggest(listing, reason, now) is not None)
