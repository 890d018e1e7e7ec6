"""Listing cards rendered once per listing version and language, then read from core.cache.

A page of results is mostly its twenty cards, and a card is the same for every visitor until the
listing (or its commune, venue or organisation) changes: its HTML is kept in ``core.cache`` under
a key made of everything it shows, so that any change gives a new key and an old card is never
asked for again (no invalidation step to forget). What differs per request, the distance from the
visitor's place and « Dans vos favoris », stays outside the cached parts and is added on each
request. A page reads all its cards with one ``get_many`` and stores those missing with one
``set_many`` (one Redis round trip each); a cache that is down only costs the rendering.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterable, Sequence
from pathlib import Path
from typing import Any

from flask import current_app, get_template_attribute, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from sportressources.core import cache
from sportressources.geo.distance import distance_label
from sportressources.listings.models import Listing
from sportressources.listings.taxonomy import CONDITION_LABELS, KIND_LABELS, SPORTS

# The macro ``card_parts`` writes this between a card's head (up to its place) and its tail
# (organisation, reserved badge): the distance goes between them
SPLIT = "\x1f"
# The templates a card is made of: their text is part of every key (a new release that changes
# them never reads a card rendered by the old one)
TEMPLATES = ("listings/_card.html", "_macros/organisations.html")

Entry = tuple[Listing, float | None, bool]  # listing, distance in km (or None), favourite


def _build() -> str:
    """What a card's HTML depends on beyond its data: the card's templates and the compiled
    translations, once per process."""
    found = current_app.extensions.get("sportressources.card_build")
    if found is None:
        digest = hashlib.blake2b(digest_size=8)
        environment = current_app.jinja_env
        for name in TEMPLATES:
            source, _filename, _uptodate = environment.loader.get_source(environment, name)
            digest.update(source.encode())
        for path in sorted(Path(current_app.root_path, "translations").glob("*/*/*.mo")):
            digest.update(path.read_bytes())
        found = current_app.extensions["sportressources.card_build"] = digest.hexdigest()
    return found


def _urls() -> tuple[str, ...]:
    """The links a card holds, as built for a sample listing (once per process and path
    prefix): a card moved to another path prefix or route is a new card."""
    known: dict = current_app.extensions.setdefault("sportressources.card_urls", {})
    root = request.script_root
    if root not in known:
        known[root] = (
            root,
            url_for("media.file", name="k"),
            url_for("listings.detail", listing_id=0),
            url_for("organisations.page", slug="s"),
        )
    return known[root]


def card_key(listing: Listing, context: tuple) -> str:
    """The key of a card: every value it shows, and ``context`` (build, language, URLs)."""
    venue = listing.venue
    organisation = listing.organisation
    return cache.key(
        "card",
        context,
        listing.id,
        listing.title,
        listing.kind,
        listing.price_cents,
        listing.sport,
        listing.size,
        listing.condition,
        listing.status,
        listing.cover_photo,
        listing.commune.name,
        (venue.name, venue.slug) if venue is not None else None,
        (organisation.name, organisation.slug, organisation.status)
        if organisation is not None
        else None,
    )


def _labels() -> dict[str, dict[str, str]]:
    """The labels a card shows, resolved once for the cards rendered by a page."""
    return {
        "kind_labels": {key: str(label) for key, label in KIND_LABELS.items()},
        "sport_labels": {key: str(label) for key, label in SPORTS.items()},
        "condition_labels": {key: str(label) for key, label in CONDITION_LABELS.items()},
    }


def _render_parts(listings: Sequence[Listing]) -> list[tuple[str, str]]:
    card_parts = get_template_attribute("listings/_card.html", "card_parts")
    labels = _labels()
    parts = []
    for listing in listings:
        head, tail = str(card_parts(listing, **labels)).split(SPLIT)
        parts.append((head, tail))
    return parts


def _entry(item: Any, favourites: Container[int]) -> Entry:
    if isinstance(item, tuple):
        return item
    if isinstance(item, Listing):
        return item, None, item.id in favourites
    # A search hit: its listing and distance
    return item.listing, item.distance_km, item.listing.id in favourites


def listing_cards(items: Iterable[Any], favourites: Container[int] = ()) -> Markup:
    """The cards of ``items``, in order: listings, search hits (their distance shown) or
    (listing, distance km, favourite) tuples; a listing whose id is in ``favourites`` has the
    badge. Their fixed parts are read from the cache in one go and the missing ones stored."""
    rows = [_entry(item, favourites) for item in items]
    if not rows:
        return Markup("")
    context = (_build(), str(get_locale()), _urls())
    keys = [card_key(listing, context) for listing, _distance, _favourite in rows]
    found: dict[str, Any] = cache.get_many(dict.fromkeys(keys))
    missing = {key: listing for key, (listing, _d, _f) in zip(keys, rows, strict=True)}
    missing = {key: listing for key, listing in missing.items() if key not in found}
    if missing:
        rendered = dict(zip(missing, _render_parts(list(missing.values())), strict=True))
        cache.set_many(rendered)
        found.update(rendered)
    favourite_badge = f'<p class="badge">{escape(_("Dans vos favoris"))}</p>'
    html: list[str] = []
    for key, (_listing, distance, favourite) in zip(keys, rows, strict=True):
        head, tail = found[key]
        html.append(head)
        if distance is not None:
            html.append(f" · {escape(distance_label(distance))}")
        html.append(tail)
        if favourite:
            html.append(favourite_badge)
        html.append("\n    </div>\n  </li>\n")
    return Markup("".join(html))
