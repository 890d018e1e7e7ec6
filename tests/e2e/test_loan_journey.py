"""A resident lends a bike in real Chromium, CSRF on, axe-core on every page: request from the
calendar, accept, pickup and return with the check-list, ratings both ways, an email at each
step; a second, overlapping request is refused with a clear message and the waiting list."""

import re
from datetime import timedelta

import pytest

from sportressources.core.db import db
from sportressources.trade.loans import terms
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Loan
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
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def logout(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()


def subjects(outbox, email) -> list[str]:
    return [mail.subject for mail in outbox.to(email)]


def test_a_resident_lends_a_bike_from_request_to_ratings(page, outbox):
    owner = make_user(email="owner@example.org", display_name="Olivier")
    make_user(email="taker@example.org", display_name="Inès")
    make_user(email="late@example.org", display_name="Rémi")
    bike = make_listing(
        owner=owner, kind="loan", title="Vélo enfant 20 pouces", category="velos", size='20"'
    )
    terms.set_terms(owner, bike, 1, 7, 5000)
    db.session.commit()
    today = paris_today()
    loan_page = f"/prets/annonces/{bike.id}"

    # Inès picks today in the calendar, then the last day, and asks
    login(page, "taker@example.org")
    page.goto(loan_page)
    expect(page.get_by_role("table").first).to_contain_text("libre")
    page.get_by_role("link", name=re.compile("commencer le prêt le")).first.click()
    expect(page.get_by_label("Premier jour (retrait du matériel)")).to_have_value(today.isoformat())
    page.get_by_label("Dernier jour (retour du matériel)").fill(
        (today + timedelta(days=2)).isoformat()
    )
    page.get_by_label("Message au propriétaire (facultatif)").fill("Pour la balade de dimanche")
    page.get_by_role("button", name="Envoyer ma demande de prêt").click()
    expect(page.locator(".flashes")).to_contain_text("Votre demande est envoyée à Olivier")
    assert subjects(outbox, "owner@example.org") == [
        "Demande de prêt pour « Vélo enfant 20 pouces »"
    ]
    loan_url = page.url
    logout(page)

    # Olivier accepts from « Mes prêts »
    login(page, "owner@example.org")
    page.goto("/prets")
    page.get_by_role("link", name="Vélo enfant 20 pouces", exact=True).click()
    page.get_by_role("button", name=re.compile("Accepter le prêt du")).click()
    expect(page.locator(".flashes")).to_contain_text("Prêt accepté")
    assert subjects(outbox, "taker@example.org") == ["Prêt accepté : « Vélo enfant 20 pouces »"]
    logout(page)

    # Rémi asks for overlapping days: refused clearly, and offered the waiting list
    login(page, "late@example.org")
    page.goto(loan_page)
    expect(page.get_by_role("table").first).to_contain_text("réservé")
    page.get_by_label("Premier jour (retrait du matériel)").fill(
        (today + timedelta(days=1)).isoformat()
    )
    page.get_by_label("Dernier jour (retour du matériel)").fill(
        (today + timedelta(days=3)).isoformat()
    )
    page.get_by_role("button", name="Envoyer ma demande de prêt").click()
    expect(page.get_by_role("alert")).to_contain_text("Ces dates ne sont plus libres")
    expect(page.get_by_label("Premier jour souhaité")).to_have_value(
        (today + timedelta(days=1)).isoformat()
    )
    page.get_by_role("button", name="M’inscrire sur la liste d’attente").click()
    expect(page.locator(".flashes")).to_contain_text("vous serez prévenu par e-mail")
    logout(page)

    # The handover: Olivier, then Inès, tick the bike's check-list
    login(page, "owner@example.org")
    page.goto(loan_url)
    page.get_by_label("Freins efficaces").check()
    page.get_by_label("Pneus gonflés, sans coupure").check()
    page.get_by_label("Remarques sur l’état (facultatif)").fill("Sonnette absente")
    page.get_by_role("button", name="Confirmer la remise du matériel").click()
    expect(page.locator(".flashes")).to_contain_text("la remise est confirmée")
    assert "Confirmez la remise de « Vélo enfant 20 pouces »" in subjects(
        outbox, "taker@example.org"
    )
    logout(page)

    login(page, "taker@example.org")
    page.goto(loan_url)
    expect(page.get_by_text("Sonnette absente")).to_be_visible()
    page.get_by_label("Freins efficaces").check()
    page.get_by_role("button", name="Confirmer la remise du matériel").click()
    expect(page.get_by_role("paragraph").filter(has_text="En cours")).to_be_visible()
    assert "Prêt en cours : « Vélo enfant 20 pouces »" in subjects(outbox, "owner@example.org")

    # The return: Inès first, then Olivier, who gives the whole deposit back
    page.get_by_label("Freins efficaces").check()
    page.get_by_role("button", name="Confirmer le retour du matériel").click()
    expect(page.locator(".flashes")).to_contain_text("le retour est confirmé")
    assert "Confirmez le retour de « Vélo enfant 20 pouces »" in subjects(
        outbox, "owner@example.org"
    )
    logout(page)

    login(page, "owner@example.org")
    page.goto(loan_url)
    page.get_by_label("Freins efficaces").check()
    page.get_by_label("Part de la caution gardée (€)").fill("0")
    page.get_by_role("button", name="Confirmer le retour du matériel").click()
    expect(page.get_by_role("paragraph").filter(has_text="Rendu")).to_be_visible()
    assert "Prêt terminé : « Vélo enfant 20 pouces »" in subjects(outbox, "taker@example.org")
    page.get_by_role("link", name="Évaluer Inès").click()
    page.get_by_label("5 – Excellent").check()
    page.get_by_role("button", name="Envoyer mon évaluation").click()
    expect(page.get_by_text("Merci pour votre évaluation.")).to_be_visible()
    logout(page)

    login(page, "taker@example.org")
    page.goto(loan_url)
    page.get_by_role("link", name="Évaluer Olivier").click()
    page.get_by_label("4 – Très bien").check()
    page.get_by_role("button", name="Envoyer mon évaluation").click()
    expect(page.get_by_text("Merci pour votre évaluation.")).to_be_visible()
    page.goto("/notifications")
    expect(
        page.get_by_role("link", name=re.compile("Olivier accepte de vous prêter"))
    ).to_be_visible()

    assert "Olivier vous a évalué" in subjects(outbox, "taker@example.org")
    assert "Inès vous a évalué" in subjects(outbox, "owner@example.org")
    # The bike came back early: Rémi, on the waiting list for those days, hears about it
    db.session.rollback()
    assert db.session.scalar(db.select(Loan.status)) == "returned"
    assert subjects(outbox, "late@example.org") == [
        "« Vélo enfant 20 pouces » est de nouveau libre"
    ]


def test_an_owner_sets_terms_a_kit_and_holidays_then_follows_the_calendar_by_keyboard(page):
    owner = make_user(email="club@example.org", display_name="Club d’escrime")
    make_user(email="parent@example.org", display_name="Nadia")
    mask = make_listing(owner=owner, kind="loan", title="Masque d’escrime", category="protections")
    kit = make_listing(owner=owner, kind="loan", title="Kit d’escrime complet", category="autre")
    today = paris_today()

    login(page, "club@example.org")
    page.goto(f"/prets/annonces/{kit.id}")
    page.get_by_role("link", name="Conditions de prêt, kit et périodes bloquées").click()
    page.get_by_label("Durée maximale (jours)").fill("2")
    page.get_by_label("Durée minimale (jours)").fill("3")
    page.get_by_role("button", name="Enregistrer les conditions").click()
    expect(page.get_by_role("alert")).to_contain_text("plus courte que la minimale")
    page.get_by_label("Durée minimale (jours)").fill("7")
    page.get_by_label("Durée maximale (jours)").fill("300")
    page.get_by_label("Caution (€, facultatif)").fill("80")
    page.get_by_label("Masque d’escrime").check()
    page.get_by_role("button", name="Enregistrer les conditions").click()
    expect(page.locator(".flashes")).to_contain_text("conditions de prêt sont enregistrées")
    page.get_by_label("Premier jour bloqué").fill((today + timedelta(days=1)).isoformat())
    page.get_by_label("Dernier jour bloqué").fill((today + timedelta(days=2)).isoformat())
    page.get_by_label("Note pour vous (facultatif)").fill("Stage du club")
    page.get_by_role("button", name="Bloquer ces jours").click()
    expect(page.get_by_role("cell", name="Stage du club")).to_be_visible()
    page.get_by_role("link", name="Historique des prêts").click()
    expect(page.get_by_text("Ce matériel n’a encore jamais été prêté.")).to_be_visible()
    page.goto("/prets/calendrier")
    page.get_by_role("button", name="Créer mon adresse de calendrier").click()
    expect(page.get_by_label("Adresse de votre calendrier")).to_have_value(
        re.compile(r"/calendrier/[\w-]+\.ics$")
    )
    logout(page)

    # A parent reaches a free day of the kit's calendar by keyboard and starts a request
    login(page, "parent@example.org")
    page.goto(f"/prets/annonces/{kit.id}")
    expect(page.get_by_text("Masque d’escrime")).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("bloqué")
    first_free = page.get_by_role("link", name=re.compile("commencer le prêt le")).first
    first_free.focus()
    page.keyboard.press("Enter")
    # Today is free; with a 7-day minimum the last day is filled in six days later
    expect(page.get_by_label("Premier jour (retrait du matériel)")).to_have_value(today.isoformat())
    expect(page.get_by_label("Dernier jour (retour du matériel)")).to_have_value(
        (today + timedelta(days=6)).isoformat()
    )
    db.session.rollback()  # see what the live server committed
    assert terms.kit_item_ids_of(kit) == [mask.id]
