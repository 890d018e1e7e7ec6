"""The admin's moderation pages in real Chromium, CSRF on, axe-core on every page: the hub, the
dashboard and its charts, naming a moderator, the journal that logged it, and the public
transparency page reached from the footer."""

import re

import pytest

from sportressources.core.db import utcnow
from tests.factories import PASSWORD, make_user
from tests.fixtures.browser import expect
from tests.moderation.admin_data import make_case, make_report

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


def test_hub_dashboard_team_journal_and_transparency(page):
    make_user(email="admin@example.org", display_name="Alice Admin", role="admin")
    modo = make_user(email="modo@example.org", display_name="Marc Modo", role="moderator")
    make_user(email="lea@example.org", display_name="Léa Bénévole")
    now = utcnow()
    make_case(opened_at=now.replace(hour=0), decided_at=now, decision="reject", moderator=modo)
    make_case(opened_at=now)
    make_report(reason="rule:3.4", created_at=now)

    login(page, "admin@example.org")
    page.get_by_role("link", name="Modération").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modération")

    page.get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("img", name="Décisions par jour")).to_be_visible()
    page.get_by_text("Le détail par jour, en tableau").click()
    expect(page.get_by_role("table", name=re.compile("Décisions par jour"))).to_be_visible()

    page.goto("/moderation/")
    page.get_by_role("link", name="Équipe de modération").click()
    page.get_by_label("Adresse e-mail du membre").fill("lea@example.org")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_label("Raison (pour Léa Bénévole)").fill("Renfort pour les vacances")
    page.get_by_role("button", name="Nommer modérateur").click()
    expect(page.locator(".flashes")).to_contain_text("Léa Bénévole fait désormais partie")

    page.goto("/moderation/")
    page.get_by_role("link", name="Journal des actions").click()
    page.get_by_label("Action").fill("user.")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("table")).to_contain_text("Renfort pour les vacances")

    page.get_by_role("link", name="Transparence de la modération").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rapport de transparence")
    expect(page.get_by_text("1 signalement reçu")).to_be_visible()
