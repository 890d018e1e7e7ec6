"""The exchange of a gift or a sale: request, choice of one requester, handover, ratings.

A member requests a published item; the owner picks one requester (the listing is then reserved
and the other requests are declined politely); both confirm the handover, which closes the
listing as given or sold; then each may rate the other once. A picked requester who did not come
is marked as a no-show and the listing is published again. Loans follow their own workflow.

Services flush and never commit; every step emails the other party, in their language. Each step
first locks the listing's row, so that the steps of one listing run one after the other on
PostgreSQL (SQLite already serialises writing requests); the partial unique index on accepted
requests and the unique rating per rater stay as the database's last word.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from sportressources.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
)
from sportressources.core.mail import external_url, send_mail
from sportressources.core.states import apply_transition
from sportressources.core.templating import member_name
from sportressources.core.text import checked_text
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.trade.exchanges.models import ExchangeRequest, RequestStatus
from sportressources.trade.models import Rating, RatingKind
from sportressources.trade.parties import is_member, lock_listing, require_party
from sportressources.trade.ratings import (
    add_rating,
    checked_rating,
    rated_ids,
    rating_by,
    ratings_of,
)

# The listing's page and the requests page read the figure here (one query for both kinds)
from sportressources.trade.reputation import Reliability as Reliability
from sportressources.trade.reputation import reliabilities as reliabilities
from sportressources.trade.reputation import reliability as reliability

EXCHANGE_KINDS = (ListingKind.GIFT.value, ListingKind.SALE.value)
MESSAGE_MAX = 1000
REASON_MAX = 500
ACTIVE_STATUSES = (RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value)
# Statuses a member can request again from: they withdrew, or the owner chose someone else
RENEWABLE_STATUSES = (RequestStatus.WITHDRAWN.value, RequestStatus.DECLINED.value)
HIDDEN_LISTING_STATUSES = (
    ListingStatus.DRAFT.value,
    ListingStatus.AWAITING_REVIEW.value,
    ListingStatus.REJECTED.value,
)

STATUS_LABELS: dict[str, LazyString] = {
    RequestStatus.PENDING: _l("En attente de réponse"),
    RequestStatus.ACCEPTED: _l("Acceptée : remise à organiser"),
    RequestStatus.DECLINED: _l("Non retenue"),
    RequestStatus.WITHDRAWN: _l("Retirée"),
    RequestStatus.COMPLETED: _l("Échange terminé"),
    RequestStatus.NO_SHOW: _l("Absent au rendez-vous"),
}


@dataclass(frozen=True)
class ExchangeState:
    """What a viewer may do about a listing's exchange; the listing page shows the buttons."""

    listing: Listing
    applies: bool  # a gift or a sale, not a loan
    is_owner: bool
    own_request: ExchangeRequest | None  # the viewer's request, for a member
    exchange: ExchangeRequest | None  # the accepted or completed request the viewer is party to
    pending_count: int  # requests waiting for the owner's answer, for the owner
    can_request: bool
    can_withdraw: bool
    can_confirm: bool
    can_mark_no_show: bool
    can_rate: bool
    has_rated: bool


# --- rules shared by the steps -------------------------------------------------------------------


def _lock_request(request: ExchangeRequest) -> Listing:
    """Lock the request's listing, then reload the request as the previous step left it."""
    listing = lock_listing(request.listing_id)
    db.session.refresh(request)
    return listing


def _require_owner(actor, listing: Listing, message: LazyString) -> None:
    if not is_member(actor) or actor.id != listing.owner_id:
        raise Forbidden(message)


