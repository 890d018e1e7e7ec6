"""The exchange of a gift or a sale: request, choice of one requester, handover, ratings.

A member requests a published item; the owner picks one requester (the listing is then reserved
and the other requests are declined politely); both confirm the handover, which closes the
listing as given or sold; then each may rate the other once. A picked requester who did not come
is marked as a no-show and the listing is published again. Loans follow their own workflow.

Services flush and never commit; every step tells the other party (``notices``: an in-app
notice and an email, in their language); reading is in ``queries``, signal receivers in
``receivers``. Each step first locks the listing's row, so that the steps of one listing run one
after the other on PostgreSQL (SQLite already serialises writing requests); the partial unique
index on accepted requests and the unique rating per rater stay as the database's last word.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from sportressources.accounts.restrictions import require_unrestricted
from sportressources.core.db import db, utcnow
from sportressources.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
)
from sportressources.core.mail import external_url
from sportressources.core.states import apply_transition
from sportressources.core.templating import member_name
from sportressources.core.text import checked_text
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.listings.owners import owner_name, owner_side_members
from sportressources.listings.policies import acts_for_owner
from sportressources.notifications.services import site_path
from sportressources.trade.exchanges.models import ExchangeRequest, RequestStatus
from sportressources.trade.exchanges.notices import tell
from sportressources.trade.exchanges.rules import (
    ACTIVE_STATUSES,
    EXCHANGE_KINDS,
    RENEWABLE_STATUSES,
    exchange_rating_by,
    require_owner,
)
from sportressources.trade.models import Rating, RatingKind
from sportressources.trade.parties import is_member, lock_listing, require_party
from sportressources.trade.ratings import add_rating, checked_rating

MESSAGE_MAX = 1000
REASON_MAX = 500
HIDDEN_LISTING_STATUSES = (
    ListingStatus.DRAFT.value,
    ListingStatus.AWAITING_REVIEW.value,
    ListingStatus.REJECTED.value,
)


# --- rules shared by the steps -------------------------------------------------------------------


def _lock_request(request: ExchangeRequest) -> Listing:
    """Lock the request's listing, then reload the request as the previous step left it."""
    listing = lock_listing(request.listing_id)
    db.session.refresh(request)
    return listing


def _require_party(actor, request: ExchangeRequest) -> str:
    return require_party(
        actor,
        {"owner": request.listing, "requester": request.requester_id},
        _l("Seules les deux personnes de l’échange peuvent faire cela."),
    )


def _status_conflict(request: ExchangeRequest) -> Conflict:
    messages = {
        RequestStatus.PENDING: _l("Cette demande attend encore la réponse du propriétaire."),
        RequestStatus.ACCEPTED: _l("Cette demande a déjà été acceptée."),
        RequestStatus.DECLINED: _l("Cette demande n’a pas été retenue."),
        RequestStatus.WITHDRAWN: _l("Cette demande a été retirée par le membre."),
        RequestStatus.COMPLETED: _l("Cet échange est déjà terminé."),
        RequestStatus.NO_SHOW: _l("Cette demande est close : le membre n’est pas venu."),
    }
    return Conflict(messages.get(request.status, _l("Cette demande n’est plus en cours.")))


def _unavailable(listing: Listing) -> DomainError:
    if listing.status in HIDDEN_LISTING_STATUSES:
        return NotFound(_l("Cette annonce n’existe pas ou n’est plus visible."))
    if listing.status == ListingStatus.RESERVED.value:
        return Conflict(_l("Cet article est déjà réservé pour un autre membre."))
    return Conflict(_l("Cette annonce n’est plus disponible."))


def _requests_url(listing: Listing) -> str:
    return external_url("exchanges.listing_requests", listing_id=listing.id)


def _requests_path(listing: Listing) -> str:
    return site_path("exchanges.listing_requests", listing_id=listing.id)


# --- requesting ----------------------------------------------------------------------------------


