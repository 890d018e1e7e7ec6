"""The site on a phone (390 × 844) in real Chromium: the menu folds into a « Menu » disclosure that
works by keyboard without JavaScript, and every main page of every role fits the screen (the
``phone_page`` harness fails on any page wider than the window, and runs axe-core on each)."""

import pytest

from tests.factories import PASSWORD
from tests.fixtures.browser import PHONE_VIEWPORT, AuditedPage, expect
from tests.site_tour import build_tour

pytestmark = pytest.mark.e2e


def sign_in(page, email):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def sign_out(page):
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_text("Menu", exact=True).click()
    account = page.get_by_role("navigation", name="Mon compte")
    expect(account.get_by_role("link", name="Se connecter")).to_be_visible()


def tour(page, paths):
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        page.audit()  # axe-core, and the width of the page against the window


def test_the_menu_folds_on_a_phone_and_opens_by_keyboard(phone_page):
    page = phone_page
    page.goto("/")
    menu = page.get_by_role("navigation", name="Menu principal")
    expect(menu).to_be_hidden()

    page.get_by_text("Menu", exact=True).focus()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    account = page.get_by_role("navigation", name="Mon compte")
    expect(account.get_by_role("link", name="Se connecter")).to_be_visible()
    page.keyboard.press("Enter")
    expect(menu).to_be_hidden()


def test_the_menu_stays_open_on_a_wide_screen(page):
    page.goto("/")
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()


def test_the_menu_works_without_javascript(browser, live_server, axe_source):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE_VIEWPORT
    )
    try:
        page = AuditedPage(context.new_page(), axe_source, run_axe=False)
        page.goto("/")
        page.get_by_text("Menu", exact=True).click()
        page.get_by_role("navigation", name="Mon compte").get_by_role(
            "link", name="Se connecter"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    finally:
        context.close()


def test_every_main_page_fits_a_phone_for_every_role(phone_page):
    site = build_tour()
    tour(phone_page, site.pages[None])
    for role in ("resident", "lender", "moderator", "admin"):
        sign_in(phone_page, site.members[role].email)
        tour(phone_page, site.pages[role])
        sign_out(phone_page)


def test_the_loan_calendar_turns_month_by_month_on_a_phone(phone_page):
    site = build_tour()
    page = phone_page
    sign_in(page, site.members["resident"].email)
    bike_page = next(path for path in site.pages["lender"] if path.startswith("/prets/annonces/"))
    page.goto(bike_page)
    calendar = page.locator("#calendrier-pret")
    expect(calendar.get_by_role("table")).to_have_count(1)
    first = calendar.locator("caption").inner_text()
    calendar.get_by_role("link", name="Mois suivant ›").click()
    expect(calendar.locator("caption")).not_to_have_text(first)
    calendar.get_by_role("link", name="‹ Mois précédent").click()
    expect(calendar.locator("caption")).to_have_text(first)
