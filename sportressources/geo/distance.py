"""Great-circle distances, in Python and as SQL that runs the same on SQLite and PostgreSQL.

Proximity queries first keep the rows inside a bounding box, on indexed latitude and longitude
columns, then compute the exact distance only for those: the box does the heavy filtering.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, literal

# The distances a member may choose around a place, everywhere a radius is asked (km)
RADII_KM = (2, 5, 10, 20, 50)
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two WGS84 points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BoundingBox:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """The latitude/longitude rectangle that contains every point within ``radius_km``."""
    dlat = radius_km / KM_PER_DEGREE_LATITUDE
    # Longitude degrees shrink with the cosine of the latitude; use the box edge nearest a pole.
    widest = min(89.9, abs(lat) + dlat)
    dlon = radius_km / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(widest)))
    return BoundingBox(lat - dlat, lat + dlat, lon - dlon, lon + dlon)


def distance_km_sql(lat_column, lon_column, lat: float, lon: float) -> ColumnElement[float]:
    """SQL expression of the haversine distance from (lat, lon) to the row's columns, in km."""
    phi1 = math.radians(lat)
    half_dphi = (func.radians(lat_column) - literal(phi1)) / 2
    half_dlambda = (func.radians(lon_column) - literal(math.radians(lon))) / 2
    sin_dphi = func.sin(half_dphi)
    sin_dlambda = func.sin(half_dlambda)
    a = (
        sin_dphi * sin_dphi
        + literal(math.cos(phi1)) * func.cos(func.radians(lat_column)) * sin_dlambda * sin_dlambda
    )
    return literal(2 * EARTH_RADIUS_KM) * func.asin(func.sqrt(a))


def within_box(lat_column, lon_column, box: BoundingBox) -> ColumnElement[bool]:
    return lat_column.between(box.min_lat, box.max_lat) & lon_column.between(
        box.min_lon, box.max_lon
    )


def distance_label(km: float) -> str:
    """How far, as a resident reads it: « à moins d’1 km », « à 3,4 km »."""
    from flask_babel import format_decimal
    from flask_babel import gettext as _

    if km < 1:
        return _("à moins d’1 km")
    return _("à %(km)s km", km=format_decimal(km, "0.0"))
