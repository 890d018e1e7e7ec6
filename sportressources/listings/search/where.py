"""« Où ? » as a resident types it: a commune's name or postal code, or a venue's name, read
into one place, or the few places it may mean."""

from __future__ import annotations

from sportressources.core import cache
from sportressources.geo.collation import fold_name
from sportressources.geo.models import Commune
from sportressources.geo.queries import find_communes
from sportressources.listings.search.form import data_version
from sportressources.venues import queries as venues_queries
from sportressources.venues.queries import Place, resolve_place

# The most places offered to choose from when a text names several
MAX_CHOICES = 20


def commune_place(commune: Commune) -> Place:
    return Place("commune", commune.insee, commune.name, commune.latitude, commune.longitude)


def typed_place(text: str) -> tuple[Place | None, list[Place]]:
    """The place ``text`` names, or else the places it may name (empty when none).

    A commune whose name or label (« Liévin (62800) ») is exactly ``text`` wins; so does the
    only commune of a postal code. Otherwise every commune and published venue whose name
    starts with ``text`` (or has a word that does) is a candidate: one is the place, several
    are choices. A ``commune:<INSEE>`` or ``venue:<slug>`` token is read as such.
    """
    if text.startswith(("commune:", "venue:")):
        return resolve_place(text), []
    folded = fold_name(text)
    if not folded:
        return None, []
    communes = find_communes(text, limit=MAX_CHOICES)
    exact = [c for c in communes if folded in (fold_name(c.name), fold_name(c.label))]
    if len(exact) == 1 or len(communes) == 1:
        return commune_place((exact or communes)[0]), []
    # Choices are told apart by their postal code or commune
    candidates = [Place("commune", c.insee, c.label, c.latitude, c.longitude) for c in communes]
    if not folded.isdigit() and len(folded) >= 3:
        venues = [(fold_name(venue.name), venue) for venue in venues_queries.published_venues()]
        named = [v for name, v in venues if name == folded] or [
            v for name, v in venues if f" {name}".find(f" {folded}") >= 0
        ]
        candidates += [Place("venue", v.slug, v.name, v.latitude, v.longitude) for v in named]
    if len(candidates) == 1:
        return resolve_place(candidates[0].token), []
    return None, candidates[:MAX_CHOICES]


def cached_typed_place(text: str) -> tuple[Place | None, list[Place]]:
    """``typed_place``, from the rendering cache when the same text was read since the places
    last changed (the key holds the text and ``data_version()``). The text as typed, not
    folded: « Liévin (62800) » reads its postal code before folding."""
    key = cache.key("typed-place", data_version(), text)
    found = cache.get_many([key])
    if key in found:
        place, choices = found[key]
        return place, list(choices)
    place, choices = typed_place(text)
    cache.set_many({key: (place, tuple(choices))})
    return place, choices


def cached_place(token: str | None) -> Place | None:
    """``resolve_place``, from the rendering cache while the places have not changed (a token
    unknown is remembered as such)."""
    if not token:
        return None
    key = cache.key("place", data_version(), token)
    found = cache.get_many([key])
    if key in found:
        return found[key][0]
    place = resolve_place(token)
    cache.set_many({key: (place,)})
    return place
