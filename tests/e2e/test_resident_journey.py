"""The resident's journey of issue 13, in real Chromium on a phone and on a desktop, CSRF on,
axe-core and the page-width check on every page: from the home page a visitor types « Liévin »
in « Où ? », finds the bike of Liévin before the one of Carvin, opens it and sees its photos
large; signed in, borrows it and writes to the lender from the loan page."""

import re
from datetime import date, timedelta

import pytest

from sportressources.core.db import db
from sportressources.listings import photos, services
from sportressources.trade.loans import terms
from sportressources.trade.loans.availability import paris_today
from tests.factories import PASSWORD, make_user, move_listing
from tests.fixtures.browser import expect
from tests.listings.helpers import jpeg_bytes, listing_data

pytestmark = pytest.mark.e2e

LIEVIN, CARVIN = "62510", "62215"


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def lend_a_bike(owner, title: str, commune_insee: str, photo_count: int):
    keys = [
        photos.store(photos.process_upload(jpeg_bytes(1600, 1067, (40 * n, 110, 170)), "v.jpg"))
        for n in range(photo_count)
    ]
    data = listing_data(
        kind="loan",
        title=title,
        sport="cyclisme",
        category="velos",
        size='20"',
        age_group="u11",
        commune_insee=commune_insee,
        photo_keys=keys,
    )
    listing = move_listing(services.create_listing(owner, data, submit=True), "approve")
    terms.set_terms(owner, listing, 1, 14, 0)
    db.session.commit()
    return listing


@pytest.mark.parametrize("width", [390, 1280])
def test_a_visitor_finds_a_bike_near_lievin_borrows_it_and_writes_to_the_lender(page, width):
    page.context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 800})
    lender = make_user(email="olivier@example.org", display_name="Olivier")
    make_user(email="ines@example.org", display_name="Inès")
    lend_a_bike(lender, "Vélo de Carvin 20 pouces", CARVIN, photo_count=1)
    bike = lend_a_bike(lender, "Vélo de Liévin 20 pouces", LIEVIN, photo_count=3)

    # Home page: what, then where, typed and picked by keyboard
    page.goto("/")
    page.get_by_label("Que cherchez-vous ?").fill("vélo")
    place = page.get_by_role("combobox", name="Où ?")
    place.press_sequentially("Liévin")
    expect(page.get_by_role("option").first).to_have_text("Liévin (62800)")
    place.press("ArrowDown")
    place.press("Enter")
    place.press("Enter")

    # Nearest first, the first result on the first screen
    cards = page.locator(".listing-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Vélo de Liévin")
    expect(cards.nth(1)).to_contain_text("Vélo de Carvin")
    expect(cards.first).to_be_in_viewport()
    cards.first.get_by_role("link", name="Vélo de Liévin 20 pouces").click()

    # Large photos, the first one loaded at once
    expect(page.get_by_role("heading", level=1)).to_have_text("Vélo de Liévin 20 pouces")
    first_photo = page.locator(".gallery-slide img").first
    expect(first_photo).to_be_visible()
    expect(first_photo).to_have_attribute("loading", "eager")
    assert first_photo.evaluate("img => img.complete && img.naturalWidth > 0")
    # Large: nearly the width of a phone, at least 500 px on a desktop
    shown = first_photo.bounding_box()
    assert shown["width"] >= min(width - 40, 500), shown
    expect(page.locator(".gallery").get_by_text("1 / 3").first).to_be_visible()

    # Signing in from the listing comes back to it
    page.get_by_role("link", name="Connectez-vous pour emprunter ce matériel.").click()
    page.get_by_label("Adresse e-mail").fill("ines@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vélo de Liévin 20 pouces")
    expect(page.get_by_role("heading", name="Emprunter ce matériel")).to_be_visible()

    # Borrow: the first free day in the calendar, then the last day
    page.get_by_role("link", name=re.compile("commencer le prêt le")).first.click()
    start = page.get_by_label("Premier jour (retrait du matériel)").input_value()
    assert date.fromisoformat(start) >= paris_today()
    last_day = date.fromisoformat(start) + timedelta(days=3)
    page.get_by_label("Dernier jour (retour du matériel)").fill(last_day.isoformat())
    page.get_by_role("button", name="Envoyer ma demande de prêt").click()
    expect(page.locator(".flashes")).to_contain_text("Votre demande est envoyée à Olivier")
    assert re.search(r"/prets/\d+$", page.url), page.url
    loan_page = page.url

    # Write to the lender from the loan page; the conversation is about this bike
    page.get_by_role("button", name="Écrire à Olivier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Olivier")
    page.get_by_label("Votre message").fill("Bonjour, je peux passer samedi matin ?")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Bonjour, je peux passer samedi matin ?")).to_be_visible()

    # Writing again from the loan page opens the same conversation
    page.goto(loan_page)
    page.get_by_role("button", name="Écrire à Olivier").click()
    expect(page.get_by_text("Bonjour, je peux passer samedi matin ?")).to_be_visible()
    assert bike.title in page.content()
