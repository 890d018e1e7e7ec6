"""Private iCal feeds: each member may publish their loans, as borrower and lender, at a secret
address (``/calendrier/<token>.ics``) that calendar apps poll. The token is random, stored per
member, and can be revoked or replaced at any time; an unknown or revoked token finds nothing.

Events are all-day (``VALUE=DATE``), from the first day of the loan to the day after its last
(``DTEND`` is exclusive), written in the member's language.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, gettext
from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from sportressources.core.mail import external_url
from sportressources.core.templating import member_name
from sportressources.listings.models import Listing
from sportressources.listings.owners import managed_by, owner_name
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import BOOKED_STATUSES, CalendarFeed, Loan, LoanStatus
from sportressources.trade.loans.terms import pickup_place

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{40,64}")
# Loans returned longer ago than this leave the feed
HISTORY_DAYS = 365
FEED_STATUSES = (*BOOKED_STATUSES, LoanStatus.RETURNED.value)


def feed_of(user) -> CalendarFeed | None:
    """The member's feed, if they created one."""
    return db.session.get(CalendarFeed, user.id)


def create_feed(user) -> CalendarFeed:
    """Give the member a feed with a new secret token; the previous address stops working."""
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token=_new_token(), created_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(feed)
        except IntegrityError:
            # Created from another tab at the same moment: replace its token below.
            feed = feed_of(user)
    feed.token = _new_token()
    feed.created_at = utcnow()
    db.session.flush()
    return feed


def revoke_feed(user) -> bool:
    """Delete the member's feed: its address answers « not found » from now on."""
    feed = feed_of(user)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    return True


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def user_for_token(token: str) -> User | None:
    """The member whose feed has this token; None for a malformed, unknown or revoked token and
    for a deleted account."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    user = db.session.scalar(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token == token)
    )
    if user is None or user.is_deleted:
        return None
    return user


def feed_url(feed: CalendarFeed) -> str:
    return external_url("loans.ical_feed", token=feed.token)


def feed_loans(user, now: datetime | None = None) -> list[Loan]:
    """The member's booked, current and recently returned loans, on either side (as lender, those
    of the organisations they act for now too)."""
    since = paris_today(now) - timedelta(days=HISTORY_DAYS)
    return list(
        db.session.scalars(
            select(Loan)
            .join(Listing, Listing.id == Loan.listing_id)
            .where(
                or_(Loan.borrower_id == user.id, managed_by(user.id)),
                Loan.status.in_(FEED_STATUSES),
                Loan.end_date >= since,
            )
            .options(
                joinedload(Loan.listing).joinedload(Listing.organisation),
                joinedload(Loan.borrower),
                joinedload(Loan.lender),
            )
            .order_by(Loan.start_date, Loan.id)
        )
    )


def build_calendar(user, now: datetime | None = None) -> bytes:
    """The member's loans as an iCalendar document (RFC 5545), in their language."""
    moment = now or utcnow()
    host = urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar = Calendar()
        calendar.add("prodid", "-//Sport ressources 62//Prets//FR")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", gettext("Mes prêts – Sport ressources 62"))
        for loan in feed_loans(user, moment):
            calendar.add_component(_event(loan, user, host, moment))
        return calendar.to_ical()


def _event(loan: Loan, user, host: str, moment: datetime) -> Event:
    listing = loan.listing
    if loan.borrower_id == user.id:
        summary = gettext(
            "Emprunt : « %(title)s » (prêté par %(name)s)",
            title=listing.title,
            name=owner_name(listing),
        )
    else:
        summary = gettext(
            "Prêt : « %(title)s » à %(name)s",
            title=listing.title,
            name=member_name(loan.borrower),
        )
    if loan.status == LoanStatus.RETURNED.value:
        summary = gettext("%(summary)s – rendu", summary=summary)
    event = Event()
    event.add("uid", f"loan-{loan.id}@{host}")
    event.add("dtstamp", moment)
    event.add("dtstart", loan.start_date)
    event.add("dtend", loan.end_date + timedelta(days=1))
    event.add("summary", summary)
    event.add("location", pickup_place(listing).name)
    event.add("url", external_url("loans.detail", loan_id=loan.id))
    event.add(
        "description",
        gettext(
            "Du %(start)s au %(end)s. Détails : %(url)s",
            start=loan.start_date.isoformat(),
            end=loan.end_date.isoformat(),
            url=external_url("loans.detail", loan_id=loan.id),
        ),
    )
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event
