"""Venues: moderators create and edit them; members propose them, hidden until reviewed."""

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.geo.models import Commune
from sportressources.venues.models import Venue
from tests.fixtures.web import sign_in, text

GOOD = {
    "name": "Gymnase Jean-Macé",
    "kind": "gymnasium",
    "commune": "62510",
    "address": "Rue Jean-Macé, 62800 Liévin",
    "latitude": "50.4201",
    "longitude": "2.7800",
    "description": "Gymnase municipal.",
    "opening_hours": "",
    "source": "https://example.org/gymnase",
    "pickup": "y",
    "dropoff": "y",
}


def venue_named(name: str) -> Venue | None:
    db.session.rollback()
    return db.session.scalar(select(Venue).where(Venue.name == name))


def test_a_member_proposes_a_venue_that_stays_hidden(app, resident_client, other_resident):
    response = resident_client.post("/lieux/nouveau", data=GOOD)
    assert response.status_code == 302
    venue = venue_named("Gymnase Jean-Macé")
    assert venue.status == "proposed"
    assert venue.dropoff is False  # members cannot commit a venue's staff to anything
    assert "Merci ! Votre proposition" in text(resident_client.get(response.headers["Location"]))

    assert resident_client.get(f"/lieux/{venue.slug}").status_code == 200
    other = sign_in(app.test_client(), other_resident)
    assert other.get(f"/lieux/{venue.slug}").status_code == 404
    assert app.test_client().get(f"/lieux/{venue.slug}").status_code == 404
    assert "Gymnase Jean-Macé" not in text(app.test_client().get("/lieux"))
    assert "Gymnase Jean-Macé" not in text(app.test_client().get("/territoire"))


def test_a_moderator_publishes_a_proposal_and_the_member_is_told(
    app, resident_client, resident, moderator, outbox
):
    resident_client.post("/lieux/nouveau", data=GOOD)
    slug = venue_named("Gymnase Jean-Macé").slug
    moderation = sign_in(app.test_client(), moderator)
    queue = text(moderation.get("/lieux/propositions"))
    assert "Gymnase Jean-Macé" in queue
    assert resident.display_name in queue

    response = moderation.post(f"/lieux/{slug}/examen", data={"decision": "accept"})
    assert response.status_code == 302
    assert venue_named("Gymnase Jean-Macé").status == "published"
    assert app.test_client().get(f"/lieux/{slug}").status_code == 200
    assert "Gymnase Jean-Macé" in text(app.test_client().get("/lieux"))
    mail = outbox.last(resident.email)
    assert mail.subject == "Votre proposition de lieu a été acceptée"
    assert f"http://localhost/lieux/{slug}" in mail.text

    again = moderation.post(f"/lieux/{slug}/examen", data={"decision": "reject", "note": "x"})
    assert again.status_code == 302
    assert "Cette proposition a déjà été examinée." in text(moderation.get("/lieux/propositions"))
    assert venue_named("Gymnase Jean-Macé").status == "published"


def test_rejecting_needs_a_reason_that_reaches_the_member(
    app, resident_client, resident, moderator, outbox
):
    resident_client.post("/lieux/nouveau", data=GOOD)
    slug = venue_named("Gymnase Jean-Macé").slug
    moderation = sign_in(app.test_client(), moderator)

    moderation.post(f"/lieux/{slug}/examen", data={"decision": "reject", "note": "  "})
    page = text(moderation.get("/lieux/propositions"))
    assert "Expliquez au membre pourquoi le lieu est refusé." in page
    assert venue_named("Gymnase Jean-Macé").status == "proposed"

    moderation.post(f"/lieux/{slug}/examen", data={"decision": "reject", "note": "Lieu privé."})
    assert venue_named("Gymnase Jean-Macé").status == "rejected"
    mail = outbox.last(resident.email)
    assert "n’a pas été retenu" in mail.text
    assert "Lieu privé." in mail.text
    assert app.test_client().get(f"/lieux/{slug}").status_code == 404


def test_an_unknown_decision_is_refused(app, resident_client, moderator):
    resident_client.post("/lieux/nouveau", data=GOOD)
    slug = venue_named("Gymnase Jean-Macé").slug
    moderation = sign_in(app.test_client(), moderator)
    response = moderation.post(f"/lieux/{slug}/examen", data={"decision": "maybe"})
    assert response.status_code == 422
    assert venue_named("Gymnase Jean-Macé").status == "proposed"


def test_only_moderators_review_edit_or_see_the_queue(app, resident_client, resident):
    resident_client.post("/lieux/nouveau", data=GOOD)
    slug = venue_named("Gymnase Jean-Macé").slug
    assert resident_client.get("/lieux/propositions").status_code == 403
    assert (
        resident_client.post(f"/lieux/{slug}/examen", data={"decision": "accept"}).status_code
        == 403
    )
    assert resident_client.get("/lieux/stade-bollaert-delelis/modifier").status_code == 403
    assert (
        resident_client.post("/lieux/stade-bollaert-delelis/modifier", data=GOOD).status_code == 403
    )
    assert venue_named("Gymnase Jean-Macé").status == "proposed"

    visitor = app.test_client()
    for path in ("/lieux/propositions", "/lieux/nouveau", "/lieux/stade-bollaert-delelis/modifier"):
        response = visitor.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/compte/connexion")
    assert visitor.post("/lieux/nouveau", data=GOOD).status_code == 302
    assert venue_named("Gymnase Jean-Macé").status == "proposed"  # still the only one


