"""A venue page a resident trusts: all in French, no raw coordinates, approximate positions
said in words, opening hours or a way to propose them, and the gear to pick up there."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.venues.models import Venue
from tests.factories import make_listing, make_user
from tests.fixtures.web import sign_in

HOURS = "Du lundi au vendredi de 9 h à 21 h, le samedi de 10 h à 18 h."
NOT_GIVEN = "Horaires non communiqués"
PROPOSE = "Proposer les horaires de ce lieu"
APPROXIMATE = "Position approximative : centre de la commune"


def page_text(response) -> str:
    """What a reader sees: the page without its scripts, tags or attributes."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def venue(slug: str) -> Venue:
    db.session.rollback()
    return db.session.scalar(select(Venue).where(Venue.slug == slug))


def published_venues() -> list[Venue]:
    db.session.rollback()
    return list(db.session.scalars(select(Venue).where(Venue.status == "published")))


def test_no_venue_page_shows_raw_coordinates_or_english_notes(client):
    venues = published_venues()
    assert len(venues) >= 20
    for place in venues:
        shown = page_text(client.get(f"/lieux/{place.slug}"))
        assert not re.search(r"\d+[.,]\d{4,}", shown), place.slug  # 50.43278, 2,81500
        assert not re.search(r"\d+°|′|″", shown), place.slug  # 50°25′58″N
        for english in ("coords", "address", "translated mirror", " box"):
            assert english not in shown, (place.slug, english)


def test_source_notes_are_in_french(client):
    bollaert = page_text(client.get("/lieux/stade-bollaert-delelis"))
    assert "fr.wikipedia.org (position, adresse)" in " ".join(bollaert.split())
    loisinord = " ".join(page_text(client.get("/lieux/loisinord-stade-de-glisse")).split())
    assert "copie traduite de Wikipédia en français, encadré « Loisinord », position" in loisinord


def test_the_source_links_open_the_cited_pages(client):
    page = client.get("/lieux/stade-bollaert-delelis").get_data(as_text=True)
    assert 'href="https://fr.wikipedia.org/wiki/Stade_Bollaert-Delelis"' in page


def test_an_approximate_position_is_said_in_words(moderator_client, app):
    client = app.test_client()
    moderator_client.post(
        "/lieux/nouveau",
        data={"name": "Salle Sans Repère", "kind": "gymnasium", "commune": "62510"},
    )
    [place] = [v for v in published_venues() if v.name == "Salle Sans Repère"]
    assert place.position_approximate

    shown = page_text(client.get(f"/lieux/{place.slug}"))

    assert APPROXIMATE in shown
    assert "Itinéraire vers le centre de la commune sur OpenStreetMap" in shown
    assert not re.search(r"\d+[.,]\d{4,}", shown)


def test_a_precise_position_is_not_called_approximate(client):
    shown = page_text(client.get("/lieux/stade-bollaert-delelis"))
    assert APPROXIMATE not in shown
    assert "Itinéraire vers ce lieu sur OpenStreetMap" in shown


def test_unknown_hours_are_said_and_only_members_may_propose_them(app, resident_client):
    client = app.test_client()
    slug = "stade-bollaert-delelis"
    assert venue(slug).opening_hours == ""

    seen_by_visitor = page_text(client.get(f"/lieux/{slug}"))
    assert NOT_GIVEN in seen_by_visitor
    assert PROPOSE not in seen_by_visitor
    assert PROPOSE in page_text(resident_client.get(f"/lieux/{slug}"))

    refused = client.get(f"/lieux/{slug}/horaires")
    assert refused.status_code == 302 and "/compte/connexion" in refused.headers["Location"]
    client.post(f"/lieux/{slug}/horaires", data={"opening_hours": HOURS})
    assert not [v for v in proposals() if v.name == venue(slug).name]


def proposals() -> list[Venue]:
    db.session.rollback()
    return list(db.session.scalars(select(Venue).where(Venue.status == "proposed")))


def test_proposed_hours_reach_the_page_once_a_moderator_accepts_them(
    app, resident_client, resident, moderator, outbox
):
    client = app.test_client()
    slug = "stade-bollaert-delelis"
    form = resident_client.get(f"/lieux/{slug}/horaires")
    assert form.status_code == 200
    assert "Proposer les horaires de Stade Bollaert-Delelis" in page_text(form)

    sent = resident_client.post(f"/lieux/{slug}/horaires", data={"opening_hours": HOURS})

    assert sent.status_code == 302 and sent.headers["Location"] == f"/lieux/{slug}"
    assert "Les horaires seront affichés dès" in page_text(resident_client.get(f"/lieux/{slug}"))
    assert NOT_GIVEN in page_text(client.get(f"/lieux/{slug}"))  # not before review
    [proposal] = proposals()
    assert proposal.opening_hours == HOURS and proposal.proposed_by_id == resident.id

    moderation = sign_in(app.test_client(), moderator)
    queue = page_text(moderation.get("/lieux/propositions"))
    assert HOURS in queue
    assert "Ce lieu est déjà publié" in queue
    accepted = moderation.post(f"/lieux/{proposal.slug}/examen", data={"decision": "accept"})
    assert accepted.status_code == 302

    shown = page_text(client.get(f"/lieux/{slug}"))
    assert HOURS in shown and NOT_GIVEN not in shown
    assert PROPOSE not in page_text(resident_client.get(f"/lieux/{slug}"))
    same_name = select(func.count()).where(Venue.name == "Stade Bollaert-Delelis")
    assert db.session.scalar(same_name) == 1  # no duplicate published
    assert proposals() == []
    assert venue(slug).edited_at is not None  # the data loader now keeps it
    assert f"/lieux/{slug}" in outbox.last(resident.email).text


