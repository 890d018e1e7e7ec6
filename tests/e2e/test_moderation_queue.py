"""The review queue in real Chromium, CSRF on, axe-core on every page: a moderator opens the
queue, opens a case and refuses the listing with a reason; its author reads the reason."""

import pytest

from tests.e2e.test_listing_journey import login, logout
from tests.factories import committed, make_user
from tests.fixtures.browser import expect
from tests.listings.helpers import listing_data

pytestmark = pytest.mark.e2e
FACTS = "Les photos ne montrent pas le vélo."


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def test_a_moderator_refuses_a_listing_from_the_queue(page):
    from sportressources.listings import services

    owner = make_user(email="owner@example.org", display_name="Olivier")
    make_user(email="modo@example.org", display_name="Modération", role="moderator")
    listing = committed(services.create_listing(owner, listing_data(title="Vélo enfant")))

    login(page, "modo@example.org")
    page.get_by_role("link", name="File de modération").click()
    expect(page.get_by_role("heading", name="File de modération")).to_be_visible()
    page.get_by_role("link", name="Annonce : Vélo enfant").click()
    expect(page.get_by_role("heading", name="Historique de l’auteur : Olivier")).to_be_visible()

    # Refusing without a ground is refused, the facts typed are kept
    page.get_by_label("Refuser l’annonce").check()
    page.get_by_label("Faits constatés").fill(FACTS)
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("alert")).to_contain_text("Choisissez le motif")
    expect(page.get_by_label("Faits constatés")).to_have_value(FACTS)
    page.get_by_label("Motif").select_option("rule:3.1")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".flashes")).to_contain_text("Décision enregistrée : annonce refusée.")
    expect(page.get_by_text("Rien à examiner pour le moment.")).to_be_visible()
    logout(page)

    login(page, "owner@example.org")
    page.goto(f"/annonces/{listing.id}")
    expect(page.locator(".flash--warning")).to_contain_text(FACTS)
