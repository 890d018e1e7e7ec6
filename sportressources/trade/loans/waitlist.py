"""Waiting lists: a member who wants dates already booked is told once when they free up.

Freed days come from a cancellation, a decline, a no-show or an early return; ``release`` then
checks the entries of the listings concerned (and of the kits that bundle them). Each entry is
told once: a compare-and-set UPDATE marks it, so two releases at once never email twice.
Functions flush and never commit.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, NotFound
from sportressources.core.mail import external_url
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.listings.policies import acts_for_owner
from sportressources.notifications.services import site_path
from sportressources.trade.loans.availability import (
    DatesTaken,
    kits_containing,
    paris_today,
    unavailability,
)
from sportressources.trade.loans.models import WaitlistEntry
from sportressources.trade.loans.notices import tell
from sportressources.trade.loans.terms import check_dates, terms_of


def entry_of(user, listing: Listing) -> WaitlistEntry | None:
    """The member's place on the listing's waiting list, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.listing_id == listing.id, WaitlistEntry.user_id == user.id
        )
    )


def join_waitlist(
    actor, listing: Listing, start: date | None, end: date | None, now: datetime | None = None
) -> WaitlistEntry:
    """Wait for ``start``..``end`` of a booked listing; joining again replaces the dates.

    The dates follow the same rules as a request (``terms.check_dates``) and must be booked
    now: free dates are requested directly. Raises Forbidden (the owner), NotFound (not a
    visible loan listing), ValidationFailed (dates), Conflict (dates free, or blocked by the
    owner rather than booked).
    """
    if acts_for_owner(actor, listing):
        raise Forbidden(_l("C’est votre annonce : vous ne pouvez pas attendre votre matériel."))
    if listing.kind != ListingKind.LOAN.value or listing.status != ListingStatus.PUBLISHED.value:
        raise NotFound(_l("Cette annonce de prêt n’existe pas ou n’est plus visible."))
    check_dates(listing, terms_of(listing), start, end, paris_today(now))
    problem = unavailability(listing, start, end)
    if problem is None:
        raise Conflict(
            _l("Ces dates sont libres : demandez-les directement, sans liste d’attente."),
            code="dates_free",
        )
    if not isinstance(problem, DatesTaken):
        raise problem
    entry = entry_of(actor, listing)
    if entry is None:
        entry = WaitlistEntry(listing_id=listing.id, user_id=actor.id)
        try:
            with db.session.begin_nested():
                _set_dates(entry, start, end, now)
                db.session.add(entry)
        except IntegrityError:
            # The same member joined from another tab at the same moment: update theirs.
            entry = entry_of(actor, listing)
    _set_dates(entry, start, end, now)
    db.session.flush()
    return entry


def _set_dates(entry: WaitlistEntry, start: date, end: date, now: datetime | None) -> None:
    entry.start_date, entry.end_date = start, end
    entry.created_at = now or utcnow()
    entry.notified_at = None


def leave_waitlist(actor, listing: Listing) -> bool:
    """Leave the listing's waiting list; False if the member was not on it."""
    result = db.session.execute(
        delete(WaitlistEntry).where(
            WaitlistEntry.listing_id == listing.id, WaitlistEntry.user_id == actor.id
        )
    )
    return result.rowcount > 0


def release(listing_ids: list[int], now: datetime | None = None) -> int:
    """Tell the members waiting for ``listing_ids`` (or a kit bundling one) whose dates are now
    entirely free; each entry is told once. Returns how many were told.

    Entries whose first day has passed are dropped.
    """
    if not listing_ids:
        return 0
    today = paris_today(now)
    concerned = sorted({*listing_ids, *kits_containing(listing_ids)})
    db.session.execute(
        delete(WaitlistEntry).where(
            WaitlistEntry.listing_id.in_(concerned), WaitlistEntry.start_date < today
        )
    )
    entries = db.session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.listing_id.in_(concerned), WaitlistEntry.notified_at.is_(None))
        .options(joinedload(WaitlistEntry.user))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    ).all()
    told = 0
    for entry in entries:
        listing = db.session.get(Listing, entry.listing_id)
        if listing.status != ListingStatus.PUBLISHED.value:
            continue
        if unavailability(listing, entry.start_date, entry.end_date) is not None:
            continue
        marked = db.session.execute(
            update(WaitlistEntry)
            .where(WaitlistEntry.id == entry.id, WaitlistEntry.notified_at.is_(None))
            .values(notified_at=now or utcnow())
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount != 1:
            continue
        tell(
            entry.user,
            "waitlist_available",
            listing=listing,
            start=entry.start_date,
            end=entry.end_date,
            url=site_path("loans.listing", listing_id=listing.id),
            listing_url=_listing_url(listing),
        )
        told += 1
    return told


def _listing_url(listing: Listing) -> str:
    return external_url("loans.listing", listing_id=listing.id)
