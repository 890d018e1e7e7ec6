"""Rules that the exchange's steps and its reading functions share: which listings are
exchanged, which requests are active, who owns the listing, a party's rating. For the exchanges'
own modules."""

from __future__ import annotations

from flask_babel import LazyString

from sportressources.core.errors import Forbidden
from sportressources.listings.models import Listing, ListingKind
from sportressources.listings.policies import acts_for_owner
from sportressources.trade.exchanges.models import ExchangeRequest, RequestStatus
from sportressources.trade.models import Rating, RatingKind
from sportressources.trade.parties import is_member
from sportressources.trade.ratings import rating_by, rating_received

EXCHANGE_KINDS = (ListingKind.GIFT.value, ListingKind.SALE.value)
ACTIVE_STATUSES = (RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value)
# Statuses a member can request again from: they withdrew, or the owner chose someone else
RENEWABLE_STATUSES = (RequestStatus.WITHDRAWN.value, RequestStatus.DECLINED.value)


def require_owner(actor, listing: Listing, message: LazyString) -> None:
    """Raise Forbidden with ``message`` unless ``actor`` acts for the listing's owner (for an
    organisation's listing, any of its current members)."""
    if not is_member(actor) or not acts_for_owner(actor, listing):
        raise Forbidden(message)


def exchange_rating_by(user, request: ExchangeRequest) -> Rating | None:
    """The rating ``user``'s side gave: on the owner's side of an organisation's listing, any
    member's (the organisation rates the requester once)."""
    if is_member(user) and acts_for_owner(user, request.listing):
        return rating_received(RatingKind.EXCHANGE, request.id, request.requester_id)
    return rating_by(user, RatingKind.EXCHANGE, request.id)
