"""Moderation from start to end in real Chromium, CSRF on, axe-core on every page: a listing is
submitted, refused with a reason, edited and resubmitted, published and found in search; a visitor
reports it; a moderator removes it; its author reads the statement of reasons and appeals; a second
moderator rules; the reporter and the author each get the outcome by email; the transparency page
counts all of it."""

import io
import re

import pytest
from PIL import Image

from tests.e2e.test_listing_journey import login, logout
from tests.factories import make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e

TITLE = "Raquette de badminton Yonex"


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "raquette.jpg"
    buffer = io.BytesIO()
    image = Image.new("RGB", (800, 600), (200, 40, 40))
    for x in range(0, 800, 40):  # a pattern, so that no other test's photo looks the same
        for y in range(0, 600, 60):
            image.putpixel((x, y), (255, 255, 255))
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def open_case(page, title):
    page.get_by_role("link", name="File de modération").click()
    page.get_by_role("link", name=f"Annonce : {title}").click()


def decide(page, decision, ground=None, facts=None):
    page.get_by_label(decision).check()
    if ground:
        page.get_by_label("Motif").select_option(ground)
    if facts:
        page.get_by_label("Faits constatés").fill(facts)
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".flashes")).to_contain_text("Décision enregistrée")


def test_submit_refuse_resubmit_publish_report_remove_appeal_and_count(
    page, photo_file, outbox, app
):
    page.context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    owner = make_user(email="owner@example.org", display_name="Olivier")
    owner.created_at = owner.created_at.replace(year=owner.created_at.year - 1)
    make_user(email="modo1@example.org", display_name="Modo Une", role="moderator")
    make_user(email="modo2@example.org", display_name="Modo Deux", role="moderator")
    from sportressources.core.db import db

    db.session.commit()

    # The owner submits a gift whose description carries a phone number
    login(page, "owner@example.org")
    page.get_by_role("link", name="Publier").first.click()
    page.get_by_label("Don", exact=True).check()
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Description").fill("Cordage neuf. Appelez-moi au 06 12 34 56 78.")
    page.get_by_label("Sport").select_option("badminton")
    page.get_by_label("Catégorie").select_option("raquettes")
    page.get_by_label("Taille").select_option("Adulte")
    page.get_by_label("Pour qui").select_option("adult")
    page.get_by_label("Bon état", exact=True).check()
    page.get_by_label("Photos (1 à 6)").set_input_files(str(photo_file))
    page.get_by_role("button", name="Envoyer pour relecture").click()
    expect(page.locator(".flashes")).to_contain_text("sera visible dès qu’un membre")
    listing_url = page.url
    logout(page)

    # A moderator sees the automatic flag and refuses it with a reason
    login(page, "modo1@example.org")
    open_case(page, TITLE)
    expect(page.get_by_text("Numéro de téléphone dans le texte")).to_be_visible()
    decide(
        page,
        "Refuser l’annonce",
        "rule:3.4",
        "Un numéro de téléphone figure dans la description.",
    )
    logout(page)

    # The owner reads the reason, edits and resubmits
    login(page, "owner@example.org")
    page.goto(listing_url)
    expect(
        page.get_by_text("Un numéro de téléphone figure dans la description.").first
    ).to_be_visible()
    page.get_by_role("link", name=re.compile("Modifier")).first.click()
    page.get_by_label("Description").fill("Cordage neuf, poignée refaite.")
    page.get_by_role("button", name="Envoyer pour relecture").click()
    logout(page)

    # The moderator sees the previous decision and publishes
    login(page, "modo1@example.org")
    open_case(page, TITLE)
    expect(
        page.get_by_role("heading", name="Décisions précédentes sur cet élément")
    ).to_be_visible()
    decide(page, "Publier l’annonce")
    logout(page)

    # A visitor finds it in search and reports it
    page.goto("/annonces")
    page.get_by_label("Que cherchez-vous ?").fill("badminton yonex")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Signaler cette annonce").click()
    page.get_by_label("Motif du signalement").select_option("illegal:counterfeit")
    page.get_by_label("Expliquez ce qui pose problème").fill("Le logo est imité, c’est une copie.")
    page.get_by_label("Votre nom").fill("Valérie Visiteuse")
    page.get_by_label("Votre adresse e-mail").fill("valerie@example.org")
    page.get_by_label("Je déclare de bonne foi").check()
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre signalement est envoyé")
    assert outbox.last("valerie@example.org").subject == "Votre signalement est bien reçu"

    # The first moderator removes it
    login(page, "modo1@example.org")
    open_case(page, TITLE)
    expect(page.get_by_text("Le logo est imité, c’est une copie.")).to_be_visible()
    decide(
        page,
        "Retirer le contenu",
        "illegal:counterfeit",
        "La raquette porte une marque imitée.",
    )
    logout(page)
    assert len(outbox.to("valerie@example.org")) == 2  # the outcome after the acknowledgement

    # The listing is no longer public
    assert page.goto(listing_url).status == 404

    # The owner reads the statement of reasons and appeals
    login(page, "owner@example.org")
    page.goto("/compte/")
    page.get_by_role("link", name="Décisions de modération").first.click()
    page.get_by_role("link", name=re.compile("retiré", re.IGNORECASE)).first.click()
    expect(page.get_by_text("La raquette porte une marque imitée.")).to_be_visible()
    page.get_by_label("Pourquoi contestez-vous cette décision ?").fill(
        "C’est une vraie Yonex, j’ai la facture."
    )
    page.get_by_role("button", name="Envoyer ma contestation").click()
    expect(page.locator(".flashes")).to_contain_text("Votre contestation est enregistrée")
    logout(page)
    mails_before_ruling = len(outbox.to("owner@example.org"))

    # The second moderator rules (the first one may not)
    login(page, "modo2@example.org")
    page.get_by_role("link", name="Modération", exact=True).first.click()
    page.get_by_role("link", name=re.compile("Contestations")).click()
    page.get_by_role("link", name=re.compile("Examiner")).click()
    page.get_by_label("Rejeter la contestation").check()
    page.get_by_label("Message au membre").fill("Le modèle vendu n’existe pas chez la marque.")
    page.get_by_role("button", name="Enregistrer et envoyer au membre").click()
    expect(page.locator(".flashes")).to_contain_text("Votre décision est enregistrée")
    assert len(outbox.to("owner@example.org")) == mails_before_ruling + 1
    assert "Le modèle vendu n’existe pas" in outbox.last("owner@example.org").text

    # The public transparency page counts it all
    logout(page)
    page.goto("/transparence")
    expect(page.get_by_text("1 signalement reçu", exact=False)).to_be_visible()
    expect(page.get_by_text("1 contestation reçue", exact=False)).to_be_visible()
    decisions = page.locator("table").filter(has_text="Contrefaçon").first
    expect(decisions).to_be_visible()
