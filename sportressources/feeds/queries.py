"""What each feed lists: only what the public pages show, newest first, a bounded number.

Listings come from the search itself (``listings.search``: the same parser, the same query, so
only published and reserved listings, never a suspended member's); an organisation's from its
public page's rule (verified organisations only); drives and events from the lists their pages
show (running and upcoming drives, cancelled ones left out; events not over yet).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.errors import NotFound
from sportressources.drives.models import Drive
from sportressources.drives.queries import list_drives
from sportressources.events.models import Event
from sportressources.events.queries import EventFilter, list_events
from sportressources.geo.models import Commune
from sportressources.listings.models import VISIBLE_STATUSES, Listing
from sportressources.listings.search import SearchParams, search_listings
from sportressources.organisations.models import Organisation
from sportressources.organisations.queries import NOT_VISIBLE, get_organisation

# Entries per feed: a reader polls often; older entries it already has
FEED_LENGTH = 50


def feed_params(params: SearchParams) -> SearchParams:
    """The search of a feed: the same criteria, newest first, from the first page."""
    return replace(params, sort="newest", after=None, before=None, place_choices=())


def _attach(rows: list, attribute: str, key: str, model, model_key: str = "id") -> None:
    """Load ``attribute`` (a many-to-one to ``model``) of every row in one statement, rather
    than one statement per row when an entry reads it."""
    wanted = {getattr(row, key) for row in rows} - {None}
    if not wanted:
        return
    column = getattr(model, model_key)
    found = {
        getattr(o, model_key): o
        for o in db.session.scalars(select(model).where(column.in_(wanted)))
    }
    for row in rows:
        set_committed_value(row, attribute, found.get(getattr(row, key)))


def newest_listings(params: SearchParams, limit: int = FEED_LENGTH) -> list[Listing]:
    """The newest listings the search page finds for ``params`` (its first ``limit``), their
    owners loaded (an entry names its owner's side)."""
    listings = [hit.listing for hit in search_listings(feed_params(params), limit).hits]
    _attach(listings, "owner", "owner_id", User)
    return listings


def public_organisation(slug: str) -> Organisation:
    """An organisation whose page is public (verified); NotFound otherwise, as its page says to
    a visitor (a pending, refused or closed one does not leak)."""
    organisation = get_organisation(slug)
    if not organisation.is_verified:
        raise NotFound(NOT_VISIBLE)
    return organisation


def organisation_listings(organisation: Organisation, limit: int = FEED_LENGTH) -> list[Listing]:
    """The organisation's visible listings (published or reserved), newest published first."""
    return list(
        db.session.scalars(
            select(Listing)
            .where(
                Listing.organisation_id == organisation.id,
                Listing.status.in_(VISIBLE_STATUSES),
            )
            .options(
                joinedload(Listing.commune),
                joinedload(Listing.venue),
                joinedload(Listing.organisation),
                joinedload(Listing.owner),
            )
            .order_by(Listing.published_at.desc(), Listing.id.desc())
            .limit(limit)
        )
    )


def newest_drives(limit: int = FEED_LENGTH) -> list[Drive]:
    """The running and upcoming drives of the drives page, the latest announced first."""
    drives = list_drives().current
    drives.sort(key=lambda drive: (drive.created_at, drive.id), reverse=True)
    return drives[:limit]


def newest_events(limit: int = FEED_LENGTH) -> list[Event]:
    """The events of the events page (not over yet, cancelled ones marked), the latest added
    first."""
    events = list_events(EventFilter())
    events.sort(key=lambda event: (event.created_at, event.id), reverse=True)
    events = events[:limit]
    # An entry says where: the venue and its commune
    venues = [event.venue for event in events if event.venue is not None]
    _attach(venues, "commune", "commune_insee", Commune, "insee")
    return events
