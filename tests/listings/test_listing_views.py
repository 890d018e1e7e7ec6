"""Listing pages as members use them: publish with photos, errors that lose nothing, who may act."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Conflict
from sportressources.listings import services
from sportressources.listings.models import Listing
from sportressources.moderation.models import ModerationCase
from tests.factories import make_listing
from tests.fixtures.web import sign_in, text
from tests.listings.helpers import form_data, jpeg_bytes, upload


def only_listing() -> Listing | None:
    db.session.rollback()
    return db.session.scalar(select(Listing))


def test_a_member_publishes_with_photos_and_sees_it_awaiting_review(resident_client):
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(), "photos": [upload("a.jpg"), upload("b.png", jpeg_bytes())]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    listing = only_listing()
    assert listing.status == "awaiting_review"
    assert listing.photo_count == 2
    page = text(resident_client.get(response.headers["Location"]))
    assert "Merci ! Votre annonce sera visible" in page
    assert "En attente de relecture" in page
    with resident_client.get(f"/medias/{listing.cover_photo}-m.jpg") as photo:
        assert photo.status_code == 200


def test_a_form_error_keeps_the_text_and_the_photos_already_sent(resident_client):
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(title="Foot"), "photos": [upload("a.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = text(response)
    assert "Le titre doit faire entre 5 et 120 caractères." in page
    assert 'value="Portées une saison."' in page or "Portées une saison." in page
    tokens = re.findall(r'name="kept_photos" value="([^"]+)"', page)
    assert len(tokens) == 1
    assert only_listing() is None

    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(), "kept_photos": tokens},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert only_listing().photo_count == 1


def uploaded_files(app) -> list[str]:
    """Every file under UPLOAD_DIR, staged ones included."""
    return sorted(p.name for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file())


def photo_files(key: str) -> list[str]:
    return sorted([f"{key}.jpg", f"{key}-m.jpg", f"{key}-s.jpg"])


def test_a_crash_after_the_upload_leaves_no_photo_file_and_no_listing(
    app, resident_client, monkeypatch
):
    real = services.create_listing

    def create_then_crash(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("crash after the service")

    monkeypatch.setattr(services, "create_listing", create_then_crash)
    with pytest.raises(RuntimeError):
        resident_client.post(
            "/annonces/nouvelle",
            data={**form_data(), "photos": [upload("a.jpg"), upload("b.jpg")]},
            content_type="multipart/form-data",
        )

    assert only_listing() is None
    assert uploaded_files(app) == []


def test_a_listing_commits_with_exactly_its_photo_files(app, resident_client):
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(), "photos": [upload("a.jpg"), upload("b.jpg")]},
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    keys = [photo.key for photo in only_listing().photos]
    assert uploaded_files(app) == sorted(photo_files(keys[0]) + photo_files(keys[1]))


def test_a_refused_listing_keeps_its_new_photos_as_pending_uploads(
    app, resident_client, monkeypatch
):
    real = services.create_listing

    def create_then_refuse(*args, **kwargs):
        real(*args, **kwargs)
        raise Conflict("Refusé pour l’essai.")

    monkeypatch.setattr(services, "create_listing", create_then_refuse)
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(), "photos": [upload("a.jpg")]},
        content_type="multipart/form-data",
    )

    assert response.status_code == 409 and "Refusé pour l’essai." in text(response)
    assert only_listing() is None
    # The form came back carrying the photo: its files wait for the next submission
    tokens = re.findall(r'name="kept_photos" value="([^"]+)"', text(response))
    assert len(tokens) == 1 and len(uploaded_files(app)) == 3
    monkeypatch.undo()
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(), "kept_photos": tokens},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert uploaded_files(app) == photo_files(only_listing().cover_photo)


def test_a_hostile_file_is_refused_in_french_and_nothing_is_created(resident_client):
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(), "photos": [upload("virus.jpg", b"<?php system($_GET['c']); ?>")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "« virus.jpg » n’est pas une image JPEG, PNG ou WebP." in text(response)
    assert only_listing() is None


def test_someone_elses_kept_photo_token_is_refused(app, resident_client, other_resident):
    other = sign_in(app.test_client(), other_resident)
    page = text(
        other.post(
            "/annonces/nouvelle",
            data={**form_data(title="x"), "photos": [upload("a.jpg")]},
            content_type="multipart/form-data",
        )
    )
    token = re.search(r'name="kept_photos" value="([^"]+)"', page).group(1)
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(), "kept_photos": [token]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert only_listing() is None


def test_the_sale_cap_is_enforced_through_the_form(resident_client):
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(kind="sale", price="40", new_price="60"), "photos": [upload()]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "ne peut pas dépasser 30 €" in text(response)
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(kind="sale", price="29,50", new_price="60"), "photos": [upload()]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert only_listing().price_cents == 2950


def test_listing_pages_need_the_right_person(app, client, resident, other_resident, moderator):
    draft = make_listing(owner=resident, status="draft")
    published = make_listing(owner=resident)
    assert client.get(f"/annonces/{draft.id}").status_code == 404
    assert client.get(f"/annonces/{published.id}").status_code == 200
    assert client.get("/annonces/nouvelle").status_code == 302
    assert client.get(f"/annonces/{published.id}/modifier").status_code == 302

    intruder = sign_in(app.test_client(), other_resident)
    assert intruder.get(f"/annonces/{draft.id}").status_code == 404
    assert intruder.get(f"/annonces/{published.id}/modifier").status_code == 403
    for action, data in (
        ("retirer", {}),
        ("disponibilite", {"status": "reserved"}),
    ):
        assert intruder.post(f"/annonces/{published.id}/{action}", data=data).status_code == 403
    assert only_listing() is not None
    db.session.rollback()
    assert db.session.get(Listing, published.id).status == "published"
    assert intruder.get("/moderation/annonces").status_code == 403
    assert intruder.get("/moderation/file").status_code == 403

    moderation = sign_in(app.test_client(), moderator)
    assert moderation.get(f"/annonces/{draft.id}").status_code == 200
    # The listings' old queue now leads to the moderation queue, filtered on listings
    old_queue = moderation.get("/moderation/annonces")
    assert old_queue.status_code == 301
    assert old_queue.headers["Location"].endswith("/moderation/file?type=listing")
    assert moderation.get("/moderation/file?type=listing").status_code == 200


def test_the_owner_withdraws_and_marks_availability(resident_client, resident):
    listing = make_listing(owner=resident)
    resident_client.post(f"/annonces/{listing.id}/disponibilite", data={"status": "reserved"})
    db.session.rollback()
    assert db.session.get(Listing, listing.id).status == "reserved"
    response = resident_client.post(
        f"/annonces/{listing.id}/disponibilite", data={"status": "sold"}
    )
    assert "Une annonce de don se marque" in text(resident_client.get(response.headers["Location"]))
    resident_client.post(f"/annonces/{listing.id}/retirer", data={"confirmed": "yes"})
    db.session.rollback()
    assert db.session.get(Listing, listing.id).status == "withdrawn"


def test_the_review_queue_publishes_and_refuses(app, moderator_client, resident):
    waiting = make_listing(owner=resident, status="awaiting_review", title="Vélo enfant 20 pouces")
    [case] = db.session.scalars(select(ModerationCase)).all()
    page = text(moderator_client.get("/moderation/file?type=listing"))
    assert "Vélo enfant 20 pouces" in page
    # A refusal without a reason is refused
    response = moderator_client.post(
        f"/moderation/file/{case.id}/decision", data={"decision": "reject"}
    )
    assert response.status_code == 422
    db.session.rollback()
    assert db.session.get(Listing, waiting.id).status == "awaiting_review"
    moderator_client.post(f"/moderation/file/{case.id}/decision", data={"decision": "approve"})
    db.session.rollback()
    assert db.session.get(Listing, waiting.id).status == "published"


def test_favourites_from_the_listing_page(resident_client):
    listing = make_listing()
    resident_client.post(f"/annonces/{listing.id}/favori")
    page = text(resident_client.get(f"/annonces/{listing.id}"))
    assert "Retirer des favoris" in page
    assert 'aria-pressed="true"' in page


def test_the_listing_page_shows_details_escaped_with_clickable_links(client, resident):
    listing = make_listing(
        owner=resident,
        description="Voir https://exemple.org/fiche et <b>pas de HTML</b>",
        kind="sale",
        price_cents=1250,
        new_price_cents=3000,
    )
    page = text(client.get(f"/annonces/{listing.id}"))
    assert (
        '<a href="https://exemple.org/fiche" rel="nofollow noopener ugc">https://exemple.org/fiche</a>'
        in page
    )
    assert "&lt;b&gt;pas de HTML&lt;/b&gt;" in page
    assert "12,50 €" in page
    assert resident.display_name in page


def test_the_rules_page_lists_hygiene_and_safety_categories(client):
    page = text(client.get("/annonces/regles"))
    for label in ("Protège-dents", "Maillots et bonnets de bain", "Casques", "Matériel d’escalade"):
        assert label in page
    assert "50 % du prix neuf" in page


@pytest.mark.parametrize(
    "path",
    ["/annonces/nouvelle", "/annonces/1/favori", "/annonces/1/retirer"],
)
def test_listing_forms_refuse_a_post_without_csrf_token(app, moderator_client, path):
    make_listing()
    app.config["WTF_CSRF_ENABLED"] = True
    response = moderator_client.post(path, data=form_data())
    assert response.status_code == 400
    assert "Formulaire expiré" in text(response)


def test_invisible_and_reordering_characters_are_removed_not_refused(resident_client):
    # A NUL that PostgreSQL cannot store, a bell, a right-to-left override that would display
    # the title backwards: the listing is saved, without them, on both databases.
    response = resident_client.post(
        "/annonces/nouvelle",
        data={
            **form_data(
                title="Vélo\x00 rouge\u202e",
                description="Bon état\x00\r\nPeu servi\x07",
                brand="B\x00twin",
            ),
            "photos": [upload()],
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    listing = only_listing()
    assert (listing.title, listing.description, listing.brand) == (
        "Vélo rouge",
        "Bon état\nPeu servi",
        "Btwin",
    )
