"""A listing's photos in real Chromium, on a phone and on a desktop, by keyboard only: the carousel
moves with its buttons, its thumbnails and the arrow keys; the zoom opens the full-size photo in a
dialog that keeps the focus, moves with the arrow keys, closes on Escape and gives the focus back.
axe-core checks the page, and again with the dialog open."""

import re

import pytest

from sportressources.core.db import db
from sportressources.listings import photos, services
from tests.factories import make_user, move_listing
from tests.fixtures.browser import expect
from tests.listings.helpers import jpeg_bytes, listing_data

pytestmark = pytest.mark.e2e

TITLE = "Vélo enfant 20 pouces"


def listing_with_photos(count: int = 3):
    keys = [
        photos.store(photos.process_upload(jpeg_bytes(900, 600, (60 * n, 90, 160)), "p.jpg"))
        for n in range(count)
    ]
    owner = make_user(home_commune_insee="62498")
    listing = services.create_listing(
        owner,
        listing_data(title=TITLE, sport="cyclisme", category="velos", size='20"', photo_keys=keys),
        submit=True,
    )
    db.session.commit()
    return move_listing(listing, "approve")


def audit_now(page) -> None:
    """axe-core on the page as it is now (the fixture audits each newly loaded page only)."""
    page._needs_audit = True
    page.audit()


@pytest.mark.parametrize("width", [390, 1280])
def test_carousel_and_zoom_work_by_keyboard(page, width):
    listing = listing_with_photos()
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 800})
    page.goto(f"/annonces/{listing.id}")

    gallery = page.get_by_role("region", name="Photos")
    position = gallery.locator(".gallery-controls [data-gallery-position]").first
    expect(position).to_have_text(re.compile(r"^1 / 3"))
    expect(page.get_by_role("img", name=f"Photo 1 sur 3 : {TITLE}")).to_be_visible()
    expect(page.get_by_role("img", name=f"Photo 2 sur 3 : {TITLE}")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Buttons, by keyboard
    gallery.get_by_role("button", name="Photo suivante").focus()
    page.keyboard.press("Enter")
    expect(position).to_have_text(re.compile(r"^2 / 3"))
    expect(page.get_by_role("img", name=f"Photo 2 sur 3 : {TITLE}")).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(position).to_have_text(re.compile(r"^3 / 3"))
    page.keyboard.press("ArrowRight")  # round again
    expect(position).to_have_text(re.compile(r"^1 / 3"))
    page.keyboard.press("ArrowLeft")
    expect(position).to_have_text(re.compile(r"^3 / 3"))

    # A thumbnail, by keyboard
    thumb = gallery.get_by_role("button", name="Afficher la photo 2 sur 3")
    thumb.focus()
    page.keyboard.press("Space")
    expect(position).to_have_text(re.compile(r"^2 / 3"))
    expect(thumb).to_have_attribute("aria-current", "true")

    # The zoom: Enter on the photo opens it full size in a dialog
    link = gallery.get_by_role("link", name=re.compile(f"Photo 2 sur 3 : {TITLE}"))
    link.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=TITLE)
    expect(dialog).to_be_visible()
    close = dialog.get_by_role("button", name="Fermer")
    expect(close).to_be_focused()
    zoomed = dialog.get_by_role("img", name=f"Photo 2 sur 3 : {TITLE}")
    expect(zoomed).to_have_attribute("src", f"/medias/{listing.photos[1].key}.jpg")
    audit_now(page)

    page.keyboard.press("ArrowRight")
    expect(dialog.get_by_role("img", name=f"Photo 3 sur 3 : {TITLE}")).to_be_visible()
    expect(dialog.locator("[data-gallery-position]")).to_have_text(re.compile(r"^3 / 3"))

    # The focus stays in the dialog, forwards and backwards
    for key in ["Tab"] * 4 + ["Shift+Tab"] * 5:
        page.keyboard.press(key)
        assert page.evaluate("document.querySelector('dialog').contains(document.activeElement)")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # Back on the photo now shown, the third
    expect(gallery.get_by_role("link", name=re.compile(f"Photo 3 sur 3 : {TITLE}"))).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_single_photo_zooms_without_carousel(page):
    listing = listing_with_photos(count=1)
    page.goto(f"/annonces/{listing.id}")

    gallery = page.get_by_role("region", name="Photos")
    expect(gallery.get_by_role("button", name="Photo suivante")).to_have_count(0)
    gallery.get_by_role("link", name=re.compile("Photo 1 sur 1")).focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=TITLE)
    expect(dialog.get_by_role("img", name=f"Photo 1 sur 1 : {TITLE}")).to_be_visible()
    page.keyboard.press("ArrowRight")  # nothing to move to: the dialog stays as it is
    expect(dialog.get_by_role("img", name=f"Photo 1 sur 1 : {TITLE}")).to_be_visible()
    dialog.get_by_role("button", name="Fermer").press("Enter")
    expect(dialog).to_be_hidden()
    expect(gallery.get_by_role("link", name=re.compile("Photo 1 sur 1"))).to_be_focused()


def test_without_javascript_every_photo_shows_and_links_to_its_full_size(browser, live_server):
    listing = listing_with_photos(count=2)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/annonces/{listing.id}")
        for number, photo in enumerate(listing.photos, start=1):
            link = page.get_by_role("link", name=re.compile(f"Photo {number} sur 2"))
            expect(link).to_be_visible()
            expect(link).to_have_attribute("href", f"/medias/{photo.key}.jpg")
        expect(page.get_by_role("button", name="Photo suivante")).to_be_hidden()
    finally:
        context.close()
