"""Account journeys in real headless Chromium, with CSRF on and axe-core on every page."""

import json
import re

import pytest

from tests.factories import PASSWORD, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def fill_registration(page, email, password, confirm):
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Nom affiché").fill("Inès Coureuse")
    page.get_by_label("Commune de résidence").select_option("62510")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill(password)
    page.get_by_label("Confirmez le mot de passe").fill(confirm)
    page.get_by_label("J’accepte les conditions d’utilisation").check()
    page.get_by_role("button", name="Créer mon compte").click()


def test_register_confirm_through_the_outbox_log_in_and_out(page):
    page.goto("/")
    page.get_by_role("link", name="Créer un compte").first.click()
    expect(page).to_have_title(re.compile("Créer un compte"))

    fill_registration(page, "ines@example.org", "trois mots de passe", "trois mots de passes")
    expect(page.get_by_role("alert")).to_contain_text("mots de passe ne sont pas identiques")
    expect(page.get_by_label("Adresse e-mail")).to_have_value("ines@example.org")
    expect(page.get_by_label("Commune de résidence")).to_have_value("62510")

    fill_registration(page, "ines@example.org", "trois mots de passe", "trois mots de passe")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre boîte mail")

    page.goto("/dev/outbox")
    page.get_by_role("link", name="Confirmez votre adresse e-mail").click()
    page.get_by_role("link", name=re.compile(r"compte.confirmer")).click()
    expect(page.locator(".flashes")).to_contain_text(
        "Votre adresse e-mail est confirmée. Bienvenue, vous êtes connecté."
    )
    page.get_by_role("button", name="Se déconnecter").click()

    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill("ines@example.org")
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail ou mot de passe incorrect.")

    page.get_by_label("Mot de passe").fill("trois mots de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".flashes")).to_contain_text("Bonjour Inès Coureuse, vous êtes connecté.")

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator(".flashes")).to_contain_text("Vous êtes déconnecté.")
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()


def sign_in(page, email, password):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_reset_password_export_data_and_delete_the_account(app, page):
    user = make_user(email="noa@example.org", display_name="Noa")

    page.goto("/compte/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse e-mail").fill("NOA@example.org ")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.locator(".flashes")).to_contain_text("Si un compte utilise cette adresse")

    page.goto("/dev/outbox")
    page.get_by_role("link", name="Réinitialisation de votre mot de passe").click()
    page.get_by_role("link", name=re.compile(r"compte.reinitialiser")).click()
    page.get_by_label("Nouveau mot de passe (obligatoire)", exact=True).fill("court")
    page.get_by_label("Confirmez le nouveau mot de passe").fill("court")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("alert")).to_contain_text("au moins 10 caractères")
    page.get_by_label("Nouveau mot de passe (obligatoire)", exact=True).fill(
        "un nouveau mot de passe"
    )
    page.get_by_label("Confirmez le nouveau mot de passe").fill("un nouveau mot de passe")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.locator(".flashes")).to_contain_text("Votre mot de passe est modifié")

    sign_in(page, "noa@example.org", "un nouveau mot de passe")
    page.get_by_role("link", name="Mon compte").click()
    page.get_by_role("link", name="Mes données").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données (JSON)").click()
    exported = json.loads(download_info.value.path().read_text(encoding="utf-8"))
    assert exported["account"]["email"] == "noa@example.org"
    assert exported["account"]["display_name"] == "Noa"

    page.get_by_label("Mot de passe actuel").fill(PASSWORD)  # the old one, no longer valid
    page.get_by_label("Je comprends que la suppression est définitive").check()
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_role("alert")).to_contain_text("Le mot de passe est incorrect.")
    page.get_by_label("Mot de passe actuel").fill("un nouveau mot de passe")
    page.get_by_label("Je comprends que la suppression est définitive").check()
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.locator(".flashes")).to_contain_text("Votre compte et vos données personnelles")

    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill("noa@example.org")
    page.get_by_label("Mot de passe").fill("un nouveau mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail ou mot de passe incorrect.")
    assert user.id  # the row is kept, anonymised


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
