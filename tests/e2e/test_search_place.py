"""« Où ? » in real Chromium, by keyboard, at 390 px and 1280 px: from the home page a visitor
types « Liév », picks Liévin with the arrows, and finds the nearest bike first."""

import pytest

from tests.factories import make_listing, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [390, 1280])
def test_the_place_combobox_by_keyboard_finds_the_nearest_bike_first(page, width):
    page.context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.set_viewport_size({"width": width, "height": 844})
    owner = make_user(email="owner@example.org")
    make_listing(owner, title="Vélo de Liévin", sport="cyclisme", category="velos",
                 size='20"', commune_insee="62510")  # fmt: skip
    make_listing(owner, title="Vélo de Carvin", sport="cyclisme", category="velos",
                 size='20"', commune_insee="62215")  # fmt: skip

    page.goto("/")
    page.get_by_label("Que cherchez-vous ?").fill("vélo")
    place = page.get_by_role("combobox", name="Où ?")
    place.press_sequentially("Liév")
    expect(place).to_have_attribute("aria-expanded", "true")
    options = page.get_by_role("option")
    expect(options.first).to_have_text("Liévin (62800)")
    expect(page.locator("#home-where-status")).to_contain_text("proposé")
    place.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(place).to_have_attribute("aria-activedescendant", "home-where-listbox-0")
    place.press("Enter")  # picks the option, does not send the form
    expect(place).to_have_value("Liévin (62800)")
    expect(place).to_have_attribute("aria-expanded", "false")
    place.press("Enter")  # sends the form

    expect(page.locator(".results-count")).to_contain_text("autour de Liévin")
    first = page.locator(".listing-card").first
    expect(first).to_contain_text("Vélo de Liévin")
    expect(first).to_contain_text("à moins d’1 km")
    expect(first).to_be_in_viewport()  # the first result on the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The filters fold away until asked for, and open by keyboard
    summary = page.locator("details.filters-fold > summary")
    expect(page.get_by_label("Type d’annonce")).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Type d’annonce")).to_be_visible()

    # Escape closes the list, a second Escape empties the box
    where = page.get_by_role("combobox", name="Où ?")
    where.fill("")
    where.press_sequentially("béth")
    expect(page.get_by_role("option").first).to_have_text("Béthune (62400)")
    where.press("Escape")
    expect(where).to_have_attribute("aria-expanded", "false")
    where.press("Escape")
    expect(where).to_have_value("")
