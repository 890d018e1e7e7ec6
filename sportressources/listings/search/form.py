"""The search page's filter form, as cached HTML option lists.

The form offers about 500 options (150 communes twice, venues, sizes, sports…). Building them
through WTForms on every request cost the search page twenty times the search itself (see
benchmarks/README.md), so each list is rendered once per process and language, and again only
when the venues change (checked once after each move of the data version, ``core.dataversion``);
a request then only marks its selected values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import func, select

from sportressources.core import dataversion
from sportressources.core.db import db
from sportressources.geo import queries as geo
from sportressources.geo.collation import fold_name, french_sorted
from sportressources.geo.distance import RADII_KM
from sportressources.listings.taxonomy import (
    CATEGORIES,
    CONDITION_LABELS,
    KIND_LABELS,
    SIZE_SYSTEMS,
    SPORTS,
    size_label,
)
from sportressources.venues import queries as venues_queries
from sportressources.venues.models import Venue

Option = tuple[str, str]  # value, label
Group = tuple[str | None, list[Option]]  # optgroup label (None: no group), options


def render_options(groups: Iterable[Group], lang: str | None = None) -> Markup:
    """``<option>`` elements (inside ``<optgroup>`` when a group has a label)."""
    lang_attr = f' lang="{lang}"' if lang else ""
    parts: list[str] = []
    for label, options in groups:
        rendered = "".join(
            f'<option value="{escape(value)}"{lang_attr}>{escape(text)}</option>'
            for value, text in options
        )
        parts.append(
            f'<optgroup label="{escape(label)}">{rendered}</optgroup>' if label else rendered
        )
    return Markup("".join(parts))


def with_selected(options: Markup, selected: str | None) -> Markup:
    """The same options with ``selected`` on the one whose value is ``selected``."""
    if not selected:
        return options
    needle = f'value="{escape(selected)}"'
    return Markup(str(options).replace(needle, f"{needle} selected", 1))


def data_version() -> int:
    """The data version (``core.dataversion``): it moves with every committed write to what
    public pages show, venues and communes included, and is read once per request (the page's
    validator reads it too). Keys the cached named places."""
    return dataversion.current()


def _venues_version() -> tuple:
    return tuple(db.session.execute(select(func.count(Venue.id), func.max(Venue.updated_at))).one())


def lists_version() -> tuple:
    """What the option lists are built from (the venues' count and last change), read again
    only when the data version has moved since: one statement after a public write, then none,
    and the lists themselves are built again only when the venues changed."""
    seen: dict = current_app.extensions.setdefault("sportressources.search_lists_version", {})
    version = data_version()
    if seen.get("data") != version:
        seen.update(venues=_venues_version(), data=version)
    return seen["venues"]


_BUILDERS: dict[str, Callable[[], Markup]] = {}


def _builder(name: str):
    def register(function: Callable[[], Markup]) -> Callable[[], Markup]:
        _BUILDERS[name] = function
        return function

    return register


@_builder("kind")
def _kinds() -> Markup:
    return render_options(
        [(None, [("", _("Tous"))] + [(k, str(v)) for k, v in KIND_LABELS.items()])]
    )


@_builder("sport")
def _sports() -> Markup:
    return render_options([(None, [("", _("Tous"))] + [(k, str(v)) for k, v in SPORTS.items()])])


@_builder("category")
def _categories() -> Markup:
    options = [(c.code, str(c.label)) for c in CATEGORIES.values()]
    return render_options([(None, [("", _("Toutes")), *options])])


@_builder("size")
def _sizes() -> Markup:
    groups: list[Group] = [(None, [("", _("Toutes"))])]
    groups += [
        (str(label), [(size, size_label(size)) for size in sizes])
        for label, sizes in SIZE_SYSTEMS.values()
    ]
    return render_options(groups)


@_builder("condition")
def _conditions() -> Markup:
    options = [(k, str(v)) for k, v in CONDITION_LABELS.items()]
    return render_options([(None, [("", _("Tous")), *options])])


@_builder("radius")
def _radii() -> Markup:
    return render_options(
        [(None, [("", _("Sans limite"))] + [(str(km), f"{km} km") for km in RADII_KM])]
    )


@_builder("zone")
def _zones() -> Markup:
    head = render_options([(None, [("", _("Tout le territoire"))])])
    return head + render_options([(None, [(z.slug, z.short_name) for z in geo.zones()])], "fr")


@_builder("commune")
def _communes() -> Markup:
    groups = [
        (zone.short_name, [(c.insee, c.label) for c in communes])
        for zone, communes in geo.communes_by_zone()
    ]
    return render_options([(None, [("", _("Toutes"))])]) + render_options(groups, "fr")


@_builder("venue")
def _venues() -> Markup:
    venues = [(v.slug, v.name) for v in venues_queries.published_venues()]
    return render_options([(None, [("", _("Tous"))])]) + render_options([(None, venues)], "fr")


@_builder("places")
def _places() -> Markup:
    """The places the « Où ? » combobox offers, as JSON for ``<script type="application/json">``:
    ``label`` shown, ``value`` put in the box (read back by ``where.typed_place``), ``words``
    matched (folded name and postal codes), ``group`` its heading."""
    places = [
        {
            "label": commune.label,
            "value": commune.label,
            "words": " ".join([fold_name(commune.name), *commune.postal_code_list]),
            "group": zone.short_name,
        }
        for zone, communes in geo.communes_by_zone()
        for commune in communes
    ]
    venues_group = _("Lieux sportifs")
    places += [
        {
            "label": f"{venue.name} ({venue.commune.name})",
            "value": venue.name,
            "words": fold_name(venue.name),
            "group": venues_group,
        }
        for venue in french_sorted(venues_queries.published_venues(), key=lambda v: v.name)
    ]
    # Safe inside a script element: no « < », « > » or « & » left as such
    text = json.dumps(places, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def place_options() -> Markup:
    """The combobox's places (see ``_places``), cached like the filter lists."""
    return filter_options({})["places"]


@dataclass(frozen=True)
class FilterOptions:
    """Every option list of the filter form, with the request's values selected."""

    lists: dict[str, Markup]

    def __getitem__(self, name: str) -> Markup:
        return self.lists[name]


def filter_options(selected: dict[str, str | None]) -> FilterOptions:
    """The option lists for the current language, cached, with ``selected`` values marked."""
    cache: dict = current_app.extensions.setdefault("sportressources.search_options", {})
    key = (str(get_locale()), lists_version())
    lists = cache.get(key)
    if lists is None:
        if len(cache) >= 8:  # old venue versions
            cache.clear()
        lists = cache[key] = {name: build() for name, build in _BUILDERS.items()}
    return FilterOptions(
        {name: with_selected(options, selected.get(name)) for name, options in lists.items()}
    )
