"""An organisation's journey in real Chromium, CSRF on, axe-core on every page: a member
registers a club, a moderator verifies it in the queue, its manager invites a volunteer by
email, and the volunteer, who had no account, signs up and joins through the link."""

import re

import pytest

from tests.e2e.test_accounts_journey import fill_registration
from tests.e2e.test_listing_journey import login, logout
from tests.factories import make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def test_create_verify_invite_and_join(page):
    make_user(email="manager@example.org", display_name="Martine")
    make_user(email="modo@example.org", display_name="Modération", role="moderator")

    # A member registers the club; a wrong SIRET is explained, the values typed are kept
    login(page, "manager@example.org")
    page.goto("/organisations/nouvelle")
    page.get_by_label("Nom de l’organisation").fill("Entente sportive de Liévin")
    page.get_by_label("Type d’organisation").select_option("club")
    page.get_by_label("SIRET").fill("732 829 320 00075")
    page.get_by_label("Commune (obligatoire)").select_option("62510")
    page.get_by_label("Football").check()
    page.get_by_label("Horaires de dépôt du matériel").fill("Le mercredi après-midi.")
    page.get_by_role("button", name="Inscrire l’organisation").click()
    expect(page.get_by_role("alert")).to_contain_text("clé de contrôle est fausse")
    expect(page.get_by_label("Nom de l’organisation")).to_have_value("Entente sportive de Liévin")
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_role("button", name="Inscrire l’organisation").click()
    expect(page.get_by_role("status")).to_contain_text("L’équipe de modération va la vérifier")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gérer Entente sportive de Liévin")
    logout(page)

    # A moderator verifies it from the queue
    login(page, "modo@example.org")
    page.get_by_role("link", name="File de modération").click()
    page.get_by_role("link", name="Organisation : Entente sportive de Liévin").click()
    expect(page.get_by_text("73282932000074").first).to_be_visible()
    page.get_by_label(re.compile("Vérifier l’organisation")).check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("status")).to_contain_text("organisation vérifiée")
    logout(page)

    # Its page now shows the badge; the manager invites a volunteer
    page.goto("/organisations")
    page.get_by_role("link", name="Entente sportive de Liévin").click()
    expect(page.get_by_text("Organisation vérifiée").first).to_be_visible()
    login(page, "manager@example.org")
    page.goto("/compte/organisations")
    page.get_by_role("link", name="Gérer Entente sportive de Liévin").click()
    page.get_by_label("Adresse e-mail de la personne").fill("Ines@example.org")
    page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(page.get_by_role("status")).to_contain_text("L’invitation est envoyée")
    expect(page.get_by_text("ines@example.org, bénévole")).to_be_visible()
    logout(page)

    # The volunteer opens the link, has no account: signs up, confirms, signs in, joins
    page.goto("/dev/outbox")
    page.get_by_role("link", name="Invitation à rejoindre Entente sportive de Liévin").click()
    page.get_by_role("link", name=re.compile(r"organisations.invitation.")).click()
    invitation_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invitation à rejoindre")
    page.get_by_role("link", name="Créer un compte").last.click()
    fill_registration(page, "ines@example.org", "trois mots de passe", "trois mots de passe")
    page.goto("/dev/outbox")
    page.get_by_role("link", name="Confirmez votre adresse e-mail").click()
    page.get_by_role("link", name=re.compile(r"compte.confirmer")).click()
    page.get_by_label("Adresse e-mail").fill("ines@example.org")
    page.get_by_label("Mot de passe").fill("trois mots de passe")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(invitation_url)
    page.get_by_role("button", name="Rejoindre Entente sportive de Liévin").click()
    expect(page.get_by_role("status")).to_contain_text("Bienvenue dans « Entente sportive")
    expect(page.get_by_role("button", name="Quitter l’organisation")).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer l’invitation")).to_have_count(0)
