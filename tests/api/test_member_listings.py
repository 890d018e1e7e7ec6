"""A member's listings through the API: the listing form's fields and rules, the listing
services, and what the member then sees on the site."""

from __future__ import annotations

import io

import pytest

from sportressources.core.db import db
from sportressources.listings import services
from sportressources.listings.models import Listing
from sportressources.trade.loans import terms
from tests.api.helpers import listing_fields
from tests.factories import committed, make_listing, make_user, move_listing
from tests.fixtures.web import sign_in
from tests.listings.helpers import jpeg_bytes, listing_data


def create(client, headers, **overrides):
    return client.post("/api/v1/me/listings", json=listing_fields(**overrides), headers=headers)


@pytest.fixture
def member(app):
    return make_user(display_name="Camille Donne")


def test_a_draft_created_through_the_api_is_in_my_space(app, client, bearer, member):
    response = create(client, bearer(member), draft=True)

    assert response.status_code == 201, response.json
    listing = response.json
    assert listing["status"] == "draft" and listing["status_label"] == "Brouillon"
    assert listing["title"] == "Chaussures de football à crampons"
    assert listing["commune"] == "62510" and listing["photo_count"] == 0
    page = sign_in(app.test_client(), member).get("/mon-espace").get_data(as_text=True)
    assert "Chaussures de football à crampons" in page
    mine = client.get("/api/v1/me/listings", headers=bearer(member)).json
    assert [item["id"] for item in mine] == [listing["id"]]


def test_my_listings_cost_the_same_statements_for_one_listing_or_many(
    client, bearer, member, count_queries
):
    headers = bearer(member)
    make_listing(owner=member, title="Un ballon")

    def statements() -> int:
        with count_queries() as seen:
            assert client.get("/api/v1/me/listings", headers=headers).status_code == 200
        return len(seen)

    statements()  # the token's first use is noted (once a minute): not part of the listing
    one = statements()
    for number in range(5):
        make_listing(owner=member, title=f"Ballon {number}")
    listed = client.get("/api/v1/me/listings", headers=headers).json
    assert len(listed) == 6 and all(item["pending_change"] is False for item in listed)
    assert statements() == one


def test_photos_then_sending_for_review(app, client, bearer, member):
    listing_id = create(client, bearer(member), draft=True).json["id"]

    added = client.post(
        f"/api/v1/me/listings/{listing_id}/photos",
        data={"photos": [(io.BytesIO(jpeg_bytes()), "a.jpg"), (io.BytesIO(jpeg_bytes()), "b.jpg")]},
        headers=bearer(member),
        content_type="multipart/form-data",
    )
    assert added.status_code == 200, added.json
    assert added.json["photo_count"] == 2 and added.json["status"] == "draft"

    sent = client.patch(f"/api/v1/me/listings/{listing_id}", json={}, headers=bearer(member))

    assert sent.status_code == 200, sent.json
    assert sent.json["status"] == "awaiting_review"
    page = sign_in(app.test_client(), member).get(f"/annonces/{listing_id}").get_data(as_text=True)
    assert "En attente de relecture" in page


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(app, client, bearer, member):
    listing_id = create(client, bearer(member), draft=True).json["id"]

    response = client.post(
        f"/api/v1/me/listings/{listing_id}/photos",
        data={"photos": [(io.BytesIO(b"%PDF-1.4 not an image"), "a.jpg")]},
        headers=bearer(member),
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert response.json["errors"]["photos"]
    assert db.session.get(Listing, listing_id).photo_count == 0


def test_sending_without_a_photo_gets_the_services_message(app, client, bearer, member):
    response = create(client, bearer(member))

    assert response.status_code == 422
    assert response.json["errors"]["photos"] == ["Ajoutez au moins une photo du matériel."]
    assert db.session.query(Listing).count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": None}, "title", "Indiquez un titre."),
        ({"title": "   "}, "title", "Indiquez un titre."),
        ({"title": "x" * 121}, "title", "Ce texte ne peut pas dépasser 120 caractères."),
        ({"sport": "quidditch"}, "sport", "Choisissez une valeur dans la liste."),
        ({"commune": "75056"}, "commune", "Choisissez une valeur dans la liste."),
        ({"size": "99"}, "size", "Choisissez une valeur dans la liste."),
        ({"safety_age_years": 51}, "safety_age_years", "Entre 0 et 50 ans."),
        ({"kind": "sale", "price": 90, "new_price": 100}, "price", "50 % du prix neuf"),
    ],
)
def test_bad_listings_get_the_french_message_of_the_form_or_service(
    app, client, bearer, member, overrides, field, message
):
    response = create(client, bearer(member), draft=True, **overrides)

    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert any(message in text for text in response.json["errors"][field]), response.json
    assert db.session.query(Listing).count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"title": 12},
        {"price": "beaucoup"},
        {"price": "NaN"},
        {"venue": "1"},
        {"safety_no_impact": "peut-être"},
        {"draft": "oui"},
        {"owner_id": 1},
        {"description": "x" * 30_000},
    ],
)
def test_wrongly_typed_or_oversized_input_is_422_never_500(app, client, bearer, member, body):
    response = client.post(
        "/api/v1/me/listings", json=listing_fields(**body), headers=bearer(member)
    )

    assert response.status_code == 422
    assert db.session.query(Listing).count() == 0


