"""The inventory pages in real Chromium, CSRF on, axe-core on every page: choose items by keyboard,
publish one as a gift with a photo, record a handout of the other."""

import io

import pytest
from PIL import Image

from tests.drives.inventory_helpers import receive_items, stock_item
from tests.factories import PASSWORD, add_member, make_organisation, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "ballon.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 20)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_publish_one_item_and_hand_out_the_other(page, photo_file):
    club = make_organisation(name="US Club démo", commune_insee="62498")
    add_member(club, make_user(email="benevole@example.org", display_name="Bénévole"))
    ball = stock_item(club, title="Ballon de football taille 4")
    shoes = receive_items(club, title="Crampons pointure 36")[0]

    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill("benevole@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    page.goto(f"/organisations/{club.slug}/inventaire")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inventaire de US Club démo")
    # Keyboard only: tick the ball, then submit
    checkbox = page.get_by_label("Ballon de football taille 4", exact=True)
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    page.get_by_role("button", name="Publier les objets cochés").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Publier des objets en annonces")
    page.get_by_role("button", name="Publier 1 annonce").click()
    expect(page.locator(".error-summary")).to_contain_text("« Ballon de football taille 4 »")
    page.get_by_label("Photo (obligatoire)").set_input_files(str(photo_file))
    page.get_by_role("button", name="Publier 1 annonce").click()
    expect(page.locator(".flash--success")).to_contain_text("1 annonce envoyée en relecture")

    page.goto(f"/organisations/{club.slug}/inventaire/{shoes.id}")
    page.get_by_role("link", name="Enregistrer une remise").click()
    expect(
        page.get_by_role("heading", name="Données personnelles : le strict nécessaire")
    ).to_be_visible()
    page.get_by_label("Prénom ou référence du bénéficiaire").fill("Léa")
    page.get_by_label("Tranche d’âge").select_option("6-10")
    page.get_by_label("Commune de résidence").select_option("62498")
    page.get_by_label("La famille bénéficie du Pass’Sport (prioritaire)").check()
    page.get_by_role("button", name="Enregistrer la remise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remises de US Club démo")
    expect(page.locator("table")).to_contain_text("Crampons pointure 36")
    assert ball.id != shoes.id
