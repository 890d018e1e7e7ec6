"""A moderator suspends a member from the member page; the member's sign-in is refused with the
reason. Real Chromium, CSRF on, axe-core on every page."""

import re
from datetime import timedelta

import pytest

from sportressources.core.dates import paris_today
from tests.factories import PASSWORD, make_listing, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e

REASON = "Propos injurieux envers un autre membre dans la messagerie."


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def sign_in(page, email):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_moderator_suspends_a_member_who_can_no_longer_sign_in(page):
    member = make_user(email="camille@example.org", display_name="Camille Sportive")
    make_listing(owner=member, title="Vélo enfant 20 pouces")
    make_user(email="modo@example.org", display_name="Modération", role="moderator")

    sign_in(page, "modo@example.org")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.goto("/moderation/membres")
    page.get_by_label("Nom, adresse e-mail ou numéro du membre").fill("camille")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("link", name="Camille Sportive").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Membre : Camille Sportive")

    # A date in the past is refused, then a week from now is accepted
    form = page.get_by_role("form", name="Suspendre")
    form.get_by_label("Suspendu jusqu’au (inclus)").fill(
        (paris_today() - timedelta(days=2)).isoformat()
    )
    form.get_by_label("Règle des conditions d’utilisation").select_option("5.1")
    form.get_by_label("Faits reprochés").fill(REASON)
    form.get_by_role("button", name="Suspendre le compte").click()
    expect(page.get_by_role("alert")).to_contain_text("doit être dans le futur")
    form = page.get_by_role("form", name="Suspendre")
    expect(form.get_by_label("Faits reprochés")).to_have_value(REASON)
    form.get_by_label("Suspendu jusqu’au (inclus)").fill(
        (paris_today() + timedelta(days=7)).isoformat()
    )
    form.get_by_role("button", name="Suspendre le compte").click()
    expect(page.locator(".flashes")).to_contain_text("Le compte est suspendu")
    expect(page.get_by_text(re.compile("Suspendu jusqu’au .* inclus"))).to_be_visible()
    expect(page.get_by_role("form", name="Suspendre")).to_have_count(0)
    page.get_by_role("button", name="Se déconnecter").click()

    sign_in(page, "camille@example.org")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Votre compte est suspendu par l’équipe de modération")
    expect(alert).to_contain_text(REASON)
    expect(
        page.get_by_role("link", name="Lire la décision et comment la contester")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
