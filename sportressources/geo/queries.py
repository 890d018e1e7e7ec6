"""Reads of the geography with a meaning: zones, communes grouped by zone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from sportressources.core.db import db
from sportressources.core.errors import NotFound
from sportressources.geo.models import Commune, Zone, ZoneKind


def zones() -> list[Zone]:
    """The intercommunalities (zones de vie) of the Pôle, by name."""
    return list(
        db.session.scalars(
            select(Zone).where(Zone.kind == ZoneKind.EPCI.value).order_by(Zone.short_name)
        )
    )


def get_zone(slug: str) -> Zone:
    """A zone by slug; raises NotFound."""
    zone = db.session.scalar(select(Zone).where(Zone.slug == slug))
    if zone is None:
        raise NotFound(_l("Cette zone n’existe pas."))
    return zone


def communes_by_zone() -> list[tuple[Zone, list[Commune]]]:
    """Every commune grouped by zone, both sorted by name: the source of the commune picker."""
    communes = db.session.scalars(
        select(Commune).options(selectinload(Commune.zone)).order_by(Commune.name)
    ).all()
    grouped: dict[int, tuple[Zone, list[Commune]]] = {}
    for commune in communes:
        grouped.setdefault(commune.zone_id, (commune.zone, []))[1].append(commune)
    return sorted(grouped.values(), key=lambda pair: pair[0].short_name)


def commune_counts_by_zone() -> dict[int, int]:
    rows = db.session.execute(select(Commune.zone_id, func.count()).group_by(Commune.zone_id))
    return {zone_id: count for zone_id, count in rows}
