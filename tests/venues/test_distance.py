"""Distances: the Python and SQL haversine against an independent geodesic computation."""

import math
import random

import pytest
from geographiclib.geodesic import Geodesic
from sqlalchemy import literal, select

from sportressources.core.db import db
from sportressources.geo.distance import bounding_box, distance_km_sql, haversine_km
from sportressources.geo.models import Commune
from sportressources.venues import queries
from sportressources.venues.models import Venue

# A sphere differs from the WGS84 ellipsoid by up to about 0.5 % over such distances.
SPHERE_TOLERANCE = 0.005


def geodesic_km(lat1, lon1, lat2, lon2) -> float:
    return Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"] / 1000


@pytest.mark.parametrize(
    "a, b",
    [
        ((50.43278, 2.81500), (50.41166, 2.76492)),  # Bollaert-Delelis → Aréna de Liévin
        ((50.53217, 2.50502), (50.40722, 2.84139)),  # Allouagne → La Gaillette
        ((50.43, 2.83), (48.8566, 2.3522)),  # Lens → Paris
        ((50.0, 2.0), (50.0, 2.0)),
    ],
)
def test_python_haversine_agrees_with_the_geodesic(a, b):
    expected = geodesic_km(*a, *b)
    assert haversine_km(*a, *b) == pytest.approx(expected, rel=SPHERE_TOLERANCE, abs=1e-9)


def test_sql_distance_matches_python_and_geodesic_for_every_commune(app):
    lens = db.session.get(Commune, "62498")
    distance = distance_km_sql(Commune.latitude, Commune.longitude, lens.latitude, lens.longitude)
    rows = db.session.execute(
        select(Commune.latitude, Commune.longitude, distance.label("km"))
    ).all()
    assert len(rows) == 150
    for lat, lon, km in rows:
        assert km == pytest.approx(haversine_km(lens.latitude, lens.longitude, lat, lon), abs=1e-6)
        assert km == pytest.approx(
            geodesic_km(lens.latitude, lens.longitude, lat, lon), rel=SPHERE_TOLERANCE, abs=1e-6
        )


def test_sql_distance_of_a_point_to_itself_is_zero(app):
    km = db.session.scalar(select(distance_km_sql(literal(50.4), literal(2.8), 50.4, 2.8)))
    assert km == pytest.approx(0, abs=1e-9)


def test_bounding_box_contains_every_point_within_the_radius():
    rng = random.Random(62)
    for _ in range(2000):
        lat, lon = rng.uniform(50.2, 50.8), rng.uniform(2.2, 3.2)
        radius = rng.choice([1, 5, 10, 50])
        box = bounding_box(lat, lon, radius)
        bearing = rng.uniform(0, 360)
        distance = rng.uniform(0, radius * 0.999)
        # A point exactly `distance` km away on the sphere, in any direction
        delta = distance / 6371.0088
        phi1, lambda1, theta = map(math.radians, (lat, lon, bearing))
        phi2 = math.asin(
            math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
        )
        lambda2 = lambda1 + math.atan2(
            math.sin(theta) * math.sin(delta) * math.cos(phi1),
            math.cos(delta) - math.sin(phi1) * math.sin(phi2),
        )
        point = math.degrees(phi2), math.degrees(lambda2)
        assert box.min_lat <= point[0] <= box.max_lat
        assert box.min_lon <= point[1] <= box.max_lon


@pytest.mark.parametrize("radius", [2, 5, 10, 20])
def test_venues_near_a_commune_are_those_within_the_radius_nearest_first(app, radius):
    lievin = db.session.get(Commune, "62510")
    place = queries.resolve_place("commune:62510")
    found = queries.venues_near(place, radius)

    expected = {
        venue.slug
        for venue in db.session.scalars(select(Venue).where(Venue.status == "published"))
        if geodesic_km(lievin.latitude, lievin.longitude, venue.latitude, venue.longitude)
        <= radius * (1 - SPHERE_TOLERANCE)
    }
    borderline = {
        venue.slug
        for venue in db.session.scalars(select(Venue))
        if abs(
            geodesic_km(lievin.latitude, lievin.longitude, venue.latitude, venue.longitude) - radius
        )
        <= radius * SPHERE_TOLERANCE
    }
    slugs = {venue.slug for venue, _ in found}
    assert expected <= slugs
    assert slugs - expected <= borderline
    distances = [km for _, km in found]
    assert distances == sorted(distances)
    assert all(km <= radius for km in distances)


def test_venues_near_a_venue_start_with_the_venue_itself(app):
    place = queries.resolve_place("venue:stade-bollaert-delelis")
    found = queries.venues_near(place, 5)
    assert found[0][0].slug == "stade-bollaert-delelis"
    assert found[0][1] == pytest.approx(0, abs=1e-6)
    assert len(found) > 1


@pytest.mark.parametrize(
    "token", ["", "commune:", "commune:99999", "venue:inconnu", "x:y", "a" * 200]
)
def test_unknown_places_resolve_to_nothing(app, token):
    assert queries.resolve_place(token) is None
