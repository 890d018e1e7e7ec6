"""The public territory endpoints: zones, communes, venues, organisations, drives, events and
impact figures, each what its public page shows (hidden ones are 404, as on the site)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.events import services as events
from sportressources.venues.models import Venue
from tests.drives.inventory_helpers import make_drive, make_venue
from tests.factories import make_listing, make_organisation, make_user

LENS, LIEVIN = "62498", "62510"


def test_zones_are_the_intercommunalities_with_their_commune_counts(client):
    zones = client.get("/api/v1/zones").get_json()
    by_slug = {zone["slug"]: zone for zone in zones}
    assert "bethune-bruay" in by_slug
    assert by_slug["bethune-bruay"]["communes"] == 100
    assert sum(zone["communes"] for zone in zones) == len(client.get("/api/v1/communes").json)


def test_communes_are_found_by_name_or_postal_code_and_filtered_by_zone(client):
    (lievin,) = [c for c in client.get("/api/v1/communes?q=Liévin").json if c["insee"] == LIEVIN]
    assert lievin["label"] == "Liévin (62800)" and "62800" in lievin["postal_codes"]
    assert LIEVIN in {c["insee"] for c in client.get("/api/v1/communes?q=62800").json}
    zone = lievin["zone"]
    in_zone = client.get(f"/api/v1/communes?zone={zone}").json
    assert in_zone and {c["zone"] for c in in_zone} == {zone}


def test_an_unknown_zone_filter_is_a_422_with_the_sites_message(client):
    for url in ("/api/v1/communes?zone=atlantide", "/api/v1/venues?zone=atlantide"):
        response = client.get(url)
        assert response.status_code == 422
        assert response.json["errors"] == {"zone": ["Cette zone n’existe pas."]}
    response = client.get("/api/v1/venues?commune=75056")
    assert response.json["errors"] == {
        "commune": ["Cette commune ne fait pas partie du territoire."]
    }


def test_only_published_venues_are_listed_or_shown(client):
    proposal = Venue(
        slug="stade-propose",
        name="Stade proposé",
        kind="stadium",
        commune_insee=LENS,
        latitude=50.43,
        longitude=2.83,
        status="proposed",
    )
    db.session.add(proposal)
    db.session.commit()
    published = make_venue(LENS)
    slugs = {v["slug"] for v in client.get(f"/api/v1/venues?commune={LENS}").json}
    assert published.slug in slugs and proposal.slug not in slugs
    venue = client.get(f"/api/v1/venues/{published.slug}").json
    assert venue["commune"]["insee"] == LENS and venue["dropoff"] is True
    assert venue["page_url"] == f"http://localhost/lieux/{published.slug}"
    assert client.get(f"/lieux/{proposal.slug}").status_code == 404
    assert client.get(f"/api/v1/venues/{proposal.slug}").status_code == 404


def test_organisations_are_the_verified_ones_and_show_no_private_data(client):
    manager = make_user(email="manon@example.org", display_name="Manon Gestionnaire")
    club = make_organisation(manager=manager, name="US Lens Football", commune_insee=LENS)
    club.review_note = "Vérifié par téléphone"
    db.session.commit()
    pending = make_organisation(name="Club en attente", status="pending")
    listed = client.get("/api/v1/organisations").json
    assert [o["name"] for o in listed] == ["US Lens Football"]
    assert client.get("/api/v1/organisations?kind=association").json == []
    shown = client.get(f"/api/v1/organisations/{club.slug}")
    assert shown.json["commune"]["insee"] == LENS
    for private in ("manon@example.org", "Manon", "Vérifié par téléphone"):
        assert private not in shown.get_data(as_text=True)
    assert client.get(f"/organisations/{pending.slug}").status_code == 404
    assert client.get(f"/api/v1/organisations/{pending.slug}").status_code == 404


def test_drives_as_on_the_drives_page(client):
    club = make_organisation(name="US Lens Football")
    venue = make_venue(LENS)
    drive = make_drive(club, title="Collecte de crampons", venue=venue)
    body = client.get("/api/v1/drives").json
    assert [d["title"] for d in body["current"]] == ["Collecte de crampons"]
    assert body["past"] == []
    shown = client.get(f"/api/v1/drives/{drive.id}").json
    assert shown["organisation"]["name"] == "US Lens Football"
    assert shown["slots"][0]["venue"]["slug"] == venue.slug
    assert shown["slots"][0]["places_left"] == 10
    assert client.get(f"/api/v1/drives?commune={LIEVIN}").json["current"] == []
    assert client.get("/api/v1/drives/999999").status_code == 404
    assert client.get("/api/v1/drives/99999999999999").status_code == 404


def test_events_upcoming_and_past_with_the_sport_filter(client):
    organiser = make_user()
    club = make_organisation(manager=organiser)
    venue = db.session.query(Venue).filter_by(status="published").first()
    event = events.create_event(
        organiser,
        events.EventData(
            title="Route du Louvre",
            starts_on=paris_today() + timedelta(days=30),
            ends_on=None,
            venue_id=venue.id,
            sports=["athletisme"],
            description="Marathon et courses.",
            organisation_id=club.id,
        ),
    )
    db.session.commit()
    upcoming = client.get("/api/v1/events").json
    assert [e["title"] for e in upcoming] == ["Route du Louvre"]
    assert client.get("/api/v1/events?sport=athletisme").json == upcoming
    assert client.get("/api/v1/events?sport=tennis").json == []
    assert client.get("/api/v1/events?past=true").json == []
    shown = client.get(f"/api/v1/events/{event.slug}").json
    assert shown["venue"]["slug"] == venue.slug and shown["cancelled"] is False
    assert client.get("/api/v1/events/pas-un-evenement").status_code == 404
    response = client.get("/api/v1/events?past=peut-etre")
    assert response.status_code == 422
    assert response.json["errors"] == {"past": ["Indiquez vrai ou faux (true ou false)."]}
    response = client.get("/api/v1/events?sport=curling")
    assert response.json["errors"] == {"sport": ["Ce sport ne fait pas partie de la liste."]}


def test_impact_figures_as_on_the_impact_page(client):
    make_listing(status="given")
    body = client.get("/api/v1/impact").json
    assert set(body["figures"]) >= {"donated", "members", "kilograms", "euros"}
    assert body["last_month"] == paris_today().strftime("%Y-%m")
    # One member gave: the figures drawn from members stay under statistical secrecy
    assert body["statistical_secret"] is True
    assert body["figures"]["members"] is None


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("du=2019-12", "du", "Indiquez un mois sous la forme AAAA-MM"),
        ("du=2024-05&au=2024-01", "au", "La fin de la période doit suivre son début."),
        ("zone=999", "zone", "Cette zone n’existe pas : choisissez-la dans la liste."),
        ("commune=75056", "commune", "Cette commune n’existe pas : choisissez-la dans la liste."),
    ],
)
def test_impact_refuses_what_the_report_form_refuses(client, query, field, message):
    response = client.get(f"/api/v1/impact?{query}")
    assert response.status_code == 422
    assert response.json["errors"][field][0].startswith(message)
    assert message in client.get(f"/impact/rapport?{query}").get_data(as_text=True)
