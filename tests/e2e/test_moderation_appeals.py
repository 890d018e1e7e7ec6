"""A member reads a statement of reasons on their account and appeals it; another moderator
rules. In real Chromium, CSRF on, axe-core on every page."""

import re

import pytest

from tests.factories import make_user
from tests.fixtures.browser import expect
from tests.moderation.statement_factories import rejected_listing_statement

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def login(page, email):
    from tests.e2e.test_listing_journey import login as listing_login

    listing_login(page, email)


def test_a_member_reads_a_decision_appeals_and_another_moderator_rules(page):
    member = make_user(email="membre@example.org", display_name="Camille")
    deciding = make_user(email="modo@example.org", display_name="Modo Un", role="moderator")
    make_user(email="modo2@example.org", display_name="Modo Deux", role="moderator")
    rejected_listing_statement(member, deciding)

    # The member finds the decision on their account and reads its reasons
    login(page, "membre@example.org")
    page.goto("/compte/")
    page.get_by_role("link", name="Décisions de modération").first.click()
    page.get_by_role("link", name=re.compile("Annonce refusée")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Décision de modération du")
    expect(page.get_by_text("06 12 34 56 78")).to_be_visible()
    page.get_by_role("link", name=re.compile("règle 3.4")).click()
    expect(page).to_have_url(re.compile("/conditions-utilisation#regle-3-4$"))
    page.go_back()

    # An empty appeal is refused, then the member explains
    page.get_by_role("button", name="Envoyer ma contestation").click()
    expect(page.get_by_role("alert")).to_contain_text("Expliquez pourquoi")
    page.get_by_label("Pourquoi contestez-vous cette décision ?").fill(
        "Ce numéro est celui du club, pas le mien."
    )
    page.get_by_role("button", name="Envoyer ma contestation").click()
    expect(page.locator(".flashes")).to_contain_text("Votre contestation est enregistrée")
    page.get_by_role("button", name="Se déconnecter").click()

    # Another moderator than the one who decided rejects it
    login(page, "modo2@example.org")
    page.get_by_role("link", name="Modération", exact=True).first.click()  # the team's home
    page.get_by_role("link", name=re.compile("Contestations")).click()
    page.get_by_role("link", name=re.compile("Examiner")).click()
    page.get_by_label("Rejeter la contestation").check()
    page.get_by_label("Message au membre").fill("Le numéro est bien personnel.")
    page.get_by_role("button", name="Enregistrer et envoyer au membre").click()
    expect(page.locator(".flashes")).to_contain_text("Votre décision est enregistrée")