def test_rejected_hours_leave_the_venue_unchanged(app, resident_client, moderator):
    client = app.test_client()
    slug = "aqualens"
    resident_client.post(f"/lieux/{slug}/horaires", data={"opening_hours": "Tous les jours"})
    [proposal] = proposals()
    moderation = sign_in(app.test_client(), moderator)
    moderation.post(
        f"/lieux/{proposal.slug}/examen", data={"decision": "reject", "note": "Source ?"}
    )
    assert NOT_GIVEN in page_text(client.get(f"/lieux/{slug}"))
    assert venue(slug).opening_hours == ""


@pytest.mark.parametrize(
    "hours, error",
    [
        ("", "Indiquez les horaires d’ouverture."),
        ("   ", "Indiquez les horaires d’ouverture."),
        ("x" * 1001, "1000"),
    ],
)
def test_hours_proposals_refuse_empty_or_overlong_text(resident_client, hours, error):
    response = resident_client.post(
        "/lieux/stade-bollaert-delelis/horaires", data={"opening_hours": hours}
    )
    assert response.status_code == 422
    assert error in page_text(response)
    assert proposals() == []


def test_hours_are_stored_as_text_and_shown_escaped(resident_client, app, moderator):
    client = app.test_client()
    hostile = "<script>alert(1)</script> lundi 9 h"
    resident_client.post("/lieux/aqualens/horaires", data={"opening_hours": hostile})
    [proposal] = proposals()
    moderation = sign_in(app.test_client(), moderator)
    moderation.post(f"/lieux/{proposal.slug}/examen", data={"decision": "accept"})
    raw = client.get("/lieux/aqualens").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt; lundi 9 h" in raw


def test_known_hours_cannot_be_proposed_again(moderator_client, resident_client):
    moderator_client.post(
        "/lieux/nouveau",
        data={
            "name": "Salle Horaires Connus",
            "kind": "gymnasium",
            "commune": "62510",
            "opening_hours": HOURS,
        },
    )
    [place] = [v for v in published_venues() if v.name == "Salle Horaires Connus"]
    assert PROPOSE not in page_text(resident_client.get(f"/lieux/{place.slug}"))
    response = resident_client.post(
        f"/lieux/{place.slug}/horaires", data={"opening_hours": "Autres horaires"}
    )
    assert response.status_code == 409
    assert "Les horaires de ce lieu sont déjà connus." in page_text(response)
    assert proposals() == []


def test_unknown_venue_hours_page_is_not_found(resident_client):
    assert resident_client.get("/lieux/stade-imaginaire/horaires").status_code == 404


def test_the_venue_page_lists_the_published_listings_to_pick_up_there(client):
    place = venue("aqualens")
    owner = make_user()
    make_listing(owner, title="Palmes de natation", venue=place)
    make_listing(owner, title="Bonnet en relecture", venue=place, status="awaiting_review")
    make_listing(owner, title="Lunettes réservées", venue=place, status="reserved")
    make_listing(owner, title="Planche déjà donnée", venue=place, status="given")
    make_listing(owner, title="Maillot ailleurs")

    shown = page_text(client.get("/lieux/aqualens"))

    assert "Matériel à retirer ici" in shown
    assert "Palmes de natation" in shown
    for absent in (
        "Bonnet en relecture",
        "Lunettes réservées",
        "Planche déjà donnée",
        "Maillot ailleurs",
    ):
        assert absent not in shown


def test_a_venue_without_listings_says_so(client):
    shown = page_text(client.get("/lieux/stade-bollaert-delelis"))
    assert "Aucune annonce ne propose ce lieu pour le retrait en ce moment." in shown


def test_the_venue_page_runs_a_fixed_number_of_queries(client, count_queries):
    place = venue("aqualens")
    client.get("/lieux/aqualens")  # what each process builds once
    owner = make_user()
    for number in range(3):
        make_listing(owner, title=f"Palmes {number}", venue=place)
    with count_queries() as few:  # a new page: the data changed
        client.get("/lieux/aqualens")
    for number in range(5):
        make_listing(make_user(), title=f"Bonnet {number}", venue=place)
    with count_queries() as many:
        client.get("/lieux/aqualens")
    assert len(many) == len(few)
