"""The territory map in real Chromium: Leaflet markers and their list twin, with and without JS."""

import pytest

from tests.fixtures.browser import AuditedPage, expect

pytestmark = pytest.mark.e2e


def block_tiles(context) -> None:
    # The closed test network has no tile server; the map must work (markers, list) without tiles.
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())


def test_overview_map_shows_a_marker_for_each_listed_venue(page):
    block_tiles(page.context)
    page.goto("/territoire")
    expect(page.locator("[data-map-ready]")).to_have_count(1)

    listed = page.locator("#venues-all .venue-item > a").all_inner_texts()
    markers = page.locator(".leaflet-marker-icon")
    expect(markers).to_have_count(len(listed))
    assert len(listed) >= 20
    assert sorted(markers.evaluate_all("els => els.map(e => e.alt)")) == sorted(listed)

    bollaert = page.get_by_role("button", name="Stade Bollaert-Delelis")
    bollaert.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Lens")
    popup.get_by_role("link", name="Stade Bollaert-Delelis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stade Bollaert-Delelis")


def test_without_javascript_the_list_carries_the_same_venues(browser, live_server, axe_source):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = AuditedPage(context.new_page(), axe_source, run_axe=False)
        page.goto("/territoire")
        assert page.locator(".leaflet-marker-icon").count() == 0
        expect(page.locator(".map-fallback")).to_be_visible()
        assert page.locator("#venues-all .venue-item").count() >= 20
        assert page.get_by_role("link", name="Stade Bollaert-Delelis").count() == 1
    finally:
        context.close()


def test_searching_venues_near_a_commune_from_the_form(page):
    block_tiles(page.context)
    page.goto("/lieux")
    page.get_by_label("Près de").select_option("commune:62510")
    page.get_by_label("Distance").select_option("5")
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("à moins de 5 km de Liévin")
    expect(page.locator("[data-map-ready]")).to_have_count(1)
    assert "near=commune%3A62510" in page.url
    expect(page.locator("#venues-found .venue-item").first).to_contain_text("km")
