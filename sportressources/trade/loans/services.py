"""The loan workflow: request, the owner's answer, cancellation, no-show, expiry and ratings
(pickup and return are in ``handovers``, extensions in ``extensions``).

A borrower asks for dates → the owner accepts (the dates are booked) or declines with a reason →
either side may cancel until the pickup → both confirm the pickup with the category check-list →
the loan is active → both confirm the return (damage, deposit kept) → each rates the other once.
The borrower may ask for a later end date, which the owner accepts only if it overlaps nothing
(``extensions``); the owner reports a borrower who did not come as a no-show.

Services flush and never commit; each step tells the other party by email and notification.
Each step first locks the listing's row, so that the steps of one listing run one after the other
on PostgreSQL (SQLite serialises writing requests: they begin with BEGIN IMMEDIATE, and code
outside a request calls ``core.db.begin_write`` first). The bookings' exclusion constraint
(triggers on SQLite) stays the database's last word, for kits and items locked separately: a
violation becomes a Conflict, with nothing written.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import LazyString, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from sportressources.accounts.models import User
from sportressources.accounts.restrictions import require_unrestricted
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, NotFound
from sportressources.core.mail import external_url
from sportressources.core.states import apply_transition
from sportressources.core.text import checked_text
from sportressources.listings.models import Listing, ListingStatus
from sportressources.listings.policies import acts_for_owner
from sportressources.trade.loans import overlaps, waitlist
from sportressources.trade.loans.availability import (
    DatesTaken,
    booked_listing_ids,
    paris_today,
    unavailability,
)
from sportressources.trade.loans.models import (
    OPEN_STATUSES,
    Booking,
    Loan,
    LoanStatus,
    Party,
)
from sportressources.trade.loans.notices import tell
from sportressources.trade.loans.partners import check_borrowing_organisation
from sportressources.trade.loans.policies import is_loan_listing, loan_side, pickup_started
from sportressources.trade.loans.rules import (
    free_bookings,
    lender_side_members,
    lock_booked_listings,
    lock_loan,
    other_party,
    other_side_members,
    require_side,
    status_conflict,
)
from sportressources.trade.loans.terms import check_dates, partner_terms, pickup_place, terms_of
from sportressources.trade.models import Rating, RatingKind
from sportressources.trade.parties import is_member
from sportressources.trade.ratings import (
    add_rating,
    checked_rating,
    rating_by,
    rating_received,
)

MESSAGE_MAX = 1000
REASON_MAX = 500
DEFAULT_MAX_ACTIVE = 3
HIDDEN_LISTING_STATUSES = (
    ListingStatus.DRAFT.value,
    ListingStatus.AWAITING_REVIEW.value,
    ListingStatus.REJECTED.value,
)

STATUS_LABELS: dict[str, LazyString] = {
    LoanStatus.REQUESTED: _l("Demandé : en attente de réponse"),
    LoanStatus.ACCEPTED: _l("Accepté : remise à faire"),
    LoanStatus.ACTIVE: _l("En cours"),
    LoanStatus.RETURNED: _l("Rendu"),
    LoanStatus.DECLINED: _l("Refusé"),
    LoanStatus.CANCELLED: _l("Annulé"),
    LoanStatus.NO_SHOW: _l("Rendez-vous manqué"),
    LoanStatus.EXPIRED: _l("Expiré : sans réponse à temps"),
}


def max_active_loans() -> int:
    return int(current_app.config.get("LOANS_MAX_ACTIVE", DEFAULT_MAX_ACTIVE))


def _ensure_lendable(listing: Listing) -> None:
    if not is_loan_listing(listing) or listing.status in HIDDEN_LISTING_STATUSES:
        raise NotFound(_l("Cette annonce de prêt n’existe pas ou n’est plus visible."))
    if listing.organisation_id is None and listing.owner.is_deleted:
        raise NotFound(_l("Cette annonce de prêt n’existe pas ou n’est plus visible."))
    if listing.status != ListingStatus.PUBLISHED.value:
        raise Conflict(_l("Ce matériel n’est pas disponible au prêt en ce moment."))


def overdue_loans_of(user, today: date) -> list[Loan]:
    """The borrower's active loans whose last day is past."""
    return list(
        db.session.scalars(
            select(Loan).where(
                Loan.borrower_id == user.id,
                Loan.status == LoanStatus.ACTIVE.value,
                Loan.end_date < today,
            )
        )
    )