def ensure_requestable(actor, listing: Listing) -> ExchangeRequest | None:
    """Check that ``actor`` may request ``listing`` now; returns their earlier request, if any.

    Raises Forbidden (the owner), NotFound (listing not visible), Conflict (a loan, a listing no
    longer published, or a request already active).
    """
    if acts_for_owner(actor, listing):
        raise Forbidden(_l("C’est votre annonce : vous ne pouvez pas la demander."))
    if listing.status in HIDDEN_LISTING_STATUSES:
        raise _unavailable(listing)
    if listing.kind not in EXCHANGE_KINDS:
        raise Conflict(
            _l(
                "Ce matériel se prête : choisissez vos dates dans le calendrier de l’annonce "
                "pour demander à l’emprunter."
            )
        )
    if listing.status != ListingStatus.PUBLISHED.value:
        raise _unavailable(listing)
    if listing.organisation_id is None and listing.owner.is_deleted:
        raise NotFound(_l("Cette annonce n’existe pas ou n’est plus visible."))
    earlier = db.session.scalar(
        select(ExchangeRequest).where(
            ExchangeRequest.listing_id == listing.id, ExchangeRequest.requester_id == actor.id
        )
    )
    if earlier is not None and earlier.status not in RENEWABLE_STATUSES:
        if earlier.status in ACTIVE_STATUSES:
            raise Conflict(_l("Vous avez déjà demandé cet article."))
        raise Conflict(_l("Vous ne pouvez plus demander cet article."))
    return earlier


