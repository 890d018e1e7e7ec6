"""The drive pages: the list and its filters, a drive's page and pledge form, the organisation's
dashboard, « Mes promesses de dons », the venue and organisation sections."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.drives import pledges, services
from sportressources.drives.models import Drive, Pledge
from sportressources.organisations.models import Organisation
from tests.drives.conftest import committed, pledge_of, quick
from tests.factories import make_organisation
from tests.fixtures.web import sign_in, text


def pledge_form(drive, **extra):
    return {
        "slot": str(drive.slots[0].id),
        "quick-0-wish_line": str(drive.wish_lines[0].id),
        "quick-0-title": "Crampons Kipsta 36",
        "quick-0-quantity": "2",
        "quick-0-condition": "good",
        "quick-1-wish_line": str(drive.wish_lines[1].id),
        "quick-1-title": "Ballon taille 4",
        "quick-1-quantity": "1",
        "quick-1-condition": "very_good",
    } | extra


def test_the_list_shows_current_then_past_drives_with_results(
    client, drive, club, manager, resident
):
    pledge = pledge_of(resident, drive, quick(drive.wish_lines[0], 2))
    committed(pledges.decide_item(manager, pledge.items[0], received=True))
    old = committed(
        services.create_drive(
            manager, club, services.DriveData("Collecte d’hiver", paris_today(), paris_today())
        )
    )
    old.starts_on = old.ends_on = paris_today() - timedelta(days=30)
    db.session.commit()
    page = text(client.get("/collectes"))
    assert (
        page.index("Collecte de crampons")
        < page.index("Collectes passées")
        < page.index("Collecte d’hiver")
    )
    assert "Objets promis : 2 sur 8." in page
    assert "Résultat — objets reçus : 0 sur 0." in page


def test_filters_by_zone_commune_and_venue(client, drive, venue):
    zone_slug = venue.commune.zone.slug
    assert "Collecte de crampons" in text(client.get(f"/collectes?zone={zone_slug}"))
    assert "Collecte de crampons" in text(client.get(f"/collectes?commune={venue.commune_insee}"))
    assert "Collecte de crampons" in text(client.get(f"/collectes?venue={venue.id}"))
    other = "62001" if venue.commune_insee != "62001" else "62498"
    assert "Collecte de crampons" not in text(client.get(f"/collectes?commune={other}"))
    assert client.get("/collectes?zone=nulle-part&venue=abc&commune=<script>").status_code == 200


def test_the_list_runs_a_fixed_number_of_queries(client, drive, club, manager, count_queries):
    client.get("/collectes")
    with count_queries() as few:
        client.get("/collectes")
    for n in range(4):
        committed(
            services.create_drive(
                manager,
                club,
                services.DriveData(f"Collecte numéro {n}", paris_today(), paris_today()),
            )
        )
    with count_queries() as many:
        client.get("/collectes")
    assert len(many) == len(few)


def test_the_drive_page_shows_progress_slots_and_the_form(client, drive, resident):
    pledge_of(resident, drive, quick(drive.wish_lines[0], 2))
    page = text(client.get(f"/collectes/{drive.id}"))
    assert "US Lens Football" in page and "Organisation vérifiée" in page
    assert "2 sur 3" in page and "2 sur 8" in page
    assert "1 place libre" in page
    assert "Connectez-vous pour promettre des dons" in page


def test_a_resident_pledges_through_the_page(client, drive, resident, outbox):
    sign_in(client, resident)
    response = client.post(f"/collectes/{drive.id}", data=pledge_form(drive))
    assert response.status_code == 302 and response.location.endswith("/collectes/mes-promesses")
    page = text(client.get("/collectes/mes-promesses"))
    assert "Merci ! Votre promesse est enregistrée" in page
    assert "Crampons Kipsta 36 × 2" in page and "Ballon taille 4 × 1" in page
    assert "Vous avez une promesse en cours" in text(client.get(f"/collectes/{drive.id}"))


def test_a_refused_pledge_keeps_what_was_typed(client, drive, resident):
    sign_in(client, resident)
    response = client.post(
        f"/collectes/{drive.id}",
        data=pledge_form(drive, **{"quick-0-quantity": "3", "quick-1-quantity": "9"}),
    )
    page = text(response)
    assert response.status_code == 409
    assert (
        "Il ne manque plus que 5 « Ballons (Football), Taille de ballon 4 » pour cette ligne"
        in page
    )
    assert 'value="Crampons Kipsta 36"' in page


@pytest.mark.parametrize(
    "extra",
    [
        {"slot": "999999"},
        {"quick-0-title": "<script>alert(1)</script>" * 20},
        {"quick-0-quantity": "1e9"},
        {"quick-0-condition": "cassé"},
        {"quick-0-wish_line": "abc"},
    ],
)
def test_hostile_pledges_get_a_french_message(client, drive, resident, extra):
    sign_in(client, resident)
    response = client.post(f"/collectes/{drive.id}", data=pledge_form(drive, **extra))
    assert response.status_code in {404, 422}
    assert "<script>alert(1)</script>" not in text(response)
    db.session.rollback()
    assert db.session.scalar(select(Pledge.id)) is None


def test_a_line_of_another_drive_is_refused(client, drive, club, manager, resident):
    other = committed(
        services.create_drive(
            manager, club, services.DriveData("Autre collecte", paris_today(), paris_today())
        )
    )
    line = committed(
        services.add_wish_line(manager, other, services.WishLineData("tennis", "raquettes", 2))
    )
    sign_in(client, resident)
    response = client.post(
        f"/collectes/{drive.id}", data=pledge_form(drive, **{"quick-0-wish_line": str(line.id)})
    )
    assert response.status_code == 422
    assert "Choisissez une valeur dans la liste." in text(response)


def test_a_visitor_posting_a_pledge_is_sent_to_sign_in(client, drive):
    response = client.post(f"/collectes/{drive.id}", data=pledge_form(drive))
    assert response.status_code == 302 and "/compte/connexion" in response.location


def test_cancelling_from_my_pledges(client, drive, resident, other_resident):
    pledge = pledge_of(resident, drive)
    sign_in(client, other_resident)
    assert client.post(f"/collectes/promesses/{pledge.id}/annuler").status_code == 403
    client.post("/compte/deconnexion")
    sign_in(client, resident)
    response = client.post(f"/collectes/promesses/{pledge.id}/annuler", data={"confirmed": "yes"})
    assert response.status_code == 303
    assert "Votre promesse est annulée" in text(client.get("/collectes/mes-promesses"))


def test_a_manager_creates_a_drive_and_sets_it_up(client, club, manager, venue):
    sign_in(client, manager)
    today = paris_today()
    response = client.post(
        "/collectes/nouvelle",
        data={
            "organisation": str(club.id),
            "title": "Collecte de rentrée",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=9)).isoformat(),
        },
    )
    assert response.status_code == 302
    drive = db.session.scalar(select(Drive).where(Drive.title == "Collecte de rentrée"))
    day = (today + timedelta(days=3)).isoformat()
    slot = client.post(
        f"/collectes/{drive.id}/creneaux",
        data={
            "venue": str(venue.id),
            "day": day,
            "starts": "14:00",
            "ends": "17:00",
            "capacity": "5",
        },
    )
    line = client.post(
        f"/collectes/{drive.id}/besoins",
        data={"sport": "football", "category": "ballons", "size": "4", "quantity_wanted": "8"},
    )
    assert (slot.status_code, line.status_code) == (303, 303)
    page = text(client.get(f"/collectes/{drive.id}/gestion"))
    assert "0 sur 5" in page and "Ballons (Football), Taille de ballon 4" in page


def test_bad_slot_and_line_forms_show_field_errors(client, drive, manager):
    sign_in(client, manager)
    response = client.post(
        f"/collectes/{drive.id}/creneaux",
        data={"venue": "1", "day": "", "starts": "", "ends": "", "capacity": "0"},
    )
    assert response.status_code == 422
    assert "Indiquez le jour et les heures du créneau." in text(response)
    response = client.post(
        f"/collectes/{drive.id}/besoins",
        data={
            "sport": "football",
            "category": "ballons",
            "quantity_wanted": "0",
            "note": "x" * 300,
        },
    )
    assert response.status_code == 422 and "Ce texte ne peut pas dépasser 200 caractères." in text(
        response
    )


def test_an_unverified_organisation_is_told_why(client, app):
    pending = make_organisation(status="pending", name="Club en attente")
    member = pending.memberships[0].user
    sign_in(client, member)
    page = text(client.get("/collectes/nouvelle"))
    assert "En attente de vérification : Club en attente." in page
    response = client.post(
        "/collectes/nouvelle",
        data={
            "organisation": str(pending.id),
            "title": "Collecte",
            "starts_on": paris_today().isoformat(),
            "ends_on": paris_today().isoformat(),
        },
    )
    assert response.status_code == 403
    assert "doit d’abord être vérifiée" in text(response)


def test_a_resident_without_organisation_cannot_open_the_form(client, resident):
    sign_in(client, resident)
    response = client.get("/collectes/nouvelle")
    assert response.status_code == 403 and "organisation vérifiée" in text(response)


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/collectes/{d}/gestion"),
        ("get", "/collectes/{d}/modifier"),
        ("get", "/collectes/{d}/liste-de-depot"),
        ("post", "/collectes/{d}/creneaux"),
        ("post", "/collectes/{d}/besoins"),
        ("post", "/collectes/{d}/cloturer"),
        ("post", "/collectes/{d}/annuler"),
        ("post", "/collectes/{d}/objets/{i}/recu"),
        ("post", "/collectes/{d}/promesses/{p}/absent"),
        ("post", "/collectes/{d}/creneaux/{s}/supprimer"),
        ("post", "/collectes/{d}/besoins/{l}/supprimer"),
        ("get", "/collectes/{d}/creneaux/{s}/modifier"),
        ("post", "/collectes/{d}/besoins/{l}/modifier"),
        ("post", "/collectes/{d}/rouvrir"),
    ],
)
def test_only_the_organisation_manages_its_drive(
    client, drive, resident, other_resident, method, path
):
    pledge = pledge_of(other_resident, drive)
    url = path.format(
        d=drive.id, i=pledge.items[0].id, p=pledge.id, s=drive.slots[0].id, l=drive.wish_lines[1].id
    )
    assert getattr(client, method)(url).status_code == 302  # a visitor signs in first
    sign_in(client, resident)
    assert getattr(client, method)(url).status_code == 403
    db.session.rollback()
    assert db.session.get(Drive, drive.id).status == "open"


def test_the_club_confirms_receipt_item_by_item_and_marks_no_shows(
    client, drive, manager, resident, other_resident
):
    first = pledge_of(
        resident, drive, quick(drive.wish_lines[0], 2), quick(drive.wish_lines[1], 1, "Ballon")
    )
    second = pledge_of(other_resident, drive, quick(drive.wish_lines[1], 2, "Ballons"))
    sign_in(client, manager)
    page = text(client.get(f"/collectes/{drive.id}/gestion"))
    assert "Reçu : Crampons Kipsta 36" in page and "Marquer Yanis Voisin absent" in page
    assert client.post(f"/collectes/{drive.id}/objets/{first.items[0].id}/recu").status_code == 303
    assert (
        client.post(f"/collectes/{drive.id}/objets/{first.items[1].id}/non-recu").status_code == 303
    )
    assert client.post(f"/collectes/{drive.id}/promesses/{second.id}/absent").status_code == 303
    db.session.rollback()
    assert [db.session.get(Pledge, p.id).status for p in (first, second)] == [
        "dropped_off",
        "no_show",
    ]
    drive_page = text(client.get(f"/collectes/{drive.id}"))
    assert "Déjà reçus : 2" in drive_page
    listing = text(client.get(f"/collectes/{drive.id}/liste-de-depot"))
    assert "Liste des dépôts" in listing


def test_an_item_of_another_drive_is_not_found(client, drive, club, manager, resident):
    pledge = pledge_of(resident, drive)
    other = committed(
        services.create_drive(
            manager, club, services.DriveData("Autre collecte", paris_today(), paris_today())
        )
    )
    sign_in(client, manager)
    assert client.post(f"/collectes/{other.id}/objets/{pledge.items[0].id}/recu").status_code == 404
    assert client.post(f"/collectes/{other.id}/promesses/{pledge.id}/absent").status_code == 404
    assert (
        client.post(f"/collectes/{other.id}/creneaux/{drive.slots[0].id}/supprimer").status_code
        == 404
    )


def test_the_venue_page_lists_its_drives(client, drive, venue):
    page = text(client.get(f"/lieux/{venue.slug}"))
    assert "Collectes avec dépôt ici" in page and "Collecte de crampons" in page


def test_the_organisation_section_shows_drives_and_items_collected(app, drive, manager, resident):
    from sportressources.core.hooks import render_slot

    pledge = pledge_of(resident, drive, quick(drive.wish_lines[0], 2))
    committed(pledges.decide_item(manager, pledge.items[0], received=True))
    club = db.session.get(Organisation, drive.organisation_id)
    with app.test_request_context("/"):
        html = str(render_slot("organisation.sections", organisation=club, viewer=None))
    assert "2 objets collectés" in html and "Collecte de crampons" in html


def test_a_pledge_without_csrf_token_is_refused(app, client, drive, resident):
    sign_in(client, resident)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/collectes/{drive.id}", data=pledge_form(drive))
    assert response.status_code == 400 and "Formulaire expiré" in text(response)
    db.session.rollback()
    assert db.session.scalar(select(Pledge.id)) is None


def test_a_quick_pledge_carries_a_photo_through_the_listing_pipeline(app, client, drive, resident):
    from io import BytesIO

    from sportressources.core.storage import get_storage
    from sportressources.drives.models import PledgeItem
    from sportressources.listings.photos import photo_name
    from tests.listings.helpers import jpeg_bytes

    sign_in(client, resident)
    data = pledge_form(drive) | {"quick-0-photo": (BytesIO(jpeg_bytes()), "crampons.jpg")}
    response = client.post(f"/collectes/{drive.id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    key = db.session.scalar(
        select(PledgeItem.photo_key).where(PledgeItem.title == "Crampons Kipsta 36")
    )
    assert key is not None and get_storage().exists(photo_name(key, "small"))


def test_a_file_that_is_no_photo_is_refused_and_nothing_is_pledged(client, drive, resident):
    from io import BytesIO

    sign_in(client, resident)
    data = pledge_form(drive) | {"quick-0-photo": (BytesIO(b"not an image at all"), "virus.exe")}
    response = client.post(f"/collectes/{drive.id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "virus.exe" in text(response)
    db.session.rollback()
    assert db.session.scalar(select(Pledge.id)) is None


def test_html_in_a_drive_title_is_shown_as_text(client, club, manager):
    drive = committed(
        services.create_drive(
            manager,
            club,
            services.DriveData(
                "<script>alert('x')</script> Collecte", paris_today(), paris_today()
            ),
        )
    )
    page = text(client.get(f"/collectes/{drive.id}"))
    assert "<script>alert(" not in page and "&lt;script&gt;" in page


def test_an_oversized_drive_form_keeps_the_text(client, club, manager):
    sign_in(client, manager)
    response = client.post(
        "/collectes/nouvelle",
        data={
            "organisation": str(club.id),
            "title": "T" * 500,
            "description": "D" * 5000,
            "starts_on": "31/02/2027",
            "ends_on": "",
        },
    )
    page = text(response)
    assert response.status_code == 422
    assert "Ce texte ne peut pas dépasser 120 caractères." in page
    assert "D" * 5000 in page


def test_the_dashboard_shows_a_pledged_photo(client, drive, manager, resident):
    from io import BytesIO

    from tests.listings.helpers import jpeg_bytes

    sign_in(client, resident)
    data = pledge_form(drive) | {"quick-0-photo": (BytesIO(jpeg_bytes()), "crampons.jpg")}
    client.post(f"/collectes/{drive.id}", data=data, content_type="multipart/form-data")
    client.post("/compte/deconnexion")
    sign_in(client, manager)
    page = text(client.get(f"/collectes/{drive.id}/gestion"))
    assert 'alt="Photo de « Crampons Kipsta 36 »"' in page and "-s.jpg" in page


def test_a_refused_pledge_keeps_its_photo_for_the_next_try(client, drive, resident):
    import re
    from io import BytesIO

    from sportressources.drives.models import PledgeItem
    from tests.listings.helpers import jpeg_bytes

    sign_in(client, resident)
    too_many = pledge_form(drive, **{"quick-0-quantity": "9"})
    data = too_many | {"quick-0-photo": (BytesIO(jpeg_bytes()), "crampons.jpg")}
    refused = client.post(f"/collectes/{drive.id}", data=data, content_type="multipart/form-data")
    assert refused.status_code == 409
    page = text(refused)
    assert "Une photo est déjà jointe" in page
    token = re.search(r'name="quick-0-photo_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="quick-0-photo_token"', page
    )
    retry = pledge_form(drive) | {"quick-0-photo_token": token.group(1)}
    assert client.post(f"/collectes/{drive.id}", data=retry).status_code == 302
    key = db.session.scalar(select(PledgeItem.photo_key).where(PledgeItem.quantity == 2))
    assert key is not None


def test_a_forged_photo_token_is_refused(client, drive, resident):
    sign_in(client, resident)
    response = client.post(
        f"/collectes/{drive.id}", data=pledge_form(drive, **{"quick-0-photo_token": "forged"})
    )
    assert response.status_code == 422
    assert "ajoutez-la de nouveau" in text(response)


def test_only_members_of_an_organisation_are_offered_to_open_a_drive(
    client, resident, manager, club
):
    sign_in(client, resident)
    assert "Organiser une collecte" not in text(client.get("/collectes"))
    client.post("/compte/deconnexion")
    sign_in(client, manager)
    assert "Organiser une collecte" in text(client.get("/collectes"))


def test_a_resident_pledges_one_of_their_gift_listings_through_the_page(client, drive, resident):
    from tests.factories import make_listing

    listing = make_listing(owner=resident, title="Crampons Puma pointure 36")
    sign_in(client, resident)
    page = text(client.get(f"/collectes/{drive.id}"))
    assert "Ou l’une de mes annonces de don" in page and "Crampons Puma pointure 36" in page
    form = {
        "slot": str(drive.slots[0].id),
        "listings-0-listing": str(listing.id),
        "listings-0-wish_line": str(drive.wish_lines[0].id),
    }
    assert client.post(f"/collectes/{drive.id}", data=form).status_code == 302
    db.session.refresh(listing)
    assert listing.status == "reserved"
    assert "Crampons Puma pointure 36 × 1" in text(client.get("/collectes/mes-promesses"))
