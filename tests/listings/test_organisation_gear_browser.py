"""An organisation's gear in real Chromium, CSRF on, axe-core on every page: a volunteer publishes
in the club's name, the listing shows the club and its badge, a member of a verified commune
borrows the club's goals in the commune's name, without deposit, and the club answers."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.listings.models import Listing
from sportressources.trade.loans import terms
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Loan
from tests.factories import PASSWORD, add_member, make_listing, make_organisation, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True, "LISTINGS_AUTO_APPROVE": True}


def login(page, email):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def logout(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()


def test_a_club_lends_to_a_commune_in_their_names(page, outbox):
    manager = make_user(email="manager@example.org", display_name="Margaux")
    club = make_organisation(manager=manager, name="US Liévin Football")
    add_member(club, make_user(email="benevole@example.org", display_name="Victor"))
    mayor = make_user(email="mairie@example.org", display_name="Sandrine")
    commune = make_organisation(manager=mayor, name="Mairie de Lens", kind="public_body")
    goals = make_listing(manager, kind="loan", title="Mini-buts de football", size="",
                         category="materiel_collectif", organisation_id=club.id)  # fmt: skip
    terms.set_terms(manager, goals, 1, 7, 5000, partner_deposit_waived=True, partner_max_days=30)
    db.session.commit()

    # The volunteer finds the club in « Publier au nom de » and publishes in its name
    login(page, "benevole@example.org")
    page.goto("/annonces/nouvelle")
    page.get_by_label("Publier au nom de").select_option(label="US Liévin Football")
    expect(page.get_by_label("Publier au nom de")).to_have_value(str(club.id))
    logout(page)

    # The commune's member sees the club, its badge and its terms for verified organisations
    login(page, "mairie@example.org")
    page.goto(f"/annonces/{goals.id}")
    expect(page.get_by_role("link", name="US Liévin Football").first).to_be_visible()
    expect(page.get_by_text("Organisation vérifiée").first).to_be_visible()
    expect(page.get_by_text("Prêt entre clubs et communes").first).to_be_visible()
    start = paris_today() + timedelta(days=1)
    page.get_by_label("Emprunter au nom de").select_option(
        label="Emprunter au nom de Mairie de Lens"
    )
    page.get_by_label("Premier jour (retrait du matériel)").fill(start.isoformat())
    page.get_by_label("Dernier jour (retour du matériel)").fill(
        (start + timedelta(days=14)).isoformat()
    )
    page.get_by_role("button", name="Envoyer ma demande de prêt").click()
    expect(page.locator(".flashes")).to_contain_text("Votre demande est envoyée à US Liévin")
    expect(page.get_by_text("Pas de caution")).to_be_visible()
    logout(page)

    # The volunteer answers for the club from « Mes prêts »
    login(page, "benevole@example.org")
    page.goto("/prets")
    page.get_by_role("link", name="Mini-buts de football", exact=True).click()
    page.get_by_role("button", name=re.compile("Accepter le prêt du")).click()
    expect(page.locator(".flashes")).to_contain_text("Prêt accepté")
    db.session.rollback()
    loan = db.session.scalars(select(Loan)).one()
    assert (loan.status, loan.borrower_organisation_id) == ("accepted", commune.id)
    assert db.session.scalars(select(Listing)).all() == [goals]
    assert outbox.to("manager@example.org") and outbox.to("benevole@example.org")
