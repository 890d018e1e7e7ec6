"""Listings, drives and events as feed entries: public names and places only (the commune or
the drop-off venue, never a member's address, email or phone number), French words."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _

from sportressources.drives.models import Drive
from sportressources.events.ical import location_of
from sportressources.events.models import Event
from sportressources.feeds.atom import Entry, absolute
from sportressources.listings.models import Listing, ListingStatus
from sportressources.listings.owners import owner_name
from sportressources.listings.services import euros
from sportressources.listings.taxonomy import CONDITION_LABELS, KIND_LABELS, SPORTS
from sportressources.organisations.sports import sport_labels


def listing_entry(listing: Listing) -> Entry:
    """A listing: kind, price, condition and place, then the start of its description."""
    facts = [str(KIND_LABELS.get(listing.kind, listing.kind))]
    if listing.price_cents:
        facts.append(_("%(price)s €", price=euros(listing.price_cents)))
    facts.append(str(CONDITION_LABELS.get(listing.condition, listing.condition)))
    place = listing.venue.name if listing.venue is not None else listing.commune.name
    facts.append(place)
    if listing.status == ListingStatus.RESERVED.value:
        facts.append(_("Réservée"))
    summary = " · ".join(facts)
    if listing.description:
        summary = f"{summary}\n\n{listing.description}"
    image = None
    if listing.cover_photo:
        image = absolute("media.file", name=f"{listing.cover_photo}-m.jpg")
    return Entry(
        url=absolute("listings.detail", listing_id=listing.id),
        title=listing.title,
        updated=listing.updated_at,
        published=listing.published_at,
        summary=summary,
        author=owner_name(listing),
        categories=[str(SPORTS.get(listing.sport, listing.sport))],
        image_url=image,
    )


def drive_entry(drive: Drive) -> Entry:
    """A drive: who collects, when, where to drop off, then its description."""
    dates = _(
        "du %(start)s au %(end)s",
        start=format_date(drive.starts_on, "long"),
        end=format_date(drive.ends_on, "long"),
    )
    lines = [f"{drive.organisation.name} · {dates}"]
    venues = {slot.venue.id: slot.venue for slot in drive.slots}
    if venues:
        places = ", ".join(f"{v.name} ({v.commune.name})" for v in venues.values())
        lines.append(f"{_('Dépôt :')} {places}")
    if drive.description:
        lines.append(drive.description)
    return Entry(
        url=absolute("drives.drive", drive_id=drive.id),
        title=drive.title,
        updated=drive.updated_at,
        published=drive.created_at,
        summary="\n\n".join(lines),
        author=drive.organisation.name,
    )


def event_entry(event: Event) -> Entry:
    """An event: when and where, « Annulé » if called off, then its description."""
    if event.starts_on == event.ends_on:
        when = format_date(event.starts_on, "long")
    else:
        when = _(
            "du %(start)s au %(end)s",
            start=format_date(event.starts_on, "long"),
            end=format_date(event.ends_on, "long"),
        )
    facts = [when, location_of(event)]
    if event.is_cancelled:
        facts.append(_("Annulé"))
    summary = " · ".join(facts)
    if event.description:
        summary = f"{summary}\n\n{event.description}"
    labels = sport_labels()
    return Entry(
        url=absolute("events.event", slug=event.slug),
        title=event.title,
        updated=event.updated_at,
        published=event.created_at,
        summary=summary,
        author=event.organisation.name if event.organisation is not None else "",
        categories=[str(labels.get(code, code)) for code in event.sports or []],
    )
