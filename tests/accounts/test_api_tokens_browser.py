"""A personal API token in real Chromium, CSRF on, axe-core on every page: created by keyboard,
its secret copied with the button, then revoked after the confirmation page."""

import re

import pytest

from tests.factories import PASSWORD, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def test_create_copy_and_revoke_a_token(page):
    make_user(email="dev@example.org", display_name="Dev du club")
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill("dev@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    page.goto("/compte/api")
    page.get_by_label("Nom du jeton").fill("Site du club")
    page.get_by_label(re.compile("^Lecture et écriture")).check()
    page.get_by_label("Jamais (à révoquer vous-même)").check()
    page.get_by_role("button", name="Créer le jeton").press("Enter")

    expect(
        page.get_by_role("heading", name="Votre jeton « Site du club » est créé")
    ).to_be_visible()
    secret = page.get_by_label("Jeton d’accès").input_value()
    assert re.fullmatch(r"sr62_[A-Za-z0-9_-]{43}", secret)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copier le jeton").click()
    expect(page.get_by_role("status")).to_have_text("Jeton copié.")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    page.goto("/compte/api")
    assert secret not in page.content()
    page.get_by_role("button", name="Révoquer Site du club").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Révoquer le jeton « Site du club » ?"
    )
    page.get_by_role("button", name="Oui, révoquer").press("Enter")
    expect(page.locator(".flashes")).to_contain_text("Le jeton « Site du club » est révoqué.")
    expect(page.get_by_role("cell", name="Révoqué")).to_be_visible()
