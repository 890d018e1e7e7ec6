"""Confirming a destructive action in real Chromium, by keyboard only, CSRF on, axe-core on every
page: « Non, revenir » changes nothing, « Oui, retirer » withdraws; a removed favourite comes back
with « Annuler »."""

import pytest

from tests.factories import PASSWORD, make_listing, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def login(page, email):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def press(locator, key="Enter"):
    locator.focus()
    expect(locator).to_be_focused()
    locator.press(key)


def test_withdraw_a_listing_with_confirmation_by_keyboard(page):
    page.context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    owner = make_user(email="owner@example.org", display_name="Olivier")
    listing = make_listing(owner=owner, title="Raquette de badminton")
    login(page, "owner@example.org")
    page.goto(f"/annonces/{listing.id}")

    press(page.get_by_role("button", name="Retirer l’annonce"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Retirer l’annonce « Raquette de badminton » ?"
    )
    expect(page.get_by_text("Elle ne sera plus visible sur le site")).to_be_visible()
    press(page.get_by_role("link", name="Non, revenir"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Raquette de badminton")

    press(page.get_by_role("button", name="Retirer l’annonce"))
    press(page.get_by_role("button", name="Oui, retirer"))
    expect(page.locator(".flashes")).to_contain_text("L’annonce est retirée du site.")
    expect(page.get_by_role("button", name="Retirer l’annonce")).to_have_count(0)


def test_a_removed_favourite_comes_back_with_undo(page):
    page.context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    make_user(email="fan@example.org", display_name="Inès")
    listing = make_listing(title="Ballon de basket")
    login(page, "fan@example.org")
    page.goto(f"/annonces/{listing.id}")
    press(page.get_by_role("button", name="Ajouter aux favoris"))
    press(page.get_by_role("button", name="Retirer des favoris"))
    expect(page.locator(".flashes")).to_contain_text("Annonce retirée de vos favoris.")
    press(page.get_by_role("button", name="Annuler : la remettre dans mes favoris"))
    expect(page.locator(".flashes")).to_contain_text("Annonce ajoutée à vos favoris.")
    expect(page.get_by_role("button", name="Retirer des favoris")).to_be_visible()
