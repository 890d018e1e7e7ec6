"""The inventory pages: who sees them, the list and its filters, items, bulk publication with
photos, the organisation page's figures."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.core.hooks import render_slot
from sportressources.drives import inventory
from sportressources.listings.models import Listing
from sportressources.organisations.models import Membership
from sportressources.trade.loans.terms import terms_of
from tests.drives.inventory_helpers import make_drive, receive_items, stock_item
from tests.factories import add_member, committed, fresh, make_organisation, make_user
from tests.fixtures.web import sign_in, text
from tests.listings.helpers import jpeg_bytes, stored_photo, upload


@pytest.fixture
def club(app):
    return make_organisation(name="RC Lens Rugby", commune_insee="62498")


@pytest.fixture
def volunteer(club):
    return add_member(club)


@pytest.fixture
def member_client(client, volunteer):
    return sign_in(client, volunteer)


def url(club, path: str = "") -> str:
    return f"/organisations/{club.slug}/inventaire{path}"


def listings_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Listing))


def test_the_list_shows_items_counts_and_labelled_checkboxes(club, member_client):
    ball = stock_item(club, title="Ballon de rugby taille 4", sport="rugby")
    receive_items(club, title="Crampons pointure 36")
    committed(
        inventory.discard_item(club.memberships[0].user, club, stock_item(club, title="Vieux sac"))
    )
    page = text(member_client.get(url(club)))
    assert "Inventaire de RC Lens Rugby" in page
    assert "Ballon de rugby taille 4" in page and "Crampons pointure 36" in page
    assert "En stock : <strong>2</strong>" in page and "Écarté : <strong>1</strong>" in page
    assert f'<label for="item-{ball.id}">Ballon de rugby taille 4</label>' in page
    assert "<legend>" in page

    filtered = text(member_client.get(url(club), query_string={"sport": "rugby"}))
    assert "Ballon de rugby" in filtered and "Crampons pointure 36" not in filtered
    discarded = text(member_client.get(url(club), query_string={"statut": "discarded"}))
    assert "Vieux sac" in discarded and "Ballon de rugby" not in discarded


@pytest.mark.parametrize(
    "query",
    [
        {"statut": "<script>alert(1)</script>"},
        {"sport": "x" * 5000, "category": "\x00"},
        {"statut": "in_stock'; DROP TABLE inventory_items; --"},
    ],
)
def test_hostile_filters_are_ignored(club, member_client, query):
    stock_item(club, title="Ballon de rugby")
    response = member_client.get(url(club), query_string=query)
    assert response.status_code == 200
    assert "Ballon de rugby" in text(response)
    assert "<script>alert(1)" not in text(response)


def test_the_list_runs_the_same_queries_for_few_and_many_items(club, member_client, count_queries):
    for _ in range(2):
        receive_items(club)
    with count_queries() as few:
        member_client.get(url(club))
    for _ in range(10):
        receive_items(club)
    with count_queries() as many:
        member_client.get(url(club))
    assert len(many) == len(few)


def test_visitors_strangers_and_former_members_are_kept_out(app, club, client):
    stock_item(club)
    assert client.get(url(club)).status_code == 302
    stranger = sign_in(app.test_client(), make_user())
    refused = stranger.get(url(club))
    assert refused.status_code == 403
    assert "réservé aux responsables et bénévoles" in text(refused)
    other_manager = sign_in(app.test_client(), make_organisation().memberships[0].user)
    assert other_manager.get(url(club)).status_code == 403

    member = add_member(club)
    member_client = sign_in(app.test_client(), member)
    assert member_client.get(url(club)).status_code == 200
    db.session.delete(db.session.scalar(select(Membership).where(Membership.user_id == member.id)))
    db.session.commit()
    assert member_client.get(url(club)).status_code == 403  # at once
    assert app.test_client().get("/organisations/nulle-part/inventaire").status_code == 302
    assert (
        sign_in(app.test_client(), member).get("/organisations/nulle-part/inventaire").status_code
        == 404
    )


def test_a_member_adds_an_item_with_a_photo_then_edits_and_discards_it(club, member_client):
    form = {
        "title": "Raquette de badminton",
        "sport": "badminton",
        "category": "raquettes",
        "size": '23"',
        "age_group": "u13",
        "condition": "good",
        "note": "",
    }
    refused = member_client.post(url(club, "/ajouter"), data={**form, "sport": "curling"})
    assert refused.status_code == 422
    assert 'value="Raquette de badminton"' in text(refused)
    done = member_client.post(
        url(club, "/ajouter"), data={**form, "photo": upload()}, content_type="multipart/form-data"
    )
    assert done.status_code == 302
    page = text(member_client.get(done.headers["Location"]))
    assert "Raquette de badminton" in page and "Ajouté à la main" in page
    item_id = int(done.headers["Location"].rsplit("/", 1)[1])
    edited = member_client.post(
        url(club, f"/{item_id}/modifier"), data={**form, "title": "Raquette junior"}
    )
    assert edited.status_code == 302
    asked = member_client.post(url(club, f"/{item_id}/ecarter"))
    assert "Écarter « Raquette junior » de l’inventaire ?" in text(asked)
    assert "part au recyclage" in text(asked)
    assert "Écarté de l’inventaire" not in text(member_client.get(url(club, f"/{item_id}")))
    discarded = member_client.post(url(club, f"/{item_id}/ecarter"), data={"confirmed": "yes"})
    assert discarded.status_code == 303
    page = text(member_client.get(url(club, f"/{item_id}")))
    assert "Raquette junior" in page and "Écarté de l’inventaire" in page


def test_an_item_page_tells_its_history(club, volunteer, member_client):
    drive = make_drive(club, title="Collecte de printemps")
    item = receive_items(club, title="Crampons", drive=drive, photo_key=stored_photo())[0]
    listing = committed(
        inventory.publish_items(
            volunteer,
            club,
            [inventory.ItemPublication(item.id)],
            inventory.PublishOptions(kind="gift", commune_insee="62498"),
        )
    )[0]
    page = text(member_client.get(url(club, f"/{item.id}")))
    assert "à la collecte « Collecte de printemps »" in page
    assert "Publié en annonce" in page and f"Annonce n° {listing.id}" in page
    assert member_client.get(url(club, "/999999")).status_code == 404
    other = stock_item(make_organisation())
    assert member_client.get(url(club, f"/{other.id}")).status_code == 404


def publish_form(*items, **fields) -> dict:
    data = {"item": [str(item.id) for item in items], "kind": "gift", "commune": "62498"}
    data.update(fields)
    return data


def test_bulk_publication_asks_a_photo_only_for_items_without_one(club, member_client):
    with_photo = receive_items(club, title="Crampons pointure 36", photo_key=stored_photo())[0]
    bare = stock_item(club, title="Ballon taille 4")
    page = text(
        member_client.get(url(club, "/publier"), query_string={"item": [with_photo.id, bare.id]})
    )
    assert "<legend>Crampons pointure 36" in page and "Sa photo sera reprise" in page
    assert f'<label for="photo-{bare.id}">Photo <span class="required">' in page
    assert f'<label for="photo-{with_photo.id}">Autre photo (facultative)' in page
    assert re.search(r'<option[^>]*selected[^>]*value="62498"|value="62498"[^>]*selected', page)

    refused = member_client.post(url(club, "/publier"), data=publish_form(with_photo, bare))
    assert refused.status_code == 422
    assert "« Ballon taille 4 » : ajoutez une photo de l’objet." in text(refused)
    assert listings_count() == 0

    done = member_client.post(
        url(club, "/publier"),
        data=publish_form(with_photo, bare, **{f"photo-{bare.id}": upload()}),
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    assert "2 annonces envoyées en relecture" in text(member_client.get(done.headers["Location"]))
    assert (fresh(with_photo).status, fresh(bare).status) == ("listed", "listed")


def test_an_uploaded_photo_is_kept_when_the_form_comes_back(club, member_client):
    first, second = stock_item(club, title="Ballon A"), stock_item(club, title="Ballon B")
    refused = member_client.post(
        url(club, "/publier"),
        data=publish_form(first, second, **{f"photo-{first.id}": upload()}),
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    page = text(refused)
    assert "« Ballon B » : ajoutez une photo" in page and "Photo ajoutée" in page
    token = page.split(f'name="kept-{first.id}" value="', 1)[1].split('"', 1)[0]
    done = member_client.post(
        url(club, "/publier"),
        data=publish_form(
            first, second, **{f"kept-{first.id}": token, f"photo-{second.id}": upload()}
        ),
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    assert listings_count() == 2


def test_a_refused_upload_names_the_item(club, member_client):
    item = stock_item(club, title="Ballon C")
    refused = member_client.post(
        url(club, "/publier"),
        data=publish_form(item, **{f"photo-{item.id}": upload("notes.txt", b"not an image")}),
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "« Ballon C » : « notes.txt » n’est pas une image" in text(refused)
    assert listings_count() == 0


def test_lending_from_the_page_with_terms(club, member_client):
    bike = stock_item(club, title="Vélo 20 pouces", sport="cyclisme", category="velos", size='20"')
    bad = member_client.post(
        url(club, "/publier"),
        data=publish_form(
            bike, kind="loan", min_days="9", max_days="3", **{f"photo-{bike.id}": upload()}
        ),
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "La durée maximale ne peut pas être plus courte" in text(bad)
    done = member_client.post(
        url(club, "/publier"),
        data=publish_form(
            bike,
            kind="loan",
            min_days="2",
            max_days="10",
            deposit="50",
            **{f"photo-{bike.id}": upload(content=jpeg_bytes(colour=(1, 2, 3)))},
        ),
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    listing = db.session.scalar(select(Listing))
    assert listing.kind == "loan"
    assert terms_of(listing).deposit_cents == 5000


def test_nothing_chosen_sends_back_to_the_list(club, member_client):
    response = member_client.get(url(club, "/publier"), query_string={"item": ["abc", "-1"]})
    assert response.status_code == 303
    assert "Cochez au moins un objet" in text(member_client.get(response.headers["Location"]))


def test_the_organisation_page_shows_the_figures_and_members_get_a_link(app, club, volunteer):
    receive_items(club, quantity=2)
    with app.test_request_context():
        public = str(render_slot("organisation.sections", organisation=club, viewer=None))
        for_member = str(render_slot("organisation.sections", organisation=club, viewer=volunteer))
    assert "2 objets collectés" in public and "2 objets en stock" in public
    assert f'href="/organisations/{club.slug}/inventaire"' not in public
    assert f'href="/organisations/{club.slug}/inventaire"' in for_member


def test_a_tokenless_post_is_refused(app, club, member_client):
    item = stock_item(club)
    app.config["WTF_CSRF_ENABLED"] = True
    confirmed = {"confirmed": "yes"}
    assert member_client.post(url(club, f"/{item.id}/ecarter"), data=confirmed).status_code == 400
    assert fresh(item).status == "in_stock"


HOSTILE = ["x" * 20_000, "\x00", "-1", "99999999999999999999999", "NaN", "1e400", "<b>é</b>", ""]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_on_every_form_never_break_a_page(club, member_client, value):
    item = stock_item(club)
    fields = ["title", "sport", "category", "size", "age_group", "condition", "note"]
    item_form = {name: value for name in fields}
    publish = {
        "item": [str(item.id), value],
        "kind": value,
        "commune": value,
        "venue": value,
        "description": value,
        "min_days": value,
        "max_days": value,
        "deposit": value,
        f"kept-{item.id}": value,
        f"safety_age-{item.id}": value,
        f"age_group-{item.id}": value,
    }
    handout = {"recipient": value, "age_band": value, "commune": value, "pass_sport": value}
    for path, data in (
        ("/ajouter", item_form),
        (f"/{item.id}/modifier", item_form),
        ("/publier", publish),
        (f"/{item.id}/remise", handout),
    ):
        response = member_client.post(url(club, path), data=data)
        assert response.status_code in {303, 400, 409, 422}, (path, response.status_code)
    assert fresh(item).status == "in_stock"
    assert listings_count() == 0


def test_the_list_is_paged(club, member_client, monkeypatch):
    monkeypatch.setattr("sportressources.drives.inventory_queries.PAGE_SIZE", 2)
    first, second, third = (stock_item(club, title=f"Ballon n°{n}") for n in (1, 2, 3))
    page = text(member_client.get(url(club)))
    assert "Ballon n°3" in page and "Ballon n°1" not in page and "Page suivante" in page
    second_page = text(member_client.get(url(club), query_string={"page": "2"}))
    assert "Ballon n°1" in second_page and "Page précédente" in second_page
    assert member_client.get(url(club), query_string={"page": "-5"}).status_code == 200