def ensure_can_borrow(actor, today: date) -> None:
    """Check the borrower's own limits: no overdue loan, fewer than ``LOANS_MAX_ACTIVE`` loans
    requested (and not yet expired), accepted or active. Raises Conflict."""
    if overdue_loans_of(actor, today):
        raise Conflict(
            _l(
                "Vous avez un prêt en retard : rendez ce matériel avant d’en emprunter un autre.",
            ),
            code="borrower_overdue",
        )
    cap = max_active_loans()
    count = db.session.scalar(
        select(func.count())
        .select_from(Loan)
        .where(
            Loan.borrower_id == actor.id,
            Loan.status.in_(OPEN_STATUSES),
            # A request whose first day passed unanswered no longer counts, cron or not
            or_(Loan.status != LoanStatus.REQUESTED.value, Loan.start_date >= today),
        )
    )
    if count >= cap:
        raise Conflict(
            _l(
                "Vous avez déjà %(num)s prêts demandés ou en cours, le maximum : attendez la fin "
                "de l’un d’eux.",
                num=cap,
            ),
            code="borrower_cap",
        )


# --- requesting ----------------------------------------------------------------------------------


def request_loan(
    actor,
    listing: Listing,
    start: date | None,
    end: date | None,
    message: str = "",
    now: datetime | None = None,
    borrower_organisation_id: int | None = None,
) -> Loan:
    """Ask to borrow a published loan listing from ``start`` to ``end`` (both included).

    ``borrower_organisation_id``: borrow in the name of a verified organisation the member acts
    for (« prêt entre clubs et communes »), not the lending one; on an organisation's listing,
    its terms for verified organisations then apply (deposit waived, longer maximum), and the
    borrowing organisation's members follow the loan. Raises ValidationFailed on
    ``borrow_as`` (not a member, organisation not verified, the lending organisation itself).

    Rules: not the owner; dates valid (``check_dates``); the dates free of bookings and blocked
    periods (for a kit, those of every item too); the borrower has no overdue loan and fewer
    than ``LOANS_MAX_ACTIVE`` open loans; one waiting request per listing and borrower. The owner
    is told. Raises Forbidden (the owner, a suspended or banned member), NotFound (listing not
    visible), ValidationFailed (dates, message over 1,000 characters), Conflict (``DatesTaken``
    when booked, then the waiting list applies; unavailable listing; borrower's limits; request
    already waiting).
    """
    if not is_member(actor):
        raise Forbidden(_l("Connectez-vous pour emprunter du matériel."))
    require_unrestricted(actor, _l("emprunter de matériel"))
    if acts_for_owner(actor, listing):
        raise Forbidden(_l("C’est votre annonce : vous ne pouvez pas vous la prêter."))
    _ensure_lendable(listing)
    text = checked_text(message, "message", MESSAGE_MAX)
    # One request at a time per borrower: the cap holds even with two tabs on PostgreSQL.
    db.session.execute(select(User.id).where(User.id == actor.id).with_for_update(key_share=True))
    today = paris_today(now)
    terms = terms_of(listing)
    if borrower_organisation_id is not None:
        check_borrowing_organisation(actor, listing, borrower_organisation_id)
        terms = partner_terms(terms)
    check_dates(listing, terms, start, end, today)
    ensure_can_borrow(actor, today)
    waiting = db.session.scalar(
        select(
            exists().where(
                Loan.listing_id == listing.id,
                Loan.borrower_id == actor.id,
                Loan.status == LoanStatus.REQUESTED.value,
                Loan.start_date >= today,
            )
        )
    )
    if waiting:
        raise Conflict(
            _l("Vous avez déjà une demande en attente pour ce matériel : attendez la réponse.")
        )
    problem = unavailability(listing, start, end, booked_listing_ids(listing))
    if problem is not None:
        raise problem
    loan = Loan(
        listing_id=listing.id,
        borrower_id=actor.id,
        borrower_organisation_id=borrower_organisation_id,
        lender_id=listing.owner_id,
        status=LoanStatus.REQUESTED.value,
        start_date=start,
        end_date=end,
        message=text,
        deposit_cents=terms.deposit_cents,
        requested_at=now or utcnow(),
    )
    db.session.add(loan)
    db.session.flush()
    for member in lender_side_members(loan, actor):
        tell(member, "loan_requested", loan, actor=actor, message=text)
    return loan


# --- the owner's answer --------------------------------------------------------------------------