def _require_party(actor, request: ExchangeRequest) -> str:
    return require_party(
        actor,
        {"owner": request.listing.owner_id, "requester": request.requester_id},
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


def _notify(user: User, subject: LazyString, template: str, **context) -> None:
    """Email a member about an exchange step, in their language; closed accounts get nothing."""
    if user is None or user.is_deleted:
        return
    send_mail(
        user.email,
        subject,
        f"listings/{template}",
        locale=user.locale,
        user=user,
        my_requests_url=external_url("exchanges.my_requests"),
        **context,
    )


def _requests_url(listing: Listing) -> str:
    return external_url("exchanges.listing_requests", listing_id=listing.id)


# --- requesting ----------------------------------------------------------------------------------


def ensure_requestable(actor, listing: Listing) -> ExchangeRequest | None:
    """Check that ``actor`` may request ``listing`` now; returns their earlier request, if any.

    Raises Forbidden (the owner), NotFound (listing not visible), Conflict (a loan, a listing no
    longer published, or a request already active).
    """
    if actor.id == listing.owner_id:
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
    if listing.owner.is_deleted:
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
    Forbidden, NotFound or Conflict (see ``ensure_requestable``), ValidationFailed on
    ``message``.
    """
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
    _notify(
        listing.owner,
        _l("Nouvelle demande pour « %(title)s »", title=listing.title),
        "request_received",
        listing=listing,
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
    _notify(
        listing.owner,
        _l("Demande retirée pour « %(title)s »", title=listing.title),
        "request_withdrawn",
        listing=listing,
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
    _require_owner(actor, request.listing, _l("Seul le propriétaire de l’annonce peut choisir."))
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
        _notify(
            other.requester,
            _l("Votre demande pour « %(title)s »", title=listing.title),
            "request_declined",
            listing=listing,
            reason="",
            someone_else=True,
        )
    _notify(
        request.requester,
        _l("Bonne nouvelle : « %(title)s » vous est réservé", title=listing.title),
        "request_accepted",
        listing=listing,
        owner_name=member_name(listing.owner),
    )
    return request


def decline_request(actor, request: ExchangeRequest, reason: str = "") -> ExchangeRequest:
    """The owner says no to a pending request, with an optional reason (500 characters at most).

    Raises Forbidden (not the owner), Conflict (request not pending), ValidationFailed on
    ``reason``.
    """
    _require_owner(actor, request.listing, _l("Seul le propriétaire de l’annonce peut refuser."))
    text = checked_text(reason, "reason", REASON_MAX)
    listing = _lock_request(request)
    if request.status != RequestStatus.PENDING.value:
        raise _status_conflict(request)
    apply_transition(request, "decline", actor=actor, reason=text)
    _notify(
        request.requester,
        _l("Votre demande pour « %(title)s »", title=listing.title),
        "request_declined",
        listing=listing,
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
        other = request.requester
    else:
        if request.requester_confirmed_at is not None:
            raise Conflict(_l("Vous avez déjà confirmé la remise."))
        request.requester_confirmed_at = now
        other = listing.owner
    completed = (
        request.owner_confirmed_at is not None and request.requester_confirmed_at is not None
    )
    if completed:
        apply_transition(request, "complete", actor=actor, now=now)
        close = "mark_given" if listing.kind == ListingKind.GIFT.value else "mark_sold"
        apply_transition(listing, close, actor=actor, now=now)
    db.session.flush()
    rate_url = external_url("exchanges.rate", request_id=request.id)
    if completed:
        _notify(
            other,
            _l("Échange terminé : « %(title)s »", title=listing.title),
            "exchange_completed",
            listing=listing,
            other_name=member_name(actor),
            rate_url=rate_url,
        )
    else:
        _notify(
            other,
            _l("Confirmez la remise de « %(title)s »", title=listing.title),
            "handover_confirmed",
            listing=listing,
            other_name=member_name(actor),
            confirm_url=(
                _requests_url(listing)
                if side == "requester"
                else external_url("exchanges.my_requests")
            ),
        )
    return request


def mark_no_show(actor, request: ExchangeRequest) -> ExchangeRequest:
    """The owner says the picked requester did not come: the listing is published again.

    The no-show counts in the requester's reliability figure; they are emailed. Raises Forbidden
    (not the owner) or Conflict (request not accepted, or the requester confirmed the handover).
    """
    _require_owner(actor, request.listing, _l("Seul le propriétaire de l’annonce peut faire cela."))
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
    _notify(
        request.requester,
        _l("Rendez-vous manqué pour « %(title)s »", title=listing.title),
        "no_show",
        listing=listing,
        owner_name=member_name(listing.owner),
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
    if _rating_by(actor, request) is not None:
        raise Conflict(_l("Vous avez déjà évalué cet échange."))


def _rating_by(user, request: ExchangeRequest) -> Rating | None:
    return rating_by(user, RatingKind.EXCHANGE, request.id)


def rate(actor, request: ExchangeRequest, score, comment: str = "") -> Rating:
    """One party rates the other after a completed exchange: a score of 1 to 5, once each.

    The comment is plain text, 500 characters at most. The rated member is emailed. Raises
    Forbidden (not a party), Conflict (not completed, already rated, even from another tab at
    the same moment), ValidationFailed on ``score`` or ``comment``.
    """
    side = _require_party(actor, request)
    score, comment = checked_rating(score, comment)
    ensure_can_rate(actor, request)
    ratee = request.requester if side == "owner" else request.listing.owner
    rating = add_rating(
        RatingKind.EXCHANGE,
        request.id,
        actor,
        ratee,
        score,
        comment,
        _l("Vous avez déjà évalué cet échange."),
    )
    _notify(
        ratee,
        _l("%(name)s vous a évalué", name=member_name(actor)),
        "rated",
        listing=request.listing,
        rater_name=member_name(actor),
        rating=rating,
        profile_url=external_url("accounts.profile", user_id=ratee.id),
    )
    return rating


# --- reading -------------------------------------------------------------------------------------


def requests_made_by(user) -> list[ExchangeRequest]:
    """The user's requests, newest first, with their listing and its owner loaded."""
    return list(
        db.session.scalars(
            select(ExchangeRequest)
            .where(ExchangeRequest.requester_id == user.id)
            .options(joinedload(ExchangeRequest.listing).joinedload(Listing.owner))
            .order_by(ExchangeRequest.created_at.desc(), ExchangeRequest.id.desc())
        )
    )


def requests_received_by(user) -> list[ExchangeRequest]:
    """Requests on the user's listings that are waiting for them or in progress, oldest first."""
    return list(
        db.session.scalars(
            select(ExchangeRequest)
            .join(ExchangeRequest.listing)
            .where(Listing.owner_id == user.id, ExchangeRequest.status.in_(ACTIVE_STATUSES))
            .options(joinedload(ExchangeRequest.listing), joinedload(ExchangeRequest.requester))
            .order_by(ExchangeRequest.created_at, ExchangeRequest.id)
        )
    )


def requests_for_listing(actor, listing: Listing) -> list[ExchangeRequest]:
    """Every request of a listing, oldest first, requesters loaded: for its owner only.

    Raises Forbidden for anyone else.
    """
    _require_owner(
        actor, listing, _l("Seul le propriétaire de l’annonce peut voir les demandes reçues.")
    )
    return list(
        db.session.scalars(
            select(ExchangeRequest)
            .where(ExchangeRequest.listing_id == listing.id)
            .options(joinedload(ExchangeRequest.requester))
            .order_by(ExchangeRequest.created_at, ExchangeRequest.id)
        )
    )


def rated_exchange_ids(user, requests: list[ExchangeRequest]) -> set[int]:
    """The ids, among ``requests``, of the exchanges ``user`` has already rated: one query."""
    return rated_ids(user, RatingKind.EXCHANGE, [request.id for request in requests])


def exchange_state(listing: Listing, viewer) -> ExchangeState:
    """What ``viewer`` (a member or an anonymous visitor) may do about ``listing``'s exchange."""
    applies = listing.kind in EXCHANGE_KINDS
    is_owner = is_member(viewer) and viewer.id == listing.owner_id
    own_request = exchange = None
    pending_count = 0
    if applies and is_member(viewer) and not is_owner:
        own_request = db.session.scalar(
            select(ExchangeRequest).where(
                ExchangeRequest.listing_id == listing.id,
                ExchangeRequest.requester_id == viewer.id,
            )
        )
        if own_request is not None and own_request.status in (
            RequestStatus.ACCEPTED.value,
            RequestStatus.COMPLETED.value,
        ):
            exchange = own_request
    elif applies and is_owner:
        pending_count = db.session.scalar(
            select(func.count())
            .select_from(ExchangeRequest)
            .where(
                ExchangeRequest.listing_id == listing.id,
                ExchangeRequest.status == RequestStatus.PENDING.value,
            )
        )
        exchange = db.session.scalar(
            select(ExchangeRequest)
            .where(
                ExchangeRequest.listing_id == listing.id,
                ExchangeRequest.status.in_(
                    (RequestStatus.ACCEPTED.value, RequestStatus.COMPLETED.value)
                ),
            )
            .options(joinedload(ExchangeRequest.requester))
            .order_by(ExchangeRequest.id.desc())
            .limit(1)
        )
    side = ("owner" if is_owner else "requester") if exchange is not None else None
    confirmed = (
        exchange is not None
        and (exchange.owner_confirmed_at if side == "owner" else exchange.requester_confirmed_at)
        is not None
    )
    accepted = exchange is not None and exchange.status == RequestStatus.ACCEPTED.value
    completed = exchange is not None and exchange.status == RequestStatus.COMPLETED.value
    has_rated = completed and _rating_by(viewer, exchange) is not None
    return ExchangeState(
        listing=listing,
        applies=applies,
        is_owner=is_owner,
        own_request=own_request,
        exchange=exchange,
        pending_count=pending_count,
        can_request=(
            applies
            and is_member(viewer)
            and not is_owner
            and listing.status == ListingStatus.PUBLISHED.value
            and (own_request is None or own_request.status in RENEWABLE_STATUSES)
        ),
        can_withdraw=own_request is not None and own_request.status in ACTIVE_STATUSES,
        can_confirm=accepted and not confirmed,
        can_mark_no_show=(accepted and is_owner and exchange.requester_confirmed_at is None),
        can_rate=completed and not has_rated,
        has_rated=has_rated,
    )


# --- personal data -------------------------------------------------------------------------------


def _accepted_request(listing: Listing) -> ExchangeRequest | None:
    return db.session.scalar(
        select(ExchangeRequest).where(
            ExchangeRequest.listing_id == listing.id,
            ExchangeRequest.status == RequestStatus.ACCEPTED.value,
        )
    )


def release_requests_of_closing_listing(listing: Listing, actor=None, **_extra) -> None:
    """Receiver of ``listing_closing``: decline the open requests of a listing that closes (by
    its owner, a moderator or the deletion of the account), and tell their authors politely."""
    open_requests = db.session.scalars(
        select(ExchangeRequest).where(
            ExchangeRequest.listing_id == listing.id,
            ExchangeRequest.status.in_((RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value)),
        )
    ).all()
    for request in open_requests:
        apply_transition(request, "decline_on_close", actor=actor)
        requester = request.requester
        if requester.is_deleted:
            continue
        send_mail(
            requester.email,
            _l("L’annonce « %(title)s » n’est plus disponible", title=listing.title),
            "listings/listing_closed",
            locale=requester.locale,
            user=requester,
            listing=listing,
            search_url=external_url("listings.search"),
        )


def refuse_availability_change_after_choice(listing: Listing, status: str, **_extra) -> None:
    """Receiver of ``listing_availability_changing``: once a member was chosen, the owner cannot
    put the listing back on offer nor close it by hand; the handover or a no-show decides.
    Raises Conflict."""
    if (
        status
        in (
            ListingStatus.PUBLISHED.value,
            ListingStatus.GIVEN.value,
            ListingStatus.SOLD.value,
        )
        and _accepted_request(listing) is not None
    ):
        raise Conflict(
            _l(
                "Un membre a été choisi pour cet objet : confirmez la remise ou signalez son "
                "absence depuis la page des demandes."
            )
        )


def export_exchanges(user, **_extra) -> tuple[str, dict]:
    """RGPD export: the user's requests and the ratings they gave and received."""
    ratings = ratings_of(user, RatingKind.EXCHANGE)
    return "exchanges", {
        "requests": [
            {
                "listing_id": request.listing_id,
                "listing_title": request.listing.title,
                "status": request.status,
                "message": request.message,
                "requested_at": request.created_at.isoformat(),
                "completed_at": request.completed_at.isoformat() if request.completed_at else None,
            }
            for request in requests_made_by(user)
        ],
        "ratings": [
            {
                "exchange_id": rating.exchange_request_id,
                "given": rating.rater_id == user.id,
                "score": rating.score,
                "comment": rating.comment,
                "created_at": rating.created_at.isoformat(),
            }
            for rating in ratings
        ],
    }


def withdraw_requests_of_deleted_member(user, **_extra) -> None:
    """A leaving member's open requests are withdrawn; past exchanges and ratings stay.

    A listing reserved for them is published again and its owner told. (Their own listings,
    and the requests on them, are closed by the listings' own receiver.)
    """
    made = db.session.scalars(
        select(ExchangeRequest)
        .where(
            ExchangeRequest.requester_id == user.id,
            ExchangeRequest.status.in_(ACTIVE_STATUSES),
        )
        .order_by(ExchangeRequest.listing_id)
    ).all()
    for request in made:
        withdraw_request(user, request)
