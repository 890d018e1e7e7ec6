"""The confirmation step before a destructive action (core.web.confirmation), shown on the
withdrawal of a listing, and the « Annuler » of a removed favourite (core.web.flash_undo)."""

import re

from sportressources.core.db import db
from sportressources.listings.models import Favourite, Listing
from tests.factories import make_listing
from tests.fixtures.web import text

CONFIRMED = {"confirmed": "yes"}


def csrf_token_in(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page)[1]


def status_of(listing_id: int) -> str:
    db.session.rollback()
    return db.session.get(Listing, listing_id).status


def test_the_first_post_only_asks_and_says_what_will_happen(resident_client, resident):
    listing = make_listing(owner=resident, title="Raquette de badminton")
    response = resident_client.post(f"/annonces/{listing.id}/retirer")
    assert response.status_code == 200
    page = text(response)
    assert "Retirer l’annonce « Raquette de badminton » ?" in page
    assert "Elle ne sera plus visible sur le site" in page
    assert "Oui, retirer" in page
    assert f'href="/annonces/{listing.id}"' in page  # « Non, revenir »
    assert "Non, revenir" in page
    assert f'action="/annonces/{listing.id}/retirer"' in page
    assert 'name="confirmed" value="yes"' in page
    assert status_of(listing.id) == "published"


def test_the_confirmed_post_acts(resident_client, resident):
    listing = make_listing(owner=resident)
    response = resident_client.post(f"/annonces/{listing.id}/retirer", data=CONFIRMED)
    assert response.status_code == 302
    assert status_of(listing.id) == "withdrawn"
    assert "L’annonce est retirée du site." in text(resident_client.get(response.location))


def test_the_confirmation_page_carries_the_fields_of_the_first_post_escaped(
    resident_client, resident
):
    listing = make_listing(owner=resident)
    page = text(
        resident_client.post(
            f"/annonces/{listing.id}/retirer?x=1", data={"next": '"><script>alert(1)</script>'}
        )
    )
    assert 'name="next" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "<script>alert(1)" not in page
    assert f'action="/annonces/{listing.id}/retirer?x=1"' in page


def test_a_confirmation_value_other_than_yes_only_asks_again(resident_client, resident):
    listing = make_listing(owner=resident)
    response = resident_client.post(f"/annonces/{listing.id}/retirer", data={"confirmed": "1"})
    assert response.status_code == 200
    assert status_of(listing.id) == "published"


def test_a_stranger_confirming_is_refused_and_nothing_changes(client_for, resident, other_resident):
    listing = make_listing(owner=resident)
    response = client_for(other_resident).post(f"/annonces/{listing.id}/retirer", data=CONFIRMED)
    assert response.status_code == 403
    assert status_of(listing.id) == "published"


def test_a_confirmed_post_without_csrf_token_fails(app, resident_client, resident):
    listing = make_listing(owner=resident)
    app.config["WTF_CSRF_ENABLED"] = True
    assert resident_client.post(f"/annonces/{listing.id}/retirer").status_code == 400
    response = resident_client.post(f"/annonces/{listing.id}/retirer", data=CONFIRMED)
    assert response.status_code == 400
    assert status_of(listing.id) == "published"


def test_with_csrf_on_the_confirmation_page_gives_the_token_that_acts(
    app, resident_client, resident
):
    listing = make_listing(owner=resident)
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token_in(text(resident_client.get(f"/annonces/{listing.id}")))
    page = text(resident_client.post(f"/annonces/{listing.id}/retirer", data={"csrf_token": token}))
    assert status_of(listing.id) == "published"
    fresh = csrf_token_in(page)
    response = resident_client.post(
        f"/annonces/{listing.id}/retirer", data={"csrf_token": fresh, **CONFIRMED}
    )
    assert response.status_code == 302
    assert status_of(listing.id) == "withdrawn"


def has_favourite(user, listing) -> bool:
    db.session.rollback()
    return db.session.get(Favourite, (user.id, listing.id)) is not None


def test_removing_a_favourite_offers_to_undo_and_undo_restores(resident_client, resident):
    listing = make_listing()
    resident_client.post(f"/annonces/{listing.id}/favori")
    response = resident_client.post(f"/annonces/{listing.id}/favori")
    assert not has_favourite(resident, listing)
    page = text(resident_client.get(response.location))
    assert "Annonce retirée de vos favoris." in page
    assert "Annuler : la remettre dans mes favoris" in page
    assert f'action="/annonces/{listing.id}/favori"' in page
    assert 'name="want" value="on"' in page
    resident_client.post(f"/annonces/{listing.id}/favori", data={"want": "on"})
    assert has_favourite(resident, listing)
    # The undo sent twice changes nothing more
    resident_client.post(f"/annonces/{listing.id}/favori", data={"want": "on"})
    assert has_favourite(resident, listing)
    # The undo button is shown once, with its message
    assert "Annuler : la remettre" not in text(resident_client.get(f"/annonces/{listing.id}"))


def test_undo_of_a_favourite_takes_only_on_or_off_and_needs_a_member(
    app, client, resident_client, resident
):
    listing = make_listing()
    resident_client.post(f"/annonces/{listing.id}/favori", data={"want": "off"})
    assert not has_favourite(resident, listing)  # nothing to remove: nothing added either
    resident_client.post(f"/annonces/{listing.id}/favori", data={"want": "<script>"})
    assert has_favourite(resident, listing)  # an unknown value is the ordinary toggle
    resident_client.post(f"/annonces/{listing.id}/favori", data={"want": "on"})
    assert has_favourite(resident, listing)
    resident_client.post("/compte/deconnexion")
    response = client.post(f"/annonces/{listing.id}/favori", data={"want": "off"})
    assert response.status_code == 302 and "/compte/connexion" in response.location
    assert has_favourite(resident, listing)


def test_an_undo_without_csrf_token_fails(app, resident_client, resident):
    listing = make_listing()
    app.config["WTF_CSRF_ENABLED"] = True
    response = resident_client.post(f"/annonces/{listing.id}/favori", data={"want": "on"})
    assert response.status_code == 400
    assert not has_favourite(resident, listing)
