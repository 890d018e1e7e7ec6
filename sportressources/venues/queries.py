"""Reads of the territory with a meaning: zones, the commune picker, venues near a place."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sportressources.core.db import db
from sportressources.core.errors import NotFound
from sportressources.geo.distance import bounding_box, distance_km_sql, within_box
from sportressources.geo.models import Commune, Zone
from sportressources.geo.queries import communes_by_zone
from sportressources.venues.models import Venue, VenueStatus
from sportressources.venues.policies import can_view_venue


@dataclass(frozen=True)
class Place:
    """A point people name: a commune's centre or a venue."""

    kind: str  # "commune" or "venue"
    key: str  # INSEE code or venue slug
    label: str
    latitude: float
    longitude: float

    @property
    def token(self) -> str:
        return f"{self.kind}:{self.key}"


def published_venues(zone: Zone | None = None, commune: Commune | None = None) -> list[Venue]:
    """Published venues, by name, optionally within a zone or a commune."""
    query = (
        select(Venue)
        .where(Venue.status == VenueStatus.PUBLISHED.value)
        .options(selectinload(Venue.commune).selectinload(Commune.zone))
        .order_by(Venue.name)
    )
    if zone is not None:
        query = query.join(Venue.commune).where(Commune.zone_id == zone.id)
    if commune is not None:
        query = query.where(Venue.commune_insee == commune.insee)
    return list(db.session.scalars(query))


def pickup_venue_choices() -> list[Venue]:
    """Published venues where members may meet to hand gear over."""
    return [venue for venue in published_venues() if venue.pickup]


def get_venue(slug: str, viewer=None) -> Venue:
    """A venue the viewer may see; raises NotFound otherwise (a hidden proposal looks absent)."""
    venue = db.session.scalar(
        select(Venue).where(Venue.slug == slug).options(selectinload(Venue.commune))
    )
    if venue is None or not can_view_venue(viewer, venue):
        raise NotFound(_l("Ce lieu n’existe pas ou n’est pas encore publié."))
    return venue


def amended_venue(proposal: Venue) -> Venue | None:
    """The published venue a proposal is about (same name, same commune), if any: a proposal of
    opening hours, or a venue proposed twice."""
    if proposal.status != VenueStatus.PROPOSED.value:
        return None
    return db.session.scalar(
        select(Venue).where(
            Venue.status == VenueStatus.PUBLISHED.value,
            Venue.commune_insee == proposal.commune_insee,
            Venue.name == proposal.name,
            Venue.id != proposal.id,
        )
    )


def venue_proposals() -> list[Venue]:
    """Proposals waiting for a moderator, oldest first."""
    return list(
        db.session.scalars(
            select(Venue)
            .where(Venue.status == VenueStatus.PROPOSED.value)
            .options(selectinload(Venue.commune))
            .order_by(Venue.created_at, Venue.id)
        )
    )


def resolve_place(token: str | None) -> Place | None:
    """The place named by ``commune:<INSEE>`` or ``venue:<slug>``; None if empty or unknown."""
    if not token or ":" not in token or len(token) > 140:
        return None
    kind, _, key = token.partition(":")
    if kind == "commune":
        commune = db.session.get(Commune, key)
        if commune is not None:
            return Place(
                "commune", commune.insee, commune.name, commune.latitude, commune.longitude
            )
    elif kind == "venue":
        venue = db.session.scalar(
            select(Venue).where(Venue.slug == key, Venue.status == VenueStatus.PUBLISHED.value)
        )
        if venue is not None:
            return Place("venue", venue.slug, venue.name, venue.latitude, venue.longitude)
    return None


def venues_near(place: Place, radius_km: float) -> list[tuple[Venue, float]]:
    """Published venues within ``radius_km`` of ``place``, nearest first, with their distance.

    A bounding box on the indexed coordinates keeps the candidates; the great-circle distance
    then filters and orders them exactly.
    """
    distance = distance_km_sql(Venue.latitude, Venue.longitude, place.latitude, place.longitude)
    box = bounding_box(place.latitude, place.longitude, radius_km)
    query = (
        select(Venue, distance.label("distance_km"))
        .where(
            Venue.status == VenueStatus.PUBLISHED.value,
            within_box(Venue.latitude, Venue.longitude, box),
            distance <= radius_km,
        )
        .options(selectinload(Venue.commune))
        .order_by(distance, Venue.name)
    )
    return [(venue, float(km)) for venue, km in db.session.execute(query)]


def place_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Options for « près de … »: the communes by zone, then the venues."""
    groups = [
        (zone.short_name, [(f"commune:{c.insee}", c.label) for c in communes])
        for zone, communes in communes_by_zone()
    ]
    venues = [(f"venue:{v.slug}", v.name) for v in published_venues()]
    if venues:
        groups.append((str(_l("Lieux sportifs")), venues))
    return groups
