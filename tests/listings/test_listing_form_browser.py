"""The listing form in real Chromium (axe-core on every page): the size list narrows to the chosen
category's scale, and a loan listing is published with its terms from the same form."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.listings.models import Listing
from sportressources.trade.loans.models import LoanTerms
from tests.factories import PASSWORD, make_listing, make_user
from tests.fixtures.browser import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "velo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 90, 160)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def size_groups(page) -> list[str]:
    return page.locator("select#size optgroup").evaluate_all("groups => groups.map(g => g.label)")


def test_sizes_follow_the_category_and_loan_terms_are_sent_with_the_listing(page, photo_file):
    make_user(email="camille@example.org", display_name="Camille")
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill("camille@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/annonces/nouvelle")

    assert "Tour de tête (cm)" in size_groups(page)  # nothing chosen yet: every scale
    page.get_by_label("Catégorie").select_option("casques")
    assert size_groups(page) == ["Tour de tête (cm)"]
    page.get_by_label("Catégorie").select_option("velos")
    assert size_groups(page) == ["Diamètre de roue", "Taille de cadre (cm)", "Taille de cadre"]
    page.get_by_label("Catégorie").select_option("accessoires_velo")
    expect(page.locator("select#size")).to_be_disabled()
    page.get_by_label("Catégorie").select_option("velos")
    page.get_by_label("Taille").select_option("54 cm")

    page.get_by_label("Prêt", exact=True).check()
    page.get_by_label("Titre").fill("Vélo de route adulte")
    page.get_by_label("Sport").select_option("cyclisme")
    page.get_by_label("Pour qui").select_option("adult")
    page.get_by_label("Bon état", exact=True).check()
    page.get_by_label("Commune").select_option("62498")
    page.get_by_label("Durée maximale du prêt (jours)").fill("30")
    page.get_by_label("Caution (€, facultatif)").fill("80")
    page.get_by_label("Photos (1 à 6)").set_input_files(str(photo_file))
    page.get_by_role("button", name="Envoyer pour relecture").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vélo de route adulte")
    listing = db.session.scalars(select(Listing)).one()
    assert (listing.kind, listing.size) == ("loan", "54 cm")
    row = db.session.get(LoanTerms, listing.id)
    assert (row.min_days, row.max_days, row.deposit_cents) == (1, 30, 8000)


def sign_in(page, email: str) -> None:
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_an_edit_waits_for_review_while_the_old_version_stays_public(page, photo_file):
    owner = make_user(email="camille@example.org", display_name="Camille")
    make_user(email="modo@example.org", display_name="Modération", role="moderator")
    listing = make_listing(owner=owner, title="Crampons pointure 36", size="36", age_group="u13")
    db.session.commit()

    sign_in(page, "camille@example.org")
    page.goto(f"/annonces/{listing.id}/modifier")
    page.get_by_label("Titre").fill("Crampons moulés Adidas pointure 36")
    page.get_by_label("Photos (1 à 6)").set_input_files(str(photo_file))
    page.get_by_role("button", name="Envoyer pour relecture").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Crampons pointure 36")
    expect(page.locator(".flash, [role=status]").first).to_contain_text("Votre modification")
    expect(page.get_by_text("attend la relecture de l’équipe de modération")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    page.goto(f"/annonces/{listing.id}")  # a visitor, or a borrower's link
    expect(page.get_by_role("heading", level=1)).to_have_text("Crampons pointure 36")

    sign_in(page, "modo@example.org")
    page.get_by_role("link", name="File de modération").click()
    page.get_by_role("link", name="Annonce : Crampons pointure 36").click()
    changes = page.get_by_role("table", name="Champs modifiés")
    expect(changes).to_contain_text("Crampons moulés Adidas pointure 36")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_label("Publier l’annonce").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.goto(f"/annonces/{listing.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Crampons moulés Adidas pointure 36")
