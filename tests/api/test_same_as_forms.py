"""One service behind the page and the API: the same input through the HTML form (signed in)
and through the API gives the same rows, and the same bad input the same French message."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.listings.models import Listing
from sportressources.trade.loans import terms
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Loan
from tests.api.helpers import listing_fields
from tests.factories import committed, make_listing, make_user
from tests.fixtures.web import sign_in
from tests.listings.helpers import form_data

COMPARED = [
    "kind",
    "title",
    "description",
    "sport",
    "category",
    "size",
    "age_group",
    "condition",
    "brand",
    "price_cents",
    "new_price_cents",
    "commune_insee",
    "venue_id",
    "safety_age_years",
    "safety_no_impact",
    "status",
    "organisation_id",
    "photo_count",
]


def row(listing: Listing) -> dict:
    return {name: getattr(listing, name) for name in COMPARED}


# The same listing, as a browser sends the form and as a client sends JSON
SALE_FORM = {"kind": "sale", "price": "12,50", "new_price": "40", "brand": "Kipsta"}
SALE_JSON = {"kind": "sale", "price": 12.5, "new_price": 40, "brand": "Kipsta"}


def api_fields(**overrides) -> dict:
    return listing_fields(**{"draft": True, **overrides})


@pytest.mark.parametrize(("form_extra", "json_extra"), [({}, {}), (SALE_FORM, SALE_JSON)])
def test_a_listing_created_by_the_form_and_by_the_api_is_the_same_row(
    app, client, bearer, form_extra, json_extra
):
    member = make_user()
    page = sign_in(app.test_client(), member).post(
        "/annonces/nouvelle", data=form_data(action="draft", **form_extra)
    )
    assert page.status_code == 302, page.get_data(as_text=True)[:500]

    api = client.post("/api/v1/me/listings", json=api_fields(**json_extra), headers=bearer(member))

    assert api.status_code == 201, api.json
    by_form, by_api = db.session.scalars(select(Listing).order_by(Listing.id)).all()
    assert row(by_form) == row(by_api)
    assert by_api.status == "draft" and by_api.owner_id == by_form.owner_id == member.id


BAD_LISTINGS = [
    # (form fields, JSON fields, field, French message)
    ({"title": ""}, {"title": None}, "title", "Indiquez un titre."),
    (
        {"title": "x" * 121},
        {"title": "x" * 121},
        "title",
        "Ce texte ne peut pas dépasser 120 caractères.",
    ),
    ({"title": "Sac"}, {"title": "Sac"}, "title", "Le titre doit faire entre 5 et 120 caractères."),
    (
        {"sport": "quidditch"},
        {"sport": "quidditch"},
        "sport",
        "Choisissez une valeur dans la liste.",
    ),
    ({"category": "bonnets", "size": ""}, {"category": "bonnets", "size": ""}, "category", None),
    (
        {"kind": "sale", "price": "90", "new_price": "100"},
        {"kind": "sale", "price": 90, "new_price": 100},
        "price",
        "Le prix de vente ne peut pas dépasser 50 € : au plus 50 % du prix neuf déclaré (100 €), "
        "et jamais plus de 150 €.",
    ),
    ({"safety_age_years": "51"}, {"safety_age_years": 51}, "safety_age_years", None),
]


@pytest.mark.parametrize(("form_bad", "json_bad", "field", "message"), BAD_LISTINGS)
def test_the_same_bad_listing_gets_the_same_french_message(
    app, client, bearer, form_bad, json_bad, field, message
):
    member = make_user()
    page = sign_in(app.test_client(), member).post(
        "/annonces/nouvelle", data=form_data(action="draft", **form_bad)
    )
    api = client.post("/api/v1/me/listings", json=api_fields(**json_bad), headers=bearer(member))

    assert page.status_code == api.status_code == 422, api.json
    [api_message] = api.json["errors"][field]
    if message is not None:
        assert api_message == message
    assert api_message in unescape(page.get_data(as_text=True))
    assert db.session.scalar(select(Listing.id)) is None


# --- a loan request ------------------------------------------------------------------------------


@pytest.fixture
def bike(app):
    listing = make_listing(kind="loan", title="Vélo enfant 20 pouces", category="velos", size='20"')
    committed(terms.set_terms(listing.owner, listing, 1, 7, 5000))
    return listing


def day(offset: int):
    return paris_today() + timedelta(days=offset)


def test_a_loan_requested_by_the_form_and_by_the_api_is_the_same_row(app, client, bearer, bike):
    by_page, by_api = make_user(), make_user()
    page = sign_in(app.test_client(), by_page).post(
        f"/prets/annonces/{bike.id}/demander",
        data={
            "loan-start_date": day(3).strftime("%d/%m/%Y"),
            "loan-end_date": day(5).isoformat(),
            "loan-message": "Pour la sortie du club.",
        },
    )
    assert page.status_code == 303, page.get_data(as_text=True)[:500]

    api = client.post(
        f"/api/v1/listings/{bike.id}/loans",
        json={
            "start_date": day(3).strftime("%d/%m/%Y"),
            "end_date": day(5).isoformat(),
            "message": "Pour la sortie du club.",
        },
        headers=bearer(by_api),
    )

    assert api.status_code == 201, api.json
    first, second = db.session.scalars(select(Loan).order_by(Loan.id)).all()
    fields = ("listing_id", "status", "start_date", "end_date", "message", "deposit_cents")
    assert [getattr(first, name) for name in fields] == [getattr(second, name) for name in fields]
    assert (first.borrower_id, second.borrower_id) == (by_page.id, by_api.id)


BAD_LOANS = [
    # (fields, field, French message); dates as offsets from today
    ({"start_date": "", "end_date": ""}, "start_date", "Indiquez le premier jour du prêt."),
    ({"start_date": "bientôt"}, "start_date", "Indiquez une date, par exemple 27/03/2027."),
    ({"start_date": -2}, "start_date", "Le premier jour du prêt ne peut pas être passé."),
    ({"end_date": 1}, "end_date", "Le dernier jour ne peut pas précéder le premier."),
    ({"message": "x" * 1001}, "message", "Ce texte ne peut pas dépasser 1000 caractères."),
    ({"end_date": 30}, "end_date", None),  # longer than the owner's maximum
]


@pytest.mark.parametrize(("bad", "field", "message"), BAD_LOANS)
def test_the_same_bad_loan_request_gets_the_same_french_message(
    app, client, bearer, bike, bad, field, message
):
    values = {"start_date": 3, "end_date": 5, "message": ""}
    values.update(bad)
    values = {
        name: day(value).isoformat() if isinstance(value, int) else value
        for name, value in values.items()
    }
    member = make_user()
    page = sign_in(app.test_client(), member).post(
        f"/prets/annonces/{bike.id}/demander",
        data={f"loan-{name}": value for name, value in values.items()},
    )
    api = client.post(f"/api/v1/listings/{bike.id}/loans", json=values, headers=bearer(member))

    assert page.status_code == api.status_code == 422, api.json
    [api_message] = api.json["errors"][field]
    if message is not None:
        assert api_message == message
    assert api_message in unescape(page.get_data(as_text=True))
    assert db.session.scalar(select(Loan.id)) is None
