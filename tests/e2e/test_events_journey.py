"""Sporting events in real Chromium, CSRF on, axe-core on every page: the manager of a verified
club adds an event (a refused date first, nothing typed lost), opens a drive for it from the
event's page, and the event page lists the drive; the iCal link answers a calendar."""

from datetime import timedelta

import pytest

from sportressources.core.dates import paris_today
from tests.e2e.test_organisations_journey import login
from tests.factories import make_organisation, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def test_a_club_manager_adds_an_event_and_ties_a_drive_to_it(page, app):
    manager = make_user(email="manager@example.org", display_name="Manon Gestionnaire")
    make_organisation(manager=manager, name="Liévin Athlétisme", commune_insee="62510")
    day = paris_today() + timedelta(days=45)

    login(page, "manager@example.org")
    page.goto("/evenements")
    page.get_by_role("link", name="Ajouter un événement").click()
    page.get_by_label("Nom de l’événement").fill("Meeting international d’athlétisme")
    page.get_by_label("Organisé par").select_option(label="Liévin Athlétisme")
    page.get_by_label("Premier jour").fill(day.isoformat())
    page.get_by_label("Dernier jour").fill((day - timedelta(days=2)).isoformat())
    page.get_by_label("Toute la journée (sans horaires)").uncheck()
    page.get_by_label("Heure de début").fill("18:00")
    page.get_by_label("Heure de fin").fill("22:30")
    page.get_by_label("Lieu", exact=True).select_option(
        label="Aréna stade couvert de Liévin (Liévin)"
    )
    page.get_by_label("Athlétisme").check()
    page.get_by_label("Présentation").fill("Sprint, haies et sauts en salle.")
    page.get_by_role("button", name="Publier l’événement").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Le dernier jour ne peut pas précéder le premier."
    )
    expect(page.get_by_label("Nom de l’événement")).to_have_value(
        "Meeting international d’athlétisme"
    )
    expect(page.get_by_label("Présentation")).to_have_value("Sprint, haies et sauts en salle.")
    page.get_by_label("Dernier jour").fill(day.isoformat())
    page.get_by_role("button", name="Publier l’événement").click()
    expect(page.locator(".flashes")).to_contain_text("L’événement est publié.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting international d’athlétisme")
    expect(page.locator(".facts")).to_contain_text("18:00")

    # From the event's page, a drive for it: the select comes already set to the event
    page.get_by_role("link", name="Organiser une collecte pour cet événement").click()
    page.get_by_label("Titre de la collecte").fill("Des pointes pour le meeting")
    page.get_by_label("Premier jour").fill(paris_today().isoformat())
    page.get_by_label("Dernier jour").fill((paris_today() + timedelta(days=20)).isoformat())
    selected = page.get_by_label("Événement").locator("option:checked")
    expect(selected).to_contain_text("Meeting international d’athlétisme")
    page.get_by_role("button", name="Créer la collecte").click()
    expect(page.locator(".flashes")).to_contain_text("La collecte est créée")

    page.goto("/evenements")
    page.get_by_role("link", name="Meeting international d’athlétisme").click()
    section = page.get_by_role("region", name="Collectes pour cet événement")
    expect(section.get_by_role("link", name="Des pointes pour le meeting")).to_be_visible()
    section.get_by_role("link", name="Des pointes pour le meeting").click()
    expect(page.get_by_role("link", name="Meeting international d’athlétisme")).to_be_visible()

    feed = page.request.get("/evenements.ics")
    assert feed.ok and "SUMMARY:Meeting international d’athlétisme" in feed.text()
