"""What the home page shows a resident: the place to search from, the newest listings around
it, the drives to come."""

from __future__ import annotations

from dataclasses import dataclass

from sportressources.drives.models import Drive
from sportressources.drives.queries import list_drives
from sportressources.geo.models import Commune
from sportressources.geo.queries import central_commune
from sportressources.listings.search import SearchParams, search_listings
from sportressources.listings.search.query import SearchHit
from sportressources.venues.queries import Place

# Listings shown, newest first, within this distance of the member's commune; farther ones fill
# the list when there are too few
NEARBY_KM = 10
LISTINGS_SHOWN = 8
DRIVES_SHOWN = 3


@dataclass(frozen=True)
class HomePage:
    place: Place | None  # where the listings are shown from
    prefilled_where: str  # the member's commune, for the search box; empty for visitors
    hits: list[SearchHit]
    drives: list[Drive]

    @property
    def member_place(self) -> str | None:
        """The ``near`` of searches from the page: the member's commune, none for visitors."""
        return self.place.token if self.place and self.prefilled_where else None


def home_page(home_commune: Commune | None) -> HomePage:
    """The newest listings near ``home_commune`` (near the centre of the Pôle without one), nearest
    first when few are within NEARBY_KM, and the next running or upcoming drives."""
    commune = home_commune or central_commune()
    place = None
    hits: list[SearchHit] = []
    if commune is not None:
        place = Place("commune", commune.insee, commune.name, commune.latitude, commune.longitude)
        newest = SearchParams(near=place.token, place=place, radius_km=NEARBY_KM, sort="newest")
        hits = search_listings(newest, limit=LISTINGS_SHOWN).hits
        if len(hits) < LISTINGS_SHOWN // 2:
            nearest = SearchParams(near=place.token, place=place, sort="nearest")
            hits = search_listings(nearest, limit=LISTINGS_SHOWN).hits
    return HomePage(
        place=place,
        prefilled_where=home_commune.name if home_commune else "",
        hits=hits,
        drives=list_drives().current[:DRIVES_SHOWN],
    )