def accept_loan(actor, loan: Loan, now: datetime | None = None) -> Loan:
    """The owner accepts a request: its dates are booked, for every item of a kit.

    Other waiting requests for the same listing and overlapping days are declined, and their
    borrowers told that the dates went to another loan (``overlaps``). Exactly one of two
    overlapping loans can be accepted, however many accepts run at once. Raises Forbidden (not
    the owner), Conflict (request no longer waiting, listing not lent now, first day passed,
    ``DatesTaken``/``DatesBlocked``, even when decided by the database at the last moment).
    """
    require_side(
        actor, loan, Party.LENDER, _l("Seul le propriétaire du matériel peut accepter le prêt.")
    )
    listing = lock_loan(loan)
    if loan.status != LoanStatus.REQUESTED.value:
        raise status_conflict(loan)
    if listing.status != ListingStatus.PUBLISHED.value:
        raise Conflict(_l("Ce matériel n’est pas disponible au prêt en ce moment."))
    today = paris_today(now)
    if loan.start_date < today:
        raise Conflict(
            _l(
                "Le premier jour de cette demande est passé : refusez-la, le membre pourra en "
                "faire une nouvelle."
            )
        )
    ids = booked_listing_ids(listing)
    lock_booked_listings(ids)
    problem = unavailability(listing, loan.start_date, loan.end_date, ids)
    if problem is not None:
        raise problem
    moment = now or utcnow()
    try:
        with db.session.begin_nested():
            apply_transition(loan, "accept", actor=actor, now=moment)
            db.session.add_all(
                Booking(
                    loan_id=loan.id,
                    listing_id=listing_id,
                    start_date=loan.start_date,
                    end_date=loan.end_date,
                )
                for listing_id in ids
            )
    except IntegrityError as exc:
        raise DatesTaken(
            _l("Un autre prêt vient d’être accepté pour ces dates : celui-ci ne peut plus l’être.")
        ) from exc
    others = db.session.scalars(
        select(Loan)
        .where(
            Loan.listing_id == listing.id,
            Loan.id != loan.id,
            Loan.status == LoanStatus.REQUESTED.value,
            Loan.start_date <= loan.end_date,
            Loan.end_date >= loan.start_date,
        )
        .options(joinedload(Loan.borrower))
        .order_by(Loan.id)
    ).all()
    for other in others:
        apply_transition(
            other,
            "decline",
            actor=actor,
            reason=overlaps.TAKEN_REASON,
            details=overlaps.taken_details(loan),
            now=moment,
        )
    db.session.flush()
    for other in others:
        tell(other.borrower, "loan_dates_taken", other, actor=actor, reason="", taken=True)
    tell(loan.borrower, "loan_accepted", loan, actor=actor, place=pickup_place(listing))
    return loan


def decline_loan(actor, loan: Loan, reason: str = "", now: datetime | None = None) -> Loan:
    """The owner declines a waiting request, with an optional reason (500 characters at most).

    Raises Forbidden (not the owner), Conflict (request no longer waiting), ValidationFailed on
    ``reason``.
    """
    require_side(
        actor, loan, Party.LENDER, _l("Seul le propriétaire du matériel peut refuser le prêt.")
    )
    text = checked_text(reason, "reason", REASON_MAX)
    lock_loan(loan)
    if loan.status != LoanStatus.REQUESTED.value:
        raise status_conflict(loan)
    loan.reason = text
    apply_transition(loan, "decline", actor=actor, reason=text, now=now)
    tell(loan.borrower, "loan_declined", loan, actor=actor, reason=text, taken=False)
    waitlist.release([loan.listing_id], now)
    return loan


def cancel_loan(actor, loan: Loan, reason: str = "", now: datetime | None = None) -> Loan:
    """Either party cancels a requested or accepted loan before the pickup, with an optional
    reason (500 characters at most). The days are freed and the waiting list told.

    Raises Forbidden (not a party), Conflict (loan not requested or accepted, or a pickup already
    confirmed), ValidationFailed on ``reason``.
    """
    side = require_side(actor, loan)
    text = checked_text(reason, "reason", REASON_MAX)
    lock_loan(loan)
    if loan.status not in (LoanStatus.REQUESTED.value, LoanStatus.ACCEPTED.value):
        raise status_conflict(loan)
    if pickup_started(loan):
        raise Conflict(
            _l(
                "La remise a déjà été confirmée : le prêt ne peut plus être annulé. Rendez le "
                "matériel, puis confirmez le retour."
            )
        )
    loan.reason = text
    apply_transition(loan, "cancel", actor=actor, reason=text, now=now)
    freed = free_bookings(loan)
    db.session.flush()
    for member in other_side_members(loan, side, actor):
        tell(member, "loan_cancelled", loan, actor=actor, reason=text)
    waitlist.release(freed or [loan.listing_id], now)
    return loan


