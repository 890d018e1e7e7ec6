"""Reading the exchanges: a member's requests, a listing's requests for its owner, what a viewer
may do about a listing's exchange, and the words for each request status."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from sportressources.core.db import db
from sportressources.listings.models import Listing, ListingStatus
from sportressources.listings.owners import managed_by
from sportressources.listings.policies import acts_for_owner
from sportressources.trade.exchanges.models import ExchangeRequest, RequestStatus
from sportressources.trade.exchanges.rules import (
    ACTIVE_STATUSES,
    EXCHANGE_KINDS,
    RENEWABLE_STATUSES,
    exchange_rating_by,
    require_owner,
)
from sportressources.trade.models import Rating, RatingKind
from sportressources.trade.parties import is_member
from sportressources.trade.ratings import rated_ids

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


# --- reading -------------------------------------------------------------------------------------


def requests_made_by(user) -> list[ExchangeRequest]:
    """The user's requests, newest first, with their listing and its owner loaded."""
    return list(
        db.session.scalars(
            select(ExchangeRequest)
            .where(ExchangeRequest.requester_id == user.id)
            .options(
                joinedload(ExchangeRequest.listing).joinedload(Listing.owner),
                joinedload(ExchangeRequest.listing).joinedload(Listing.organisation),
            )
            .order_by(ExchangeRequest.created_at.desc(), ExchangeRequest.id.desc())
        )
    )


def requests_received_by(user) -> list[ExchangeRequest]:
    """Requests on the user's listings, and on those of the organisations they act for now,
    that are waiting for an answer or in progress, oldest first."""
    return list(
        db.session.scalars(
            select(ExchangeRequest)
            .join(ExchangeRequest.listing)
            .where(managed_by(user.id), ExchangeRequest.status.in_(ACTIVE_STATUSES))
            .options(
                joinedload(ExchangeRequest.listing).joinedload(Listing.organisation),
                joinedload(ExchangeRequest.requester),
            )
            .order_by(ExchangeRequest.created_at, ExchangeRequest.id)
        )
    )


def requests_for_listing(actor, listing: Listing) -> list[ExchangeRequest]:
    """Every request of a listing, oldest first, requesters loaded: for its owner only.

    Raises Forbidden for anyone else.
    """
    require_owner(
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
    """The ids, among ``requests``, of the exchanges ``user`` has already rated: one query.

    On the owner's side of an organisation's listing, a request counts as rated once any member
    rated its requester."""
    rated = rated_ids(user, RatingKind.EXCHANGE, [request.id for request in requests])
    shared = {
        r.id: r.requester_id
        for r in requests
        if r.listing.organisation_id is not None and r.requester_id != user.id
    }
    if shared:
        rows = db.session.execute(
            select(Rating.exchange_request_id, Rating.ratee_id).where(
                Rating.exchange_request_id.in_(shared)
            )
        )
        rated |= {request_id for request_id, ratee_id in rows if shared[request_id] == ratee_id}
    return rated


def exchange_state(listing: Listing, viewer) -> ExchangeState:
    """What ``viewer`` (a member or an anonymous visitor) may do about ``listing``'s exchange."""
    applies = listing.kind in EXCHANGE_KINDS
    is_owner = is_member(viewer) and acts_for_owner(viewer, listing)
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
    has_rated = completed and exchange_rating_by(viewer, exchange) is not None
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
