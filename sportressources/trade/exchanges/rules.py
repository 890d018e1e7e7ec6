"""Rules that the exchange's steps and its reading functions share: which listings are
exchanged, which requests are active, who owns the listing, a party's rating. For the exchanges'
own modules."""

from __future__ import annotations

from flask_babel import LazyString

from sportressources.core.errors import Forbidden
from sportressources.listings.models import Listing, ListingKind
from sportressources.trade.exchanges.models import ExchangeRequest, RequestStatus
from sportressources.trade.models import Rating, RatingKind
from sportressources.trade.parties import is_member
from sportressources.trade.ratings import rating_by

EXCHANGE_KINDS = (ListingKind.GIFT.value, ListingKind.SALE.value)
ACTIVE_STATUSES = (RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value)
# Statuses a member can request again from: they withdrew, or the owner chose someone else
RENEWABLE_STATUSES = (RequestStatus.WITHDRAWN.value, RequestStatus.DECLINED.value)


def require_owner(actor, listing: Listing, message: LazyString) -> None:
    if not is_member(actor) or actor.id != listing.owner_id:
        raise Forbidden(message)


def exchange_rating_by(user, request: ExchangeRequest) -> Rating | None:
    return rating_by(user, RatingKind.EXCHANGE, request.id)
