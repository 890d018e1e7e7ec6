"""A search's query string read into checked ``SearchParams``; wrong values become French
errors and are left out, never an exception."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from flask_babel import gettext as _
from sqlalchemy import (
    select,
)

from sportressources.core.db import db
from sportressources.core.params import parse_money, text_param
from sportressources.geo.distance import RADII_KM
from sportressources.geo.models import Commune, Zone, ZoneKind
from sportressources.listings.models import Condition, ListingKind
from sportressources.listings.search.keyset import parse_cursor
from sportressources.listings.search.text import parse_text
from sportressources.listings.search.where import cached_place, cached_typed_place
from sportressources.listings.taxonomy import CATEGORIES, SIZE_SYSTEMS, SPORTS
from sportressources.venues.models import Venue, VenueStatus
from sportressources.venues.queries import Place

SORTS = ("newest", "nearest", "cheapest")


QUERY_MAX_LENGTH = 200
# Longer values, or values with control characters, are not read at all
ARG_MAX_LENGTH = 1000


MAX_PRICE_EUROS = 100_000


# Best first: « état minimum : bon état » finds new, very good and good items
CONDITION_ORDER = (
    Condition.NEW.value,
    Condition.VERY_GOOD.value,
    Condition.GOOD.value,
    Condition.WORN.value,
)


_ALL_SIZES = frozenset(size for _, sizes in SIZE_SYSTEMS.values() for size in sizes)


_TRUE = {"1", "on", "true", "oui", "yes"}


@dataclass(frozen=True)
class SearchParams:
    """A search, as a visitor asked for it; values are already checked (see parse_search_args)."""

    q: str = ""
    kind: str | None = None
    sport: str | None = None
    category: str | None = None
    size: str | None = None
    condition: str | None = None  # the minimum condition
    zone: str | None = None  # zone slug
    commune: str | None = None  # INSEE code
    venue: str | None = None  # venue slug
    near: str | None = None  # "commune:<INSEE>" or "venue:<slug>"
    radius_km: int | None = None  # only with near
    max_price_cents: int | None = None
    with_photos: bool = False
    sort: str = "newest"
    after: str | None = None  # cursor: the page after this key
    before: str | None = None  # cursor: the page before this key
    # Resolved by parse_search_args, so that the search does not look them up again
    zone_id: int | None = field(default=None, compare=False, repr=False)
    venue_id: int | None = field(default=None, compare=False, repr=False)
    place: Place | None = field(default=None, compare=False, repr=False)
    # The places a typed « où » may mean, when it named more than one: the visitor picks one
    place_choices: tuple[Place, ...] = field(default=(), compare=False, repr=False)

    @property
    def default_sort(self) -> str:
        """The order when the visitor chose none: nearest first around a place, else newest."""
        return "nearest" if self.near else "newest"

    def with_place(self, place: Place) -> str:
        """The query string of the same search around ``place`` (one of ``place_choices``)."""
        sort = "nearest" if self.sort == self.default_sort else self.sort
        chosen = replace(self, near=place.token, place=place, place_choices=(), sort=sort)
        return chosen.to_query_string()

    @property
    def max_price_euros(self) -> str | None:
        """The maximum price as people write it in a query string: « 12 » or « 12.50 »."""
        if self.max_price_cents is None:
            return None
        euros, cents = divmod(self.max_price_cents, 100)
        return f"{euros}.{cents:02d}" if cents else str(euros)

    def to_args(self, with_cursor: bool = False) -> dict[str, str]:
        """The non-default parameters, by name, as strings."""
        args = {
            "q": self.q,
            "kind": self.kind,
            "sport": self.sport,
            "category": self.category,
            "size": self.size,
            "condition": self.condition,
            "zone": self.zone,
            "commune": self.commune,
            "venue": self.venue,
            "near": self.near,
            "radius": str(self.radius_km) if self.near and self.radius_km else None,
            "max_price": self.max_price_euros,
            "with_photos": "1" if self.with_photos else None,
            "sort": self.sort if self.sort != self.default_sort else None,
        }
        if with_cursor:
            args.update(after=self.after, before=self.before)
        return {name: value for name, value in args.items() if value}

    def to_query_string(self, with_cursor: bool = False) -> str:
        """Canonical query string, keys sorted, no cursor unless asked: a shareable URL and the
        identity of a saved alert (two spellings of the same search give the same string)."""
        return urlencode(sorted(self.to_args(with_cursor).items()))

    @property
    def is_empty(self) -> bool:
        """True when nothing narrows the search (every visible listing matches)."""
        return not {k: v for k, v in self.to_args().items() if k != "sort"}

    def without(self, *names: str) -> SearchParams:
        """The same search without some criteria (and without cursor)."""
        changes: dict[str, object] = {"after": None, "before": None}
        for name in names:
            changes[name] = SearchParams.__dataclass_fields__[name].default
            if name == "near":
                changes.update(radius_km=None, place=None)
                if self.sort == "nearest":
                    changes["sort"] = "newest"
            if name == "zone":
                changes["zone_id"] = None
            if name == "venue":
                changes["venue_id"] = None
        return replace(self, **changes)


def _first(args: Mapping, name: str) -> str:
    return text_param(args, name, max_length=ARG_MAX_LENGTH)


def parse_search_args(args: Mapping) -> tuple[SearchParams, dict[str, str]]:
    """Read a search from query-string arguments (a MultiDict or a dict).

    Returns the parameters and, per field, a French message for each value that was dropped
    because it was not understood: a bad value never fails the search. Looks up the zone,
    commune, venue and place named, so it needs an application context.
    """
    errors: dict[str, str] = {}
    values: dict[str, object] = {}

    q = " ".join(_first(args, "q").split())
    if len(q) > QUERY_MAX_LENGTH:
        q = q[:QUERY_MAX_LENGTH].rsplit(" ", 1)[0]
        errors["q"] = _(
            "La recherche est limitée à %(limit)s caractères ; la fin a été ignorée.",
            limit=QUERY_MAX_LENGTH,
        )
    if q and parse_text(q) is None:
        errors["q"] = _(
            "« %(q)s » ne contient aucun mot assez précis pour chercher : essayez un autre mot.",
            q=q,
        )
        q = ""
    values["q"] = q

    choices = {
        "kind": ({kind.value for kind in ListingKind}, _("Ce type d’annonce n’existe pas.")),
        "sport": (set(SPORTS), _("Ce sport ne fait pas partie de la liste.")),
        "category": (set(CATEGORIES), _("Cette catégorie ne fait pas partie de la liste.")),
        "condition": ({c.value for c in Condition}, _("Cet état ne fait pas partie de la liste.")),
    }
    for name, (allowed, message) in choices.items():
        value = _first(args, name)
        if value in allowed:
            values[name] = value
        elif value:
            errors[name] = message

    size = _first(args, "size")
    if size:
        category = CATEGORIES.get(values.get("category") or "")
        allowed_sizes = set(category.sizes) if category and category.sizes else _ALL_SIZES
        if size in allowed_sizes:
            values["size"] = size
        else:
            errors["size"] = _("Cette taille ne fait pas partie de la liste.")

    zone_slug = _first(args, "zone")
    if zone_slug:
        zone = (
            db.session.scalar(
                select(Zone).where(Zone.slug == zone_slug, Zone.kind == ZoneKind.EPCI.value)
            )
            if len(zone_slug) <= 80
            else None
        )
        if zone is None:
            errors["zone"] = _("Cette zone n’existe pas.")
        else:
            values.update(zone=zone.slug, zone_id=zone.id)

    insee = _first(args, "commune")
    if insee:
        if len(insee) == 5 and db.session.get(Commune, insee) is not None:
            values["commune"] = insee
        else:
            errors["commune"] = _("Cette commune ne fait pas partie du territoire.")

    venue_slug = _first(args, "venue")
    if venue_slug:
        venue_id = (
            db.session.scalar(
                select(Venue.id).where(
                    Venue.slug == venue_slug, Venue.status == VenueStatus.PUBLISHED.value
                )
            )
            if len(venue_slug) <= 120
            else None
        )
        if venue_id is None:
            errors["venue"] = _("Ce lieu n’existe pas ou n’est pas encore publié.")
        else:
            values.update(venue=venue_slug, venue_id=venue_id)

    near = _first(args, "near")
    radius = _first(args, "radius")
    # « où »: what a person typed (a commune, a postal code, a venue); it overrides ``near``
    where = " ".join(_first(args, "where").split())
    if where:
        place, choices = cached_typed_place(where)
        if place is not None:
            values.update(near=place.token, place=place)
        elif choices:
            values["place_choices"] = tuple(choices)
            errors["where"] = _(
                "Plusieurs lieux correspondent à « %(where)s » : choisissez le vôtre ci-dessous.",
                where=where,
            )
        else:
            errors["where"] = _(
                "Aucune commune du territoire ni aucun lieu sportif ne correspond à « %(where)s » :"
                " tapez le nom d’une commune ou son code postal.",
                where=where,
            )
    elif near:
        place = cached_place(near)
        if place is None:
            errors["near"] = _("Ce lieu est inconnu : choisissez une commune ou un lieu sportif.")
        else:
            values.update(near=place.token, place=place)
    if radius:
        if radius.isdigit() and int(radius) in RADII_KM:
            if "near" in values or "place_choices" in values:
                values["radius_km"] = int(radius)
            elif not (near or where):
                errors["radius"] = _("Choisissez aussi un lieu pour chercher à une distance.")
        else:
            errors["radius"] = _(
                "Choisissez une distance dans la liste : %(radii)s km.",
                radii=", ".join(str(r) for r in RADII_KM),
            )

    max_price = _first(args, "max_price")
    if max_price:
        cents = parse_euros(max_price)
        if cents is None:
            errors["max_price"] = _("Indiquez un prix en euros, par exemple 15 ou 7,50.")
        else:
            values["max_price_cents"] = cents

    values["with_photos"] = _first(args, "with_photos").lower() in _TRUE

    # Around a place, nearest first unless the visitor chose another order
    sort = _first(args, "sort") or ("nearest" if "place" in values else "newest")
    if sort not in SORTS:
        errors["sort"] = _("Ce tri n’existe pas ; les annonces sont triées par date.")
        sort = "newest"
    elif sort == "nearest" and "place_choices" in values:
        sort = "newest"  # until the visitor picks one of the places
    elif sort == "nearest" and "place" not in values:
        errors["sort"] = _(
            "Pour trier par distance, choisissez un lieu ; les annonces sont triées par date."
        )
        sort = "newest"
    values["sort"] = sort

    for name in ("after", "before"):
        cursor = _first(args, name)
        if not cursor:
            continue
        if parse_cursor(sort, cursor) is None:
            errors["page"] = _("Ce lien de page n’est plus valable : voici la première page.")
        else:
            values[name] = cursor
    if values.get("after") and values.get("before"):
        values.pop("before")

    return SearchParams(**values), errors


def at_least(condition: str) -> tuple[str, ...]:
    """The conditions as good as ``condition`` or better."""
    return CONDITION_ORDER[: CONDITION_ORDER.index(condition) + 1]


def parse_euros(text: str) -> int | None:
    """Cents from « 12 », « 12,5 » or « 12.50 € »; None if not a price between 0 and the maximum."""
    amount = parse_money(text, maximum=MAX_PRICE_EUROS, places=None)
    return None if amount is None else int((amount * 100).to_integral_value())