def request_item(actor, listing: Listing, message: str = "") -> ExchangeRequest:
    """Ask for a published gift or sale, with an optional message (1,000 characters at most).

    One active request per member and listing: asking again after withdrawing (or after the
    owner chose someone else) reactivates the same request. The owner is emailed. Raises
    Forbidden (also for a suspended or banned member), NotFound or Conflict (see
    ``ensure_requestable``), ValidationFailed on ``message``.
    """
    require_unrestricted(actor, _l("demander d’article"))
    text = checked_text(message, "message", MESSAGE_MAX)
    lock_listing(listing.id)
    earlier = ensure_requestable(actor, listing)
    now = utcnow()
    if earlier is not None:
        request = earlier
        apply_transition(request, "renew", actor=actor, now=now)
        request.message = text
        request.created_at = now
        request.decided_at = request.completed_at = None
        request.owner_confirmed_at = request.requester_confirmed_at = None
        db.session.flush()
    else:
        request = ExchangeRequest(
            listing_id=listing.id,
            requester_id=actor.id,
            message=text,
            status=RequestStatus.PENDING.value,
            created_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(request)
        except IntegrityError as exc:
            # The same member asked from another tab at the same moment.
            raise Conflict(_l("Vous avez déjà demandé cet article.")) from exc
    for member in owner_side_members(listing, exclude=actor):
        tell(
            member,
            "exchange_requested",
            listing,
            _requests_path(listing),
            actor,
            requester_name=member_name(actor),
            message=text,
            requests_url=_requests_url(listing),
        )
    return request


def withdraw_request(actor, request: ExchangeRequest) -> ExchangeRequest:
    """The requester changes their mind; if they had been chosen, the listing is published again.

    Raises Forbidden (not the requester) or Conflict (request no longer pending or accepted).
    """
    if not is_member(actor) or actor.id != request.requester_id:
        raise Forbidden(_l("Seul le membre qui a fait la demande peut la retirer."))
    listing = _lock_request(request)
    if request.status not in ACTIVE_STATUSES:
        raise _status_conflict(request)
    was_accepted = request.status == RequestStatus.ACCEPTED.value
    apply_transition(request, "withdraw", actor=actor)
    request.owner_confirmed_at = request.requester_confirmed_at = None
    if was_accepted and listing.status == ListingStatus.RESERVED.value:
        apply_transition(listing, "release", actor=actor)
    db.session.flush()
    for member in owner_side_members(listing, exclude=actor):
        tell(
            member,
            "exchange_withdrawn",
            listing,
            _requests_path(listing),
            actor,
            requester_name=member_name(actor),
            was_accepted=was_accepted,
            requests_url=_requests_url(listing),
        )
    return request


# --- the owner's choice --------------------------------------------------------------------------


def accept_request(actor, request: ExchangeRequest) -> ExchangeRequest:
    """The owner picks this requester: the listing is reserved, the other requests declined.

    The picked requester is emailed, and each declined one gets a polite email. Exactly one
    request of a listing can be accepted, even when two tabs accept two requests at once.
    Raises Forbidden (not the owner) or Conflict (request not pending, listing not published,
    someone else picked meanwhile).
    """
    require_owner(actor, request.listing, _l("Seul le propriétaire de l’annonce peut choisir."))
    listing = _lock_request(request)
    if request.status != RequestStatus.PENDING.value:
        raise _status_conflict(request)
    if listing.status != ListingStatus.PUBLISHED.value:
        raise _unavailable(listing)
    now = utcnow()
    try:
        with db.session.begin_nested():
            apply_transition(request, "accept", actor=actor, now=now)
            apply_transition(listing, "reserve", actor=actor, now=now)
    except IntegrityError as exc:
        raise Conflict(_l("Un autre membre vient d’être choisi pour cet article.")) from exc
    others = db.session.scalars(
        select(ExchangeRequest)
        .where(
            ExchangeRequest.listing_id == listing.id,
            ExchangeRequest.id != request.id,
            ExchangeRequest.status == RequestStatus.PENDING.value,
        )
        .options(joinedload(ExchangeRequest.requester))
    ).all()
    for other in others:
        apply_transition(other, "decline", actor=actor, now=now)
    db.session.flush()
    for other in others:
        tell(
            other.requester,
            "exchange_declined",
            listing,
            site_path("exchanges.detail", request_id=other.id),
            reason="",
            someone_else=True,
        )
    tell(
        request.requester,
        "exchange_accepted",
        listing,
        site_path("exchanges.detail", request_id=request.id),
        actor,
        owner_name=owner_name(listing),
    )
    return request


def decline_request(actor, request: ExchangeRequest, reason: str = "") -> ExchangeRequest:
    """The owner says no to a pending request, with an optional reason (500 characters at most).

    Raises Forbidden (not the owner), Conflict (request not pending), ValidationFailed on
    ``reason``.
    """
    require_owner(actor, request.listing, _l("Seul le propriétaire de l’annonce peut refuser."))
    text = checked_text(reason, "reason", REASON_MAX)
    listing = _lock_request(request)
    if request.status != RequestStatus.PENDING.value:
        raise _status_conflict(request)
    apply_transition(request, "decline", actor=actor, reason=text)
    tell(
        request.requester,
        "exchange_declined",
        listing,
        site_path("exchanges.detail", request_id=request.id),
        reason=text,
        someone_else=False,
    )
    return request


# --- handover ------------------------------------------------------------------------------------


def confirm_handover(actor, request: ExchangeRequest) -> ExchangeRequest:
    """One party confirms the item changed hands; once both have, the exchange is complete.

    Completing closes the listing as given (gift) or sold (sale). The other party is emailed:
    to confirm in turn, or that the exchange is complete and can be rated. Raises Forbidden
    (not a party) or Conflict (request not accepted, already confirmed by this party).
    """
    side = _require_party(actor, request)
    listing = _lock_request(request)
    if request.status != RequestStatus.ACCEPTED.value:
        if request.status == RequestStatus.PENDING.value:
            raise Conflict(
                _l("La remise se confirme une fois la demande acceptée par le propriétaire.")
            )
        raise _status_conflict(request)
    now = utcnow()
    if side == "owner":
        if request.owner_confirmed_at is not None:
            raise Conflict(_l("Vous avez déjà confirmé la remise."))
        request.owner_confirmed_at = now
        others = [request.requester]
    else:
        if request.requester_confirmed_at is not None:
            raise Conflict(_l("Vous avez déjà confirmé la remise."))
        request.requester_confirmed_at = now
        others = owner_side_members(listing, exclude=actor)
    completed = (
        request.owner_confirmed_at is not None and request.requester_confirmed_at is not None
    )
    if completed:
        apply_transition(request, "complete", actor=actor, now=now)
        close = "mark_given" if listing.kind == ListingKind.GIFT.value else "mark_sold"
        apply_transition(listing, close, actor=actor, now=now)
    db.session.flush()
    rate_url = external_url("exchanges.rate", request_id=request.id)
    for other in others if completed else []:
        tell(
            other,
            "exchange_completed",
            listing,
            site_path("exchanges.detail", request_id=request.id),
            actor,
            other_name=member_name(actor),
            rate_url=rate_url,
        )
    for other in [] if completed else others:
        tell(
            other,
            "exchange_handover_confirmed",
            listing,
            site_path("exchanges.detail", request_id=request.id),
            actor,
            other_name=member_name(actor),
            confirm_url=external_url("exchanges.detail", request_id=request.id),
        )
    return request


def mark_no_show(actor, request: ExchangeRequest) -> ExchangeRequest:
    """The owner says the picked requester did not come: the listing is published again.

    The no-show counts in the requester's reliability figure; they are emailed. Raises Forbidden
    (not the owner) or Conflict (request not accepted, or the requester confirmed the handover).
    """
    require_owner(actor, request.listing, _l("Seul le propriétaire de l’annonce peut faire cela."))
    listing = _lock_request(request)
    if request.status != RequestStatus.ACCEPTED.value:
        raise _status_conflict(request)
    if request.requester_confirmed_at is not None:
        raise Conflict(
            _l(
                "Ce membre a confirmé avoir reçu l’article : confirmez la remise à votre tour, "
                "ou écrivez-lui."
            )
        )
    apply_transition(request, "mark_no_show", actor=actor)
    request.owner_confirmed_at = None
    if listing.status == ListingStatus.RESERVED.value:
        apply_transition(listing, "release", actor=actor)
    db.session.flush()
    tell(
        request.requester,
        "exchange_no_show",
        listing,
        site_path("exchanges.detail", request_id=request.id),
        actor,
        owner_name=owner_name(listing),
    )
    return request


# --- ratings -------------------------------------------------------------------------------------


def ensure_can_rate(actor, request: ExchangeRequest) -> None:
    """Check that ``actor`` may rate this exchange now.

    Raises Forbidden (not a party) or Conflict (exchange not completed, already rated).
    """
    _require_party(actor, request)
    if request.status != RequestStatus.COMPLETED.value:
        raise Conflict(_l("Vous pourrez évaluer l’autre membre une fois l’échange terminé."))
    if exchange_rating_by(actor, request) is not None:
        raise Conflict(_l("Vous avez déjà évalué cet échange."))


def rate(actor, request: ExchangeRequest, score, comment: str = "") -> Rating:
    """One party rates the other after a completed exchange: a score of 1 to 5, once each.

    The comment is plain text, 500 characters at most. The rated member is emailed. Raises
    Forbidden (not a party), Conflict (not completed, already rated, even from another tab at
    the same moment), ValidationFailed on ``score`` or ``comment``.
    """
    side = _require_party(actor, request)
    score, comment = checked_rating(score, comment)
    ensure_can_rate(actor, request)
    # For an organisation's listing, the requester's rating is kept against the listing's
    # creator (a rating needs a member) but counts for the organisation, never for that member
    # (``trade.ratings.about_organisation``); all its members are told.
    ratee = request.requester if side == "owner" else request.listing.owner
    told = (
        [request.requester]
        if side == "owner"
        else owner_side_members(request.listing, exclude=actor)
    )
    rating = add_rating(
        RatingKind.EXCHANGE,
        request.id,
        actor,
        ratee,
        score,
        comment,
        _l("Vous avez déjà évalué cet échange."),
    )
    for member in told:
        tell(
            member,
            "exchange_rated",
            request.listing,
            site_path("accounts.profile", public_id=member.public_id),
            actor,
            subject={"name": member_name(actor)},
            rater_name=member_name(actor),
            rating=rating,
            profile_url=external_url("accounts.profile", public_id=member.public_id),
        )
    return rating


# --- sanctions -----------------------------------------------------------------------------------

# Why the system ends a request, in the audit log
RESTRICTED_REASON = "member suspended or banned"


def cancel_requests_of_restricted_member(member) -> list[ExchangeRequest]:
    """A member is suspended or banned: their pending and accepted requests are withdrawn (a
    listing reserved for them is published again) and those on their listings declined.

    Nothing has changed hands in a pending or accepted request (the handover completes the
    exchange), so each is cancelled. Returns the requests cancelled, for the caller to tell
    each counterpart; tells nobody itself. Flushes.
    """
    requests = db.session.scalars(
        select(ExchangeRequest)
        .join(Listing, Listing.id == ExchangeRequest.listing_id)
        .where(
            or_(
                ExchangeRequest.requester_id == member.id,
                and_(Listing.owner_id == member.id, Listing.organisation_id.is_(None)),
            ),
            ExchangeRequest.status.in_(ACTIVE_STATUSES),
        )
        .order_by(ExchangeRequest.listing_id, ExchangeRequest.id)
    ).all()
    cancelled = []
    for request in requests:
        listing = _lock_request(request)
        if request.status not in ACTIVE_STATUSES:
            continue
        was_accepted = request.status == RequestStatus.ACCEPTED.value
        if request.requester_id == member.id:
            apply_transition(request, "withdraw", actor=None, reason=RESTRICTED_REASON)
            if was_accepted and listing.status == ListingStatus.RESERVED.value:
                apply_transition(listing, "release", actor=None, reason=RESTRICTED_REASON)
        else:
            # The member's listing itself is hidden by the sanction
            apply_transition(request, "decline_on_close", actor=None, reason=RESTRICTED_REASON)
        request.owner_confirmed_at = request.requester_confirmed_at = None
        cancelled.append(request)
    db.session.flush()
    return cancelled
