"""What exchanges do when lower packages send their signals: a listing that closes declines its
open requests, a chosen member keeps the listing from going back on offer, a member's personal
data is exported, a leaving member's requests are withdrawn."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Conflict
from sportressources.core.mail import external_url
from sportressources.core.states import apply_transition
from sportressources.listings.models import Listing, ListingStatus
from sportressources.notifications.services import site_path
from sportressources.trade.exchanges.models import ExchangeRequest, RequestStatus
from sportressources.trade.exchanges.notices import tell
from sportressources.trade.exchanges.queries import requests_made_by
from sportressources.trade.exchanges.rules import ACTIVE_STATUSES
from sportressources.trade.exchanges.services import withdraw_request
from sportressources.trade.models import RatingKind
from sportressources.trade.ratings import ratings_of

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
        tell(
            request.requester,
            "exchange_listing_closed",
            listing,
            site_path("exchanges.detail", request_id=request.id),
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
