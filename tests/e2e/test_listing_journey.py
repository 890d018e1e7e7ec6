"""The marketplace in real Chromium, CSRF on, axe-core on every page: publish with photos, review,
find by a French word without its accent and by distance, talk, give, rate both ways."""

import io
import re

import pytest
from PIL import Image

from tests.factories import PASSWORD, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "velo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 90, 160)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def login(page, email):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def logout(page):
    page.get_by_role("button", name="Se déconnecter").click()


def test_publish_review_find_talk_give_and_rate(page, photo_file):
    page.context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    make_user(email="owner@example.org", display_name="Olivier", home_commune_insee="62510")
    make_user(email="taker@example.org", display_name="Inès", home_commune_insee="62498")
    make_user(email="modo@example.org", display_name="Modération", role="moderator")

    # The owner publishes a bike with a photo; a first try with a price over the cap is refused
    login(page, "owner@example.org")
    page.get_by_role("link", name="Publier").first.click()
    page.get_by_label("Vente à petit prix").check()
    page.get_by_label("Titre").fill("Vélo enfant 20 pouces")
    page.get_by_label("Description").fill("Vélo bleu, freins révisés. Idéal pour débuter.")
    page.get_by_label("Sport").select_option("cyclisme")
    page.get_by_label("Catégorie").select_option("velos")
    page.get_by_label("Taille").select_option('20"')
    page.get_by_label("Pour qui").select_option("u9")
    page.get_by_label("Bon état", exact=True).check()
    page.get_by_label("Prix neuf (€)").fill("120")
    page.get_by_label("Prix de vente (€)").fill("80")
    page.get_by_label("Photos (1 à 6)").set_input_files(str(photo_file))
    page.get_by_role("button", name="Envoyer pour relecture").click()
    expect(page.get_by_role("alert")).to_contain_text("ne peut pas dépasser 60 €")
    expect(page.get_by_label("Titre")).to_have_value("Vélo enfant 20 pouces")
    expect(page.get_by_label("Garder la photo 1")).to_be_checked()  # the photo was kept
    page.get_by_label("Prix de vente (€)").fill("45")
    page.get_by_role("button", name="Envoyer pour relecture").click()
    expect(page.locator(".flashes")).to_contain_text("sera visible dès qu’un membre")
    listing_url = page.url
    logout(page)

    # A moderator publishes it from the review queue
    login(page, "modo@example.org")
    page.get_by_role("link", name="File de modération").click()
    page.get_by_role("link", name="Annonce : Vélo enfant 20 pouces").click()
    page.get_by_label("Publier l’annonce").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".flashes")).to_contain_text("annonce publiée")
    logout(page)

    # Someone finds it by « velo » without accent, within 10 km of Lens
    login(page, "taker@example.org")
    page.get_by_role("link", name="Annonces").first.click()
    page.get_by_label("Que cherchez-vous ?").fill("velo")
    page.get_by_label("Où ?", exact=True).fill("Lens")
    page.get_by_label("Où ?", exact=True).press("Escape")  # closes the suggestions
    page.locator("summary", has_text="Filtres et tri").click()
    page.get_by_label("Distance").select_option("10")
    page.get_by_role("button", name="Chercher").click()
    result = page.get_by_role("link", name="Vélo enfant 20 pouces")
    expect(result).to_be_visible()
    expect(page.locator(".listing-card").first).to_contain_text("km")
    result.click()
    expect(page.get_by_role("img", name=re.compile("Photo 1 sur 1"))).to_be_visible()

    # They write to the owner, then ask for the bike
    page.get_by_role("button", name="Écrire au propriétaire").click()
    page.get_by_label("Votre message").fill("Bonjour, le vélo est-il toujours disponible ?")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.locator(".message").last).to_contain_text("toujours disponible")
    page.goto(listing_url)
    page.get_by_role("button", name="Je souhaite l’acheter").click()
    logout(page)

    # The owner reads the message, picks Inès and confirms the handover
    login(page, "owner@example.org")
    expect(page.get_by_role("link", name=re.compile("Messages"))).to_contain_text("non lu")
    page.goto(listing_url)
    page.get_by_role("link", name=re.compile("demande")).first.click()
    page.get_by_role("button", name="Choisir Inès").click()
    page.get_by_role("button", name="Confirmer la remise").click()
    logout(page)

    # Inès confirms too: the bike is sold; each rates the other
    login(page, "taker@example.org")
    page.goto(listing_url)
    page.get_by_role("button", name="J’ai reçu l’article").click()
    # The sold bike is the owner's alone now: Inès lands on the exchange's own page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vente de")
    page.get_by_role("link", name="Évaluer Olivier").click()
    page.get_by_label("5 – Excellent").check()
    page.get_by_role("button", name="Envoyer mon évaluation").click()
    expect(page.get_by_text("Merci pour votre évaluation.")).to_be_visible()
    logout(page)

    login(page, "owner@example.org")
    page.goto(listing_url)
    expect(page.locator(".listing")).to_contain_text("Vendue")
    page.get_by_role("link", name=re.compile("Évaluer")).first.click()
    page.get_by_label("4 – Très bien").check()
    page.get_by_role("button", name="Envoyer mon évaluation").click()
    expect(page.get_by_text("Merci pour votre évaluation.")).to_be_visible()
