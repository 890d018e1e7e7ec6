"""A verified club runs a donation drive in real Chromium, CSRF on, axe-core on every page: it
opens the drive with a slot and a wish list, a resident pledges two items and books the slot, the
club confirms receipt of both; the drive page and the venue page show the progress."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.venues.models import Venue
from tests.factories import PASSWORD, make_organisation, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def login(page, email):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def logout(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()


def test_a_club_runs_a_drive_a_resident_pledges_and_the_club_confirms_receipt(page, outbox):
    manager = make_user(email="club@example.org", display_name="Manon")
    make_organisation(manager=manager, name="US Lens Football")
    make_user(email="donor@example.org", display_name="Camille")
    venue = db.session.scalars(select(Venue).order_by(Venue.id)).first()
    venue.dropoff = True
    db.session.commit()
    today = paris_today()
    drop_off_day = today + timedelta(days=3)

    # The club opens the drive, then adds a slot and two wish lines from its dashboard
    login(page, "club@example.org")
    page.goto("/collectes")
    page.get_by_role("link", name="Organiser une collecte").click()
    page.get_by_label("Titre de la collecte").fill("Collecte de crampons")
    page.get_by_label("Présentation").fill("Pour équiper nos U11 à la rentrée.")
    page.get_by_label("Premier jour").fill(today.isoformat())
    page.get_by_label("Dernier jour").fill((today + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Créer la collecte").click()
    expect(page.get_by_role("status")).to_contain_text("La collecte est créée")

    page.get_by_label("Lieu de dépôt").select_option(str(venue.id))
    page.get_by_label("Jour").fill(drop_off_day.isoformat())
    page.get_by_label("Heure de début").fill("14:00")
    page.get_by_label("Heure de fin").fill("17:00")
    page.get_by_label("Nombre de personnes accueillies").fill("5")
    page.get_by_role("button", name="Ajouter le créneau").click()
    expect(page.get_by_role("status")).to_contain_text("Le créneau est ajouté")

    for category, size, quantity, note in (
        ("chaussures", "36", "3", "paires de crampons pointure 36"),
        ("ballons", "4", "5", "ballons taille 4"),
    ):
        page.get_by_label("Sport").select_option("football")
        page.get_by_label("Catégorie").select_option(category)
        page.get_by_label("Taille (facultative)").fill(size)
        page.get_by_label("Quantité recherchée").fill(quantity)
        page.get_by_label("Précision (facultative)").fill(note)
        page.get_by_role("button", name="Ajouter la ligne").click()
        expect(page.get_by_role("status")).to_contain_text("La ligne est ajoutée")
    drive_url = page.url.replace("/gestion", "")
    logout(page)

    # A resident pledges two items and books the slot
    login(page, "donor@example.org")
    page.goto(drive_url)
    expect(page.get_by_text("0 sur 3")).to_be_visible()
    page.get_by_role("radio", name=re.compile(venue.name)).check()
    first = page.get_by_role("group", name="Objet 1")
    first.get_by_label("Pour la ligne").select_option(label="paires de crampons pointure 36")
    first.get_by_label("Objet", exact=True).fill("Crampons Kipsta pointure 36")
    first.get_by_label("Quantité").fill("2")
    first.get_by_label("État").select_option("good")
    second = page.get_by_role("group", name="Objet 2")
    second.get_by_label("Pour la ligne").select_option(label="ballons taille 4")
    second.get_by_label("Objet", exact=True).fill("Ballon Select taille 4")
    second.get_by_label("Quantité").fill("1")
    second.get_by_label("État").select_option("very_good")
    page.get_by_role("button", name="Promettre ces dons et réserver le créneau").click()
    expect(page.get_by_role("status")).to_contain_text("Votre promesse est enregistrée")
    expect(page.get_by_role("main")).to_contain_text("Crampons Kipsta pointure 36 × 2")
    confirmation = outbox.last("donor@example.org")
    assert confirmation.subject == "Votre promesse de don pour « Collecte de crampons »"
    assert venue.name in confirmation.text
    page.goto(drive_url)
    expect(page.get_by_text("2 sur 3")).to_be_visible()
    expect(page.get_by_text("3 sur 8")).to_be_visible()
    logout(page)

    # The club confirms receipt of both items
    login(page, "club@example.org")
    page.goto(drive_url + "/gestion")
    expect(page.get_by_role("main")).to_contain_text("1 sur 5")
    page.get_by_role("button", name="Reçu : Crampons Kipsta pointure 36", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("c’est noté")
    page.get_by_role("button", name="Reçu : Ballon Select taille 4", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("c’est noté")
    expect(page.get_by_role("main")).to_contain_text("déposée")
    page.get_by_role("link", name="Liste imprimable des dépôts").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Liste des dépôts")

    # The drive page and the venue page show the progress
    page.goto(drive_url)
    expect(page.get_by_text("Déjà reçus : 2")).to_be_visible()
    page.goto(f"/lieux/{venue.slug}")
    expect(page.get_by_role("region", name="Collectes avec dépôt ici")).to_contain_text(
        "3 objet(s) promis sur 8 recherché(s)."
    )
    page.goto("/collectes/mes-promesses")
    logout(page)
