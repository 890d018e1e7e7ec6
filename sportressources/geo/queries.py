"""Reads of the geography with a meaning: zones, communes grouped by zone."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from sportressources.core.db import db
from sportressources.core.errors import NotFound
from sportressources.geo.collation import fold_name, french_key, french_sorted
from sportressources.geo.models import Commune, Zone, ZoneKind

# « Liévin (62800) », the label a commune is shown with, read back
_LABEL = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<code>\d{5})\s*\)$")


def zones() -> list[Zone]:
    """The intercommunalities (zones de vie) of the Pôle, by name."""
    zones = db.session.scalars(select(Zone).where(Zone.kind == ZoneKind.EPCI.value))
    return french_sorted(zones, key=lambda zone: zone.short_name)


def get_zone(slug: str) -> Zone:
    """A zone by slug; raises NotFound."""
    zone = db.session.scalar(select(Zone).where(Zone.slug == slug))
    if zone is None:
        raise NotFound(_l("Cette zone n’existe pas."))
    return zone


def communes_by_zone() -> list[tuple[Zone, list[Commune]]]:
    """Every commune grouped by zone, both sorted by name as French readers expect (accents
    ignored: « Béthune » beside « Beuvry »): the source of every commune picker."""
    grouped: dict[int, tuple[Zone, list[Commune]]] = {}
    for commune in all_communes():
        grouped.setdefault(commune.zone_id, (commune.zone, []))[1].append(commune)
    return sorted(grouped.values(), key=lambda pair: french_key(pair[0].short_name))


def all_communes() -> list[Commune]:
    """Every commune of the Pôle with its zone, sorted by name as French readers expect."""
    communes = db.session.scalars(select(Commune).options(selectinload(Commune.zone)))
    return french_sorted(communes, key=lambda commune: commune.name)


def find_communes(text: str, limit: int = 20) -> list[Commune]:
    """The communes a person means by ``text``: a postal code (or its first digits), a name
    (accents, case and hyphens ignored) or the start of one, or a label « Liévin (62800) ».

    An exact name or a full postal code keeps only its communes; otherwise names that start
    with ``text``, then names with a word that does. At most ``limit``, by name.
    """
    text = " ".join(text.split())[:100]
    label = _LABEL.match(text)
    code = label.group("code") if label else None
    name = fold_name(label.group("name") if label else text)
    if not name and not code:
        return []
    communes = all_communes()
    if code is not None or name.isdigit():
        digits = code or name
        found = [c for c in communes if any(p.startswith(digits) for p in c.postal_code_list)]
        if label is not None:
            found = [c for c in found if fold_name(c.name) == name] or found
        return found[:limit]
    folded = [(fold_name(c.name), c) for c in communes]
    for matches in (
        lambda f: f == name,
        lambda f: f.startswith(name),
        lambda f: f" {name}" in f" {f}",
    ):
        found = [commune for f, commune in folded if matches(f)]
        if found:
            return found[:limit]
    return []


def central_commune() -> Commune | None:
    """The commune nearest the centre of the Pôle (the mean of the communes' centres, weighted
    by their population): where listings are shown from to a visitor."""
    communes = db.session.scalars(select(Commune)).all()
    if not communes:
        return None
    weights = [c.population or 1 for c in communes]
    total = sum(weights)
    lat = sum(c.latitude * w for c, w in zip(communes, weights, strict=True)) / total
    lon = sum(c.longitude * w for c, w in zip(communes, weights, strict=True)) / total

    def gap(commune: Commune) -> tuple[float, str]:
        return (commune.latitude - lat) ** 2 + (commune.longitude - lon) ** 2, commune.insee

    return min(communes, key=gap)


def commune_counts_by_zone() -> dict[int, int]:
    rows = db.session.execute(select(Commune.zone_id, func.count()).group_by(Commune.zone_id))
    return {zone_id: count for zone_id, count in rows}
