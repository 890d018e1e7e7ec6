"""An organisation's whole journey in real Chromium, CSRF on, axe-core on every page: a member
registers a club, a moderator verifies it in the queue, its manager invites a volunteer who had no
account and joins through the link; the volunteer runs a drive at a venue with a wish list, a
resident pledges two items and books a slot, the club confirms receipt, publishes one item as a
donation and records a handout of the other; the drive page and the club page show the progress."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.venues.models import Venue
from tests.e2e.test_accounts_journey import fill_registration
from tests.e2e.test_listing_journey import logout
from tests.factories import PASSWORD, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e

CLUB = "Entente sportive de Liévin"


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def login(page, email, password=PASSWORD):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "ballon.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 20)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def register_and_verify_the_club(page):
    # A member registers the club; a wrong SIRET is explained, the values typed are kept
    login(page, "manager@example.org")
    page.goto("/organisations/nouvelle")
    page.get_by_label("Nom de l’organisation").fill(CLUB)
    page.get_by_label("Type d’organisation").select_option("club")
    page.get_by_label("SIRET").fill("732 829 320 00075")
    page.get_by_label("Commune (obligatoire)").select_option("62510")
    page.get_by_label("Football").check()
    page.get_by_label("Horaires de dépôt du matériel").fill("Le mercredi après-midi.")
    page.get_by_role("button", name="Inscrire l’organisation").click()
    expect(page.get_by_role("alert")).to_contain_text("clé de contrôle est fausse")
    expect(page.get_by_label("Nom de l’organisation")).to_have_value(CLUB)
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_role("button", name="Inscrire l’organisation").click()
    expect(page.locator(".flashes")).to_contain_text("L’équipe de modération va la vérifier")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Gérer {CLUB}")
    logout(page)

    # A moderator verifies it from the queue
    login(page, "modo@example.org")
    page.get_by_role("link", name="File de modération").click()
    page.get_by_role("link", name=f"Organisation : {CLUB}").click()
    expect(page.get_by_text("73282932000074").first).to_be_visible()
    page.get_by_label(re.compile("Vérifier l’organisation")).check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".flashes")).to_contain_text("organisation vérifiée")
    logout(page)


def invite_a_volunteer_who_signs_up(page):
    page.goto("/organisations")
    page.get_by_role("link", name=CLUB).click()
    expect(page.get_by_text("Organisation vérifiée").first).to_be_visible()
    login(page, "manager@example.org")
    page.goto("/compte/organisations")
    page.get_by_role("link", name=f"Gérer {CLUB}").click()
    page.get_by_label("Adresse e-mail de la personne").fill("Ines@example.org")
    page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(page.locator(".flashes")).to_contain_text("L’invitation est envoyée")
    expect(page.get_by_text("ines@example.org, bénévole")).to_be_visible()
    logout(page)

    # The volunteer opens the link, has no account: signs up, confirms, signs in, joins
    page.goto("/dev/outbox")
    page.get_by_role("link", name=f"Invitation à rejoindre {CLUB}").click()
    page.get_by_role("link", name=re.compile(r"organisations.invitation.")).click()
    invitation_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invitation à rejoindre")
    page.get_by_role("link", name="Créer un compte").last.click()
    fill_registration(page, "ines@example.org", "trois mots de passe", "trois mots de passe")
    page.goto("/dev/outbox")
    page.get_by_role("link", name="Confirmez votre adresse e-mail").click()
    page.get_by_role("link", name=re.compile(r"compte.confirmer")).click()
    # Confirming signs her in and brings her back to the invitation
    expect(page).to_have_url(invitation_url)
    expect(page.locator(".flashes")).to_contain_text("Bienvenue, vous êtes connecté.")
    page.get_by_role("button", name=f"Rejoindre {CLUB}").click()
    expect(page.locator(".flashes")).to_contain_text("Bienvenue dans « Entente sportive")
    expect(page.get_by_role("button", name="Quitter l’organisation")).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer l’invitation")).to_have_count(0)


def open_a_drive(page, venue) -> str:
    """The volunteer, signed in, opens a drive with one slot and two wish lines; its URL."""
    today = paris_today()
    page.goto("/collectes")
    page.get_by_role("link", name="Organiser une collecte").click()
    page.get_by_label("Titre de la collecte").fill("Collecte de crampons")
    page.get_by_label("Présentation").fill("Pour équiper nos U11 à la rentrée.")
    page.get_by_label("Premier jour").fill(today.isoformat())
    page.get_by_label("Dernier jour").fill((today + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Créer la collecte").click()
    expect(page.locator(".flashes")).to_contain_text("La collecte est créée")

    page.get_by_label("Lieu de dépôt").select_option(str(venue.id))
    page.get_by_label("Jour").fill((today + timedelta(days=3)).isoformat())
    page.get_by_label("Heure de début").fill("14:00")
    page.get_by_label("Heure de fin").fill("17:00")
    page.get_by_label("Nombre de personnes accueillies").fill("5")
    page.get_by_role("button", name="Ajouter le créneau").click()
    expect(page.locator(".flashes")).to_contain_text("Le créneau est ajouté")
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
        expect(page.locator(".flashes")).to_contain_text("La ligne est ajoutée")
    return page.url.replace("/gestion", "")


def pledge_two_items(page, drive_url, venue, outbox):
    login(page, "donor@example.org")
    page.goto(drive_url)
    expect(page.get_by_text("0 sur 3")).to_be_visible()
    page.get_by_role("radio", name=re.compile(venue.name)).check()
    for number, line, title, condition in (
        (1, "paires de crampons pointure 36", "Crampons Kipsta pointure 36", "good"),
        (2, "ballons taille 4", "Ballon Select taille 4", "very_good"),
    ):
        item = page.get_by_role("group", name=f"Objet {number}")
        item.get_by_label("Pour la ligne").select_option(label=line)
        item.get_by_label("Objet", exact=True).fill(title)
        item.get_by_label("Quantité").fill("1")
        item.get_by_label("État").select_option(condition)
    page.get_by_role("button", name="Promettre ces dons et réserver le créneau").click()
    expect(page.locator(".flashes")).to_contain_text("Votre promesse est enregistrée")
    confirmation = outbox.last("donor@example.org")
    assert confirmation.subject == "Votre promesse de don pour « Collecte de crampons »"
    assert venue.name in confirmation.text
    page.goto(drive_url)
    expect(page.get_by_text("1 sur 3")).to_be_visible()
    expect(page.get_by_text("2 sur 8")).to_be_visible()
    logout(page)


def test_a_club_registers_runs_a_drive_and_redistributes_what_it_received(page, outbox, photo_file):
    make_user(email="manager@example.org", display_name="Martine")
    make_user(email="modo@example.org", display_name="Modération", role="moderator")
    make_user(email="donor@example.org", display_name="Camille")
    venue = db.session.scalars(select(Venue).order_by(Venue.id)).first()

    register_and_verify_the_club(page)
    invite_a_volunteer_who_signs_up(page)
    drive_url = open_a_drive(page, venue)  # by the volunteer, who just joined
    logout(page)
    pledge_two_items(page, drive_url, venue, outbox)

    # The club confirms receipt of both items
    login(page, "ines@example.org", "trois mots de passe")
    page.goto(drive_url + "/gestion")
    for title in ("Crampons Kipsta pointure 36", "Ballon Select taille 4"):
        page.get_by_role("button", name=f"Reçu : {title}", exact=True).click()
        expect(page.locator(".flashes")).to_contain_text("c’est noté")
    expect(page.get_by_role("main")).to_contain_text("déposée")

    # It publishes the ball as a donation: a photo is asked for, then the listing goes to review
    page.goto("/organisations")
    page.get_by_role("link", name=CLUB).click()
    page.get_by_role("link", name="Inventaire").click()
    page.get_by_label("Ballon Select taille 4", exact=True).check()
    page.get_by_role("button", name="Publier les objets cochés").click()
    page.get_by_role("button", name="Publier 1 annonce").click()
    expect(page.locator(".error-summary")).to_contain_text("« Ballon Select taille 4 »")
    page.get_by_label("Photo (obligatoire)").set_input_files(str(photo_file))
    page.get_by_label("Public (obligatoire)").select_option(index=1)  # the wish line had none
    page.get_by_role("button", name="Publier 1 annonce").click()
    expect(page.locator(".flash--success")).to_contain_text("1 annonce envoyée en relecture")

    # And hands the boots out, with the least personal data
    page.goto(page.url.split("?")[0])  # the whole inventory, not only what is now listed
    page.get_by_role("link", name=re.compile("de « Crampons Kipsta pointure 36 »")).click()
    page.get_by_role("link", name="Enregistrer une remise").click()
    expect(
        page.get_by_role("heading", name="Données personnelles : le strict nécessaire")
    ).to_be_visible()
    page.get_by_label("Prénom ou référence du bénéficiaire").fill("Léa")
    page.get_by_label("Tranche d’âge").select_option("6-10")
    page.get_by_label("Commune de résidence").select_option("62498")
    page.get_by_label("La famille bénéficie du Pass’Sport (prioritaire)").check()
    page.get_by_role("button", name="Enregistrer la remise").click()
    expect(page.locator("table")).to_contain_text("Crampons Kipsta pointure 36")
    logout(page)

    # The drive page and the club page show the progress, to anyone
    page.goto(drive_url)
    expect(page.get_by_text("Déjà reçus : 1")).to_have_count(2)
    expect(page.locator(".drive-progress", has_text="Objets déjà reçus")).to_contain_text("2 sur 8")
    page.goto("/organisations")
    page.get_by_role("link", name=CLUB).click()
    expect(page.get_by_role("main")).to_contain_text("2 objets collectés")
    expect(page.get_by_role("main")).to_contain_text("1 objet remis à un bénéficiaire")
    expect(page.get_by_role("main")).to_contain_text("Collecte de crampons")
