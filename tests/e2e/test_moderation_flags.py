"""The forbidden words page in real Chromium, CSRF on, axe-core on every page: a moderator adds a
word, is told when it is already listed, and removes it."""

import pytest

from tests.factories import PASSWORD, make_user
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


def test_a_moderator_manages_the_forbidden_words(page):
    make_user(email="modo@example.org", display_name="Modération", role="moderator")
    login(page, "modo@example.org")
    page.get_by_role("link", name="Modération", exact=True).first.click()  # the team's home
    page.get_by_role("link", name="Mots interdits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mots interdits")
    expect(page.get_by_text("La liste est vide")).to_be_visible()

    page.get_by_label("Mot ou expression").fill("Contrefaçon")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.locator(".flashes")).to_contain_text("« Contrefaçon » est ajouté")
    expect(page.get_by_role("rowheader", name="Contrefaçon")).to_be_visible()

    # The same word without its accent is already there
    page.get_by_label("Mot ou expression").fill("CONTREFACON")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("alert")).to_contain_text("est déjà dans la liste")

    page.get_by_role("button", name="Retirer « Contrefaçon »").click()
    expect(page.locator(".flashes")).to_contain_text("« Contrefaçon » est retiré")
    expect(page.get_by_text("La liste est vide")).to_be_visible()