def mark_no_show(actor, loan: Loan, now: datetime | None = None) -> Loan:
    """The owner reports that the borrower did not come to the pickup: the days are freed.

    Counts in the borrower's reliability figure; they are told. From the loan's first day, if
    nobody confirmed the pickup. Raises Forbidden (not the owner) or Conflict.
    """
    require_side(
        actor, loan, Party.LENDER, _l("Seul le propriétaire du matériel peut signaler une absence.")
    )
    lock_loan(loan)
    if loan.status != LoanStatus.ACCEPTED.value:
        raise status_conflict(loan)
    if paris_today(now) < loan.start_date:
        raise Conflict(
            _l(
                "La remise est prévue le %(date)s : vous pourrez signaler une absence à partir "
                "de ce jour.",
                date=format_date(loan.start_date, "long"),
            )
        )
    if pickup_started(loan):
        raise Conflict(_l("La remise a été confirmée : l’emprunteur est bien venu."))
    apply_transition(loan, "mark_no_show", actor=actor, now=now)
    freed = free_bookings(loan)
    db.session.flush()
    tell(loan.borrower, "no_show", loan, actor=actor)
    waitlist.release(freed, now)
    return loan


# --- requests left unanswered --------------------------------------------------------------------


def expire_requests(now: datetime | None = None) -> int:
    """Close the requests whose first day passed without an answer, and tell their borrowers;
    returns how many. Each is closed and told once, even by two runs at once: the rows are
    locked as they are read (FOR UPDATE on PostgreSQL: a second run waits, then no longer finds
    them waiting; on SQLite the caller's write transaction, ``core.db.begin_write``, serialises
    the runs)."""
    today = paris_today(now)
    stale = db.session.scalars(
        select(Loan)
        .where(Loan.status == LoanStatus.REQUESTED.value, Loan.start_date < today)
        .order_by(Loan.id)
        .with_for_update(of=Loan)
        .execution_options(populate_existing=True)
    ).all()
    for loan in stale:
        apply_transition(loan, "expire", actor=None, now=now)
        listing_url = external_url("loans.listing", listing_id=loan.listing_id)
        tell(loan.borrower, "loan_expired", loan, listing_url=listing_url)
    return len(stale)


# --- ratings -------------------------------------------------------------------------------------


def _rating_by(user, loan: Loan) -> Rating | None:
    """The rating ``user``'s side gave: on the lender's side of an organisation's listing, any
    member's (the organisation rates the borrower once)."""
    side = loan_side(user, loan)
    if side == Party.LENDER.value:
        return rating_received(RatingKind.LOAN, loan.id, loan.borrower_id)
    return rating_by(user, RatingKind.LOAN, loan.id)


def has_rated(user, loan: Loan) -> bool:
    return _rating_by(user, loan) is not None


def ensure_can_rate(actor, loan: Loan) -> None:
    """Check that ``actor`` may rate this loan now.

    Raises Forbidden (not a party) or Conflict (not returned yet, already rated).
    """
    require_side(actor, loan)
    if loan.status != LoanStatus.RETURNED.value:
        raise Conflict(_l("Vous pourrez évaluer l’autre membre une fois le matériel rendu."))
    if _rating_by(actor, loan) is not None:
        raise Conflict(_l("Vous avez déjà évalué ce prêt."))


def rate_loan(actor, loan: Loan, score, comment: str = "") -> Rating:
    """One party rates the other after the return: a score of 1 to 5, once each.

    The comment is plain text, 500 characters at most; the rated member is told. Raises
    Forbidden (not a party), Conflict (not returned, already rated, even from another tab at the
    same moment), ValidationFailed on ``score`` or ``comment``.
    """
    side = require_side(actor, loan)
    score, comment = checked_rating(score, comment)
    ensure_can_rate(actor, loan)
    # For an organisation's listing, the borrower's rating is kept against the listing's
    # creator (a rating needs a member) but counts for the organisation, never for that member
    # (``trade.ratings.about_organisation``); all its members are told.
    ratee = other_party(loan, side)
    rating = add_rating(
        RatingKind.LOAN, loan.id, actor, ratee, score, comment, _l("Vous avez déjà évalué ce prêt.")
    )
    for member in other_side_members(loan, side, actor):
        tell(member, "loan_rated", loan, actor=actor, rating=rating)
    return rating