def test_a_moderator_adds_a_published_venue_with_its_arrangements(moderator_client):
    response = moderator_client.post("/lieux/nouveau", data=GOOD)
    assert response.status_code == 302
    venue = venue_named("Gymnase Jean-Macé")
    assert (venue.status, venue.pickup, venue.dropoff) == ("published", True, True)
    assert (venue.latitude, venue.longitude, venue.position_approximate) == (50.4201, 2.78, False)
    assert venue.edited_at is not None


def test_a_venue_without_position_sits_at_its_commune_centre_marked_approximate(
    moderator_client,
):
    moderator_client.post("/lieux/nouveau", data={**GOOD, "latitude": "", "longitude": ""})
    venue = venue_named("Gymnase Jean-Macé")
    centre = db.session.get(Commune, "62510")
    assert (venue.latitude, venue.longitude) == (centre.latitude, centre.longitude)
    assert venue.position_approximate
    page = text(moderator_client.get(f"/lieux/{venue.slug}"))
    assert "Position approximative" in page


def test_a_decimal_comma_is_accepted_for_coordinates(moderator_client):
    moderator_client.post(
        "/lieux/nouveau", data={**GOOD, "latitude": "50,4201", "longitude": "2,78"}
    )
    venue = venue_named("Gymnase Jean-Macé")
    assert (venue.latitude, venue.longitude) == (50.4201, 2.78)


def test_a_moderator_corrects_an_approximate_position(moderator_client):
    venue = venue_named("Stade Octave-Birembaut")
    assert venue.position_approximate
    form = {
        "name": venue.name,
        "kind": venue.kind,
        "commune": venue.commune_insee,
        "latitude": "50.4180",
        "longitude": "2.9450",
        "pickup": "y",
    }
    response = moderator_client.post(f"/lieux/{venue.slug}/modifier", data=form)
    assert response.status_code == 302
    venue = venue_named("Stade Octave-Birembaut")
    assert (venue.latitude, venue.longitude, venue.position_approximate) == (50.418, 2.945, False)
    assert venue.edited_at is not None


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": ""}, "name", "Indiquez le nom du lieu."),
        ({"name": "ab"}, "name", "Indiquez le nom du lieu (3 caractères au moins)."),
        ({"name": "N" * 151}, "name", "Ce texte ne peut pas dépasser 150 caractères."),
        ({"kind": "chateau"}, "kind", "Choisissez une valeur dans la liste."),
        ({"commune": "75056"}, "commune", "Choisissez une valeur dans la liste."),
        ({"commune": ""}, "commune", "Choisissez la commune du lieu."),
        ({"latitude": "abc"}, "latitude", "Indiquez un nombre, par exemple 50,43278."),
        (
            {"longitude": ""},
            "longitude",
            "Indiquez la latitude et la longitude, ou aucune des deux.",
        ),
        (
            {"latitude": "48.8566", "longitude": "2.3522"},
            "latitude",
            "doit être comprise entre 50.2",
        ),
        (
            {"description": "d" * 4001},
            "description",
            "Ce texte ne peut pas dépasser 4000 caractères.",
        ),
    ],
)
def test_bad_venue_input_gets_a_message_on_its_field_and_keeps_the_rest(
    moderator_client, changes, field, message
):
    response = moderator_client.post("/lieux/nouveau", data={**GOOD, **changes})
    assert response.status_code == 422
    page = text(response)
    assert f'id="{field}-error"' in page
    assert message in page
    if changes.get("name", GOOD["name"]) == GOOD["name"]:
        assert 'value="Gymnase Jean-Macé"' in page
    assert venue_named("Gymnase Jean-Macé") is None


def test_venue_text_is_shown_escaped(moderator_client):
    moderator_client.post(
        "/lieux/nouveau", data={**GOOD, "description": "<script>alert(1)</script> & co"}
    )
    page = text(moderator_client.get(f"/lieux/{venue_named('Gymnase Jean-Macé').slug}"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


def test_two_venues_with_the_same_name_get_distinct_addresses(moderator_client):
    moderator_client.post("/lieux/nouveau", data=GOOD)
    moderator_client.post("/lieux/nouveau", data={**GOOD, "commune": "62498"})
    db.session.rollback()
    slugs = sorted(db.session.scalars(select(Venue.slug).where(Venue.name == GOOD["name"])))
    assert slugs == ["gymnase-jean-mace", "gymnase-jean-mace-lens"]


def test_venue_forms_refuse_a_post_without_csrf_token(app, moderator_client):
    app.config["WTF_CSRF_ENABLED"] = True
    response = moderator_client.post("/lieux/nouveau", data=GOOD)
    assert response.status_code == 400
    assert "Formulaire expiré" in text(response)
    assert venue_named("Gymnase Jean-Macé") is None


def test_invisible_characters_are_removed_from_a_proposal(resident_client):
    response = resident_client.post(
        "/lieux/nouveau",
        data={
            **GOOD,
            "name": "Gymnase\x00 Jean-Macé",
            "description": "Gymnase\x00 municipal.\u202e",
        },
    )

    assert response.status_code == 302
    venue = venue_named("Gymnase Jean-Macé")
    assert venue.description == "Gymnase municipal."
