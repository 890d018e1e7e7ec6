"""Reports in real Chromium, CSRF on, axe-core on every page: a visitor reports a listing from its
page (a first try without anything gets the errors), then a moderator reads it in the list."""

import pytest

from tests.factories import PASSWORD, make_listing, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def test_a_visitor_reports_a_listing_and_a_moderator_sees_it(page, outbox):
    page.context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    owner = make_user(email="owner@example.org", display_name="Olivier")
    make_user(email="modo@example.org", display_name="Modération", role="moderator")
    listing = make_listing(owner=owner, title="Raquette de tennis Babolat")

    page.goto(f"/annonces/{listing.id}")
    page.get_by_role("link", name="Signaler cette annonce").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler une annonce")
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("alert")).to_contain_text("Choisissez un motif dans la liste.")
    expect(page.get_by_role("alert")).to_contain_text("Indiquez votre nom.")

    page.get_by_label("Motif du signalement").select_option("rule:3.4")
    page.get_by_label("Expliquez ce qui pose problème").fill("Un numéro de téléphone en photo.")
    page.get_by_label("Votre nom").fill("Valérie Visiteuse")
    page.get_by_label("Votre adresse e-mail").fill("valerie@example.org")
    page.get_by_label("Je déclare de bonne foi").check()
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre signalement est envoyé")
    assert outbox.last("valerie@example.org").subject == "Votre signalement est bien reçu"
    page.get_by_role("link", name="Retour à la page signalée").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raquette de tennis Babolat")

    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill("modo@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Modération", exact=True).first.click()  # the team's home
    page.get_by_role("link", name="Signalements").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Raquette de tennis Babolat")
    expect(
        page.get_by_text("par Valérie Visiteuse, valerie@example.org (visiteur)")
    ).to_be_visible()
