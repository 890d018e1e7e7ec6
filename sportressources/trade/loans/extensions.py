"""Extending a loan: the borrower asks for a later end date, which the owner accepts only if the
new days overlap nothing (booking, closure of the venue, the terms' longest loan) or declines.
Each step tells the other party (``notices``). Functions flush and never commit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, ValidationFailed
from sportressources.core.text import checked_text
from sportressources.listings.models import Listing
from sportressources.trade.loans.availability import (
    DatesTaken,
    booked_listing_ids,
    unavailability,
)
from sportressources.trade.loans.models import (
    BOOKED_STATUSES,
    Booking,
    Loan,
    Party,
)
from sportressources.trade.loans.notices import tell
from sportressources.trade.loans.rules import (
    lender_side_members,
    lock_booked_listings,
    lock_loan,
    require_side,
    status_conflict,
)
from sportressources.trade.loans.services import MESSAGE_MAX, REASON_MAX
from sportressources.trade.loans.terms import terms_of


def request_extension(
    actor, loan: Loan, new_end: date | None, message: str = "", now: datetime | None = None
) -> Loan:
    """The borrower asks to keep the gear until ``new_end``; the owner is told.

    The new last day is after the current one, keeps the loan within the terms' maximum length,
    falls on a day the pickup venue opens, and the added days are free. One request at a time.
    Raises Forbidden (not the borrower), Conflict (loan not accepted or active, a request already
    waiting, ``DatesTaken``/``DatesBlocked``), ValidationFailed (``new_end``, message).
    """
    require_side(
        actor, loan, Party.BORROWER, _l("Seul l’emprunteur peut demander une prolongation.")
    )
    text = checked_text(message, "message", MESSAGE_MAX)
    listing = lock_loan(loan)
    if loan.status not in BOOKED_STATUSES:
        raise status_conflict(loan)
    if loan.extension_end_date is not None:
        raise Conflict(_l("Une demande de prolongation attend déjà la réponse du propriétaire."))
    _check_new_end(loan, listing, new_end)
    problem = unavailability(
        listing,
        loan.end_date + timedelta(days=1),
        new_end,
        booked_listing_ids(listing),
        except_loan_id=loan.id,
    )
    if problem is not None:
        raise problem
    loan.extension_end_date = new_end
    loan.extension_message = text
    loan.extension_requested_at = now or utcnow()
    db.session.flush()
    for member in lender_side_members(loan, actor):
        tell(member, "extension_requested", loan, actor=actor, new_end=new_end, message=text)
    return loan


def _check_new_end(loan: Loan, listing: Listing, new_end: date | None) -> None:
    terms = terms_of(listing)
    if new_end is None:
        message = _l("Indiquez le nouveau dernier jour du prêt.")
    elif new_end <= loan.end_date:
        message = _l(
            "Le nouveau dernier jour doit être après le %(date)s.",
            date=format_date(loan.end_date, "long"),
        )
    elif (new_end - loan.start_date).days + 1 > terms.max_days:
        message = _l(
            "Ce matériel se prête au plus %(num)s jour(s) en tout : choisissez un jour plus "
            "proche.",
            num=terms.max_days,
        )
    elif listing.venue is not None and not listing.venue.is_open_on(new_end):
        message = _l(
            "%(venue)s est fermé le %(date)s : choisissez un jour d’ouverture pour le retour.",
            venue=listing.venue.name,
            date=format_date(new_end, "full"),
        )
    else:
        return
    raise ValidationFailed({"new_end": message})


def accept_extension(actor, loan: Loan, now: datetime | None = None) -> Loan:
    """The owner accepts the pending extension if the added days overlap nothing: the bookings
    move with the end date, at once for every item of a kit.

    The reminders start again for the new last day. Raises Forbidden (not the owner), Conflict
    (no pending extension, loan over, the days taken or blocked meanwhile, even when decided by
    the database at the last moment; the request then stays for the owner to decline).
    """
    require_side(
        actor, loan, Party.LENDER, _l("Seul le propriétaire du matériel peut prolonger le prêt.")
    )
    listing = lock_loan(loan)
    if loan.status not in BOOKED_STATUSES:
        raise status_conflict(loan)
    new_end = loan.extension_end_date
    if new_end is None:
        raise Conflict(_l("Aucune demande de prolongation n’attend de réponse."))
    booked = sorted(
        db.session.scalars(select(Booking.listing_id).where(Booking.loan_id == loan.id))
    )
    lock_booked_listings(booked)
    problem = unavailability(
        listing, loan.end_date + timedelta(days=1), new_end, booked, except_loan_id=loan.id
    )
    if problem is not None:
        raise Conflict(
            _l(
                "La prolongation chevauche un autre prêt ou une période bloquée : elle ne peut "
                "pas être acceptée. %(detail)s",
                detail=str(problem.message),
            ),
            code=problem.code,
        )
    try:
        with db.session.begin_nested():
            db.session.execute(
                update(Booking)
                .where(Booking.loan_id == loan.id)
                .values(end_date=new_end)
                .execution_options(synchronize_session=False)
            )
            loan.end_date = new_end
            loan.extension_end_date = None
            loan.extension_message = ""
            loan.extensions_count += 1
            loan.due_reminder_sent_at = None
            loan.overdue_notice_sent_at = None
    except IntegrityError as exc:
        raise DatesTaken(
            _l(
                "Un autre prêt vient d’être accepté sur ces jours : la prolongation ne peut pas "
                "être acceptée."
            )
        ) from exc
    tell(loan.borrower, "extension_accepted", loan, actor=actor)
    return loan


def decline_extension(actor, loan: Loan, reason: str = "") -> Loan:
    """The owner declines the pending extension, with an optional reason (500 characters).

    Raises Forbidden (not the owner), Conflict (no pending extension), ValidationFailed.
    """
    require_side(
        actor,
        loan,
        Party.LENDER,
        _l("Seul le propriétaire du matériel peut refuser la prolongation."),
    )
    text = checked_text(reason, "reason", REASON_MAX)
    lock_loan(loan)
    if loan.extension_end_date is None or loan.status not in BOOKED_STATUSES:
        raise Conflict(_l("Aucune demande de prolongation n’attend de réponse."))
    asked = loan.extension_end_date
    loan.extension_end_date = None
    loan.extension_message = ""
    db.session.flush()
    tell(loan.borrower, "extension_declined", loan, actor=actor, new_end=asked, reason=text)
    return loan