def test_malicious_text_is_stored_as_data_and_shown_escaped(app, client, bearer, member):
    title = "<img src=x onerror=alert(1)> Ballon"

    response = create(client, bearer(member), draft=True, title=title)

    assert response.status_code == 201
    assert response.json["title"] == title
    page = sign_in(app.test_client(), member).get(f"/annonces/{response.json['id']}")
    html = page.get_data(as_text=True)
    assert "<img src=x onerror" not in html and "&lt;img src=x onerror" in html


def test_patch_changes_only_the_fields_sent(app, client, bearer, member):
    listing_id = create(client, bearer(member), draft=True, brand="Kipsta").json["id"]

    response = client.patch(
        f"/api/v1/me/listings/{listing_id}",
        json={"title": "Chaussures de foot pointure 36", "draft": True},
        headers=bearer(member),
    )

    assert response.status_code == 200
    assert response.json["title"] == "Chaussures de foot pointure 36"
    assert response.json["brand"] == "Kipsta" and response.json["sport"] == "football"


def test_a_published_listings_big_change_waits_for_review_as_on_the_site(
    app, client, bearer, member
):
    listing = committed(
        services.create_listing(member, listing_data(title="Ballon de basket taille 7"))
    )
    move_listing(listing, "approve")

    response = client.patch(
        f"/api/v1/me/listings/{listing.id}",
        json={"title": "Ballon de basket taille 5"},
        headers=bearer(member),
    )

    assert response.status_code == 200, response.json
    assert response.json["pending_change"] is True
    assert response.json["title"] == "Ballon de basket taille 7"


def test_only_the_owner_edits_and_the_owner_or_a_moderator_withdraws(app, client, bearer, member):
    listing = make_listing(owner=member)
    stranger, moderator = make_user(), make_user(role="moderator")
    url = f"/api/v1/me/listings/{listing.id}"

    assert client.patch(url, json={"title": "Pris"}).status_code == 401
    assert client.patch(url, json={"title": "Pris"}, headers=bearer(stranger)).status_code == 403
    assert client.patch(url, json={"title": "Pris"}, headers=bearer(moderator)).status_code == 403
    assert (
        client.patch("/api/v1/me/listings/987654", json={}, headers=bearer(member)).status_code
        == 404
    )
    assert client.post(f"{url}/withdraw", headers=bearer(stranger)).status_code == 403
    photo = {"photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")]}
    assert client.post(f"{url}/photos", data=photo, headers=bearer(stranger)).status_code == 403

    withdrawn = client.post(f"{url}/withdraw", headers=bearer(moderator))

    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert client.post(f"{url}/withdraw", headers=bearer(member)).status_code in (404, 409)


def test_the_owner_withdraws_and_the_listing_leaves_the_site(app, client, bearer, member):
    listing = make_listing(owner=member)

    response = client.post(f"/api/v1/me/listings/{listing.id}/withdraw", headers=bearer(member))

    assert response.status_code == 200 and response.json["status"] == "withdrawn"
    assert app.test_client().get(f"/annonces/{listing.id}").status_code == 404


def test_a_loan_listing_carries_its_terms_like_the_form(app, client, bearer, member):
    response = create(
        client,
        bearer(member),
        draft=True,
        kind="loan",
        category="velos",
        size='20"',
        loan_min_days=2,
        loan_max_days=10,
        loan_deposit=30,
    )

    assert response.status_code == 201, response.json
    current = terms.terms_of(db.session.get(Listing, response.json["id"]))
    assert (current.min_days, current.max_days, current.deposit_cents) == (2, 10, 3000)

    refused = client.patch(
        f"/api/v1/me/listings/{response.json['id']}",
        json={"loan_min_days": 20, "draft": True},
        headers=bearer(member),
    )
    assert refused.status_code == 422
    assert any(name.startswith("loan_") for name in refused.json["errors"]), refused.json


@pytest.mark.parametrize(
    "data",
    [  # built for each run: a file sent is closed afterwards
        lambda: {},
        lambda: {"photos": "pas un fichier"},
        lambda: {"photos": [(io.BytesIO(b""), "")]},
        lambda: {"photos": [(io.BytesIO(jpeg_bytes()), f"{n}.jpg") for n in range(7)]},
    ],
)
def test_bad_photo_uploads_are_422_and_change_nothing(app, client, bearer, member, data):
    listing_id = create(client, bearer(member), draft=True).json["id"]

    response = client.post(
        f"/api/v1/me/listings/{listing_id}/photos",
        data=data(),
        headers=bearer(member),
        content_type="multipart/form-data",
    )

    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert db.session.get(Listing, listing_id).photo_count == 0


def test_a_seventh_photo_gets_the_services_message(app, client, bearer, member):
    listing_id = create(client, bearer(member), draft=True).json["id"]
    url = f"/api/v1/me/listings/{listing_id}/photos"
    six = {"photos": [(io.BytesIO(jpeg_bytes()), f"{n}.jpg") for n in range(6)]}
    assert client.post(url, data=six, headers=bearer(member)).status_code == 200

    one_more = {"photos": [(io.BytesIO(jpeg_bytes()), "7.jpg")]}
    response = client.post(url, data=one_more, headers=bearer(member))

    assert response.status_code == 422
    assert response.json["errors"]["photos"] == ["Six photos au plus."]
    assert db.session.get(Listing, listing_id).photo_count == 6


@pytest.mark.parametrize("price", ["1e999999", "Infinity", "-5"])
def test_absurd_prices_are_refused_by_the_forms_field(app, client, bearer, member, price):
    response = create(client, bearer(member), draft=True, kind="sale", price=price, new_price=40)

    assert response.status_code == 422
    assert db.session.query(Listing).count() == 0
