"""Loan terms (lengths, deposit) set on the listing form itself, stored with the listing in one
transaction; wrong values come back in French with everything the member typed."""

import pytest
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.listings.models import Listing
from sportressources.trade.loans import terms
from sportressources.trade.loans.models import KitItem, LoanTerms
from tests.fixtures.web import text
from tests.listings.helpers import form_data, upload
from tests.trade.loans.conftest import make_loan_listing

LOAN = {
    "kind": "loan",
    "title": "Vélo enfant 20 pouces",
    "sport": "cyclisme",
    "category": "velos",
    "size": '20"',
}


def post_new(client, **fields):
    return client.post(
        "/annonces/nouvelle",
        data={**form_data(**{**LOAN, **fields}), "photos": [upload("a.jpg")]},
        content_type="multipart/form-data",
    )


def listing_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Listing))


def test_the_form_offers_the_terms_with_the_defaults(client_for, owner):
    page = text(client_for(owner).get("/annonces/nouvelle"))
    assert "Conditions du prêt (prêt uniquement)" in page
    assert 'name="loan-min_days"' in page and 'value="1"' in page
    assert 'name="loan-max_days"' in page and 'value="14"' in page
    assert 'Durée minimale du prêt (jours) <span class="required">(obligatoire)</span>' in page


def test_terms_are_saved_with_a_new_loan_listing(client_for, owner):
    response = post_new(
        client_for(owner), **{"loan-min_days": "2", "loan-max_days": "21", "loan-deposit": "30,50"}
    )
    assert response.status_code == 302
    listing = db.session.scalars(select(Listing).order_by(Listing.id.desc())).first()
    row = db.session.get(LoanTerms, listing.id)
    assert (row.min_days, row.max_days, row.deposit_cents) == (2, 21, 3050)


def test_a_gift_ignores_the_terms_fields(client_for, owner):
    before = listing_count()
    response = post_new(
        client_for(owner),
        kind="gift",
        **{"loan-min_days": "zéro", "loan-max_days": "", "loan-deposit": "-5"},
    )
    assert response.status_code == 302
    assert listing_count() == before + 1
    assert db.session.scalar(select(func.count()).select_from(LoanTerms)) == 0


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"loan-min_days": "0"}, "loan-min_days", "durée minimale entre 1 et 366 jours"),
        ({"loan-max_days": "400"}, "loan-max_days", "durée maximale entre 1 et 366 jours"),
        (
            {"loan-min_days": "10", "loan-max_days": "3"},
            "loan-max_days",
            "ne peut pas être plus courte que la minimale",
        ),
        ({"loan-deposit": "2500"}, "loan-deposit", "entre 0 et 2000 €"),
        ({"loan-min_days": "deux"}, "loan-min_days", "Indiquez un nombre entier de jours."),
        ({"loan-max_days": ""}, "loan-max_days", "Indiquez une durée maximale, en jours."),
        ({"loan-deposit": "<b>5</b>"}, "loan-deposit", "Indiquez un nombre"),
    ],
)
def test_wrong_terms_are_refused_in_french_and_nothing_is_lost(
    client_for, owner, values, field, message
):
    before = listing_count()
    fields = {"loan-min_days": "2", "loan-max_days": "21", "loan-deposit": "", **values}
    response = post_new(client_for(owner), description="Révisé en septembre.", **fields)
    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert f'id="{field}-error"' in page  # beside its field
    assert 'value="Vélo enfant 20 pouces"' in page and "Révisé en septembre." in page
    for name, value in fields.items():
        if value and "<" not in value:
            assert f'name="{name}"' in page and f'value="{value}"' in page
    assert listing_count() == before
    assert db.session.scalar(select(func.count()).select_from(LoanTerms)) == 0


def test_terms_and_listing_errors_are_shown_together(client_for, owner):
    response = post_new(
        client_for(owner), title="Vé", **{"loan-min_days": "0", "loan-max_days": "21"}
    )
    page = text(response)
    assert response.status_code == 422
    assert "Le titre doit faire entre 5 et 120 caractères." in page
    assert "durée minimale entre 1 et 366 jours" in page


def test_editing_shows_and_changes_the_terms_keeping_kit_and_the_terms_page(app, client_for, owner):
    bike = make_loan_listing(owner)
    helmet = make_loan_listing(owner, title="Casque enfant", category="casques", size="48–52 cm")
    terms.set_terms(owner, bike, 1, 10, 2000, kit_item_ids=[helmet.id])
    db.session.commit()
    browser = client_for(owner)
    page = text(browser.get(f"/annonces/{bike.id}/modifier"))
    assert 'value="10"' in page and 'value="20.00"' in page or 'value="20,00"' in page
    assert f"/prets/annonces/{bike.id}/conditions" in page

    photo = bike.photos[0].key if bike.photos else None
    data = {**form_data(**LOAN), "loan-min_days": "3", "loan-max_days": "30", "loan-deposit": ""}
    if photo:
        data["existing_photos"] = [photo]
    else:
        data["photos"] = [upload("a.jpg")]
    response = browser.post(
        f"/annonces/{bike.id}/modifier", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    db.session.rollback()
    row = db.session.get(LoanTerms, bike.id)
    assert (row.min_days, row.max_days, row.deposit_cents) == (3, 30, None)
    assert db.session.scalars(select(KitItem.item_id)).all() == [helmet.id]
    assert browser.get(f"/prets/annonces/{bike.id}/conditions").status_code == 200


def test_a_member_cannot_set_terms_on_someone_elses_listing(client_for, owner, borrower):
    bike = make_loan_listing(owner)
    response = client_for(borrower).post(
        f"/annonces/{bike.id}/modifier",
        data={**form_data(**LOAN), "loan-min_days": "1", "loan-max_days": "300"},
    )
    assert response.status_code == 403
    assert db.session.get(LoanTerms, bike.id) is None


def test_a_draft_that_becomes_a_loan_gets_its_terms(app, client_for, owner):
    from sportressources.listings import services
    from tests.listings.helpers import listing_data

    draft = services.create_listing(owner, listing_data(kind="gift"), submit=False)
    db.session.commit()
    data = {**form_data(**LOAN), "action": "draft", "loan-min_days": "2", "loan-max_days": "9"}
    response = client_for(owner).post(f"/annonces/{draft.id}/modifier", data=data)
    assert response.status_code == 302
    db.session.rollback()
    row = db.session.get(LoanTerms, draft.id)
    assert (row.min_days, row.max_days) == (2, 9)
