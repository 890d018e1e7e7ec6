"""The documentation page in real Chromium: axe-core finds nothing, and an « Essayer » form sent
by keyboard shows the JSON answer in the page (static/js/api-docs.js), its status announced."""

import pytest

from tests.factories import make_listing
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


def test_trying_a_search_shows_its_json_answer_in_the_page(page):
    make_listing(title="Ballon de handball taille 2", sport="handball", category="ballons",
                 size="")  # fmt: skip
    page.goto("/api/v1/documentation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Documentation de l’API")
    search = page.locator("article", has=page.locator("h3", has_text="GET /api/v1/listings –"))
    search.get_by_label("sport").select_option("handball")
    search.get_by_label("limit").fill("5")
    search.get_by_role("button", name="Envoyer la requête").focus()
    page.keyboard.press("Enter")
    result = search.locator(".api-result")
    expect(result).to_be_visible()
    expect(result.locator(".api-result-status")).to_contain_text("Réponse : 200")
    expect(result.locator(".api-result-status")).to_contain_text(
        "/api/v1/listings?sport=handball&limit=5"
    )
    expect(result.locator("pre")).to_contain_text("Ballon de handball taille 2")
    # The page did not move: the answer is in it
    assert page.url.endswith("/api/v1/documentation")
