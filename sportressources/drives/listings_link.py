"""What a pledge does to the resident's own listing it promises: reserved while pledged, marked
given when the organisation confirms receipt, back on the site when the pledge ends otherwise.

Only through ``listings.services.set_availability``, acting as the listing's owner (the member
who pledged it): their pledge is what authorises the change. A listing its owner already closed
or changed by hand is left as it is.
"""

from __future__ import annotations

from sportressources.core.errors import Conflict
from sportressources.drives.models import PledgeItem
from sportressources.listings.models import ListingStatus
from sportressources.listings.services import set_availability


def reserve_listing(item: PledgeItem) -> None:
    """Reserve the published listing an item promises."""
    set_availability(item.pledge.member, item.listing, ListingStatus.RESERVED.value)


def give_listing(item: PledgeItem) -> None:
    """Mark the listing given once the organisation received it."""
    _settle(item, ListingStatus.GIVEN.value)


def release_listing(item: PledgeItem) -> None:
    """Put the listing back on the site when its pledge ends without the item."""
    _settle(item, ListingStatus.PUBLISHED.value)


def _settle(item: PledgeItem, status: str) -> None:
    if item.listing is None or item.listing.status != ListingStatus.RESERVED.value:
        return
    try:
        set_availability(item.pledge.member, item.listing, status)
    except Conflict:
        # An exchange arranged on the listing meanwhile decides its fate; the receipt stands.
        return
