"""Listings published in an organisation's name: the « Publier au nom de » choice, kept on edit;
managed by any current member and nobody else; the organisation shown instead of a person on the
listing page and the result cards, without extra statements per listing."""

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Forbidden
from sportressources.listings import personal_data, queries, services
from sportressources.listings.models import Listing
from sportressources.listings.revisions import pending_revision
from sportressources.organisations.queries import membership_of
from tests.factories import add_member, committed, make_listing, make_organisation, make_user
from tests.fixtures.web import sign_in, text
from tests.listings.helpers import form_data, listing_data, upload


@pytest.fixture
def manager(app):
    return make_user(email="manager@example.org", display_name="Margaux Responsable")


@pytest.fixture
def club(manager):
    return make_organisation(manager=manager, name="US Liévin Football")


@pytest.fixture
def volunteer(club):
    return add_member(club, make_user(email="benevole@example.org", display_name="Victor B."))


@pytest.fixture
def outsider(app):
    return make_user(email="outsider@example.org")


@pytest.fixture
def shirts(manager, club):
    return make_listing(manager, title="Jeu de maillots enfant", category="vetements", size="",
                        organisation_id=club.id)  # fmt: skip


def leave(organisation, user):
    db.session.delete(membership_of(user.id, organisation.id))
    db.session.commit()


def newest() -> Listing:
    db.session.rollback()
    return db.session.scalars(select(Listing).order_by(Listing.id.desc())).first()


def post_new(client, **fields):
    return client.post(
        "/annonces/nouvelle",
        data={**form_data(**fields), "photos": [upload("a.jpg")]},
        content_type="multipart/form-data",
    )


# --- the form ------------------------------------------------------------------------------------


def test_the_form_offers_the_organisations_the_member_acts_for(client, volunteer, club):
    closed = make_organisation(name="Club fermé", status="closed")
    add_member(closed, volunteer)
    sign_in(client, volunteer)
    page = text(client.get("/annonces/nouvelle"))
    assert "Publier au nom de" in page and "Moi-même" in page
    assert "US Liévin Football" in page and "Club fermé" not in page
    # Nothing to choose for a member of no organisation: no field
    client.post("/compte/deconnexion")
    sign_in(client, make_user())
    assert "Publier au nom de" not in text(client.get("/annonces/nouvelle"))


def test_a_volunteer_publishes_in_the_organisations_name_or_their_own(client, volunteer, club):
    sign_in(client, volunteer)
    assert post_new(client, publish_as=str(club.id)).status_code == 302
    assert (newest().organisation_id, newest().owner_id) == (club.id, volunteer.id)
    assert post_new(client, publish_as="", title="Mes crampons").status_code == 302
    assert newest().organisation_id is None


def test_a_forged_organisation_gets_a_french_error_and_keeps_the_form(client, volunteer):
    other = make_organisation(name="Club voisin")
    sign_in(client, volunteer)
    before = db.session.scalar(select(db.func.count()).select_from(Listing))

    response = post_new(client, publish_as=str(other.id), title="Ballons à donner")

    assert response.status_code == 422
    page = text(response)
    assert "vous n’en êtes pas membre" in page
    assert 'value="Ballons à donner"' in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Listing)) == before
    assert "n’en êtes pas membre" in text(post_new(client, publish_as="abc"))


def test_the_service_refuses_an_organisation_the_member_does_not_act_for(outsider, club):
    with pytest.raises(Forbidden):
        services.create_listing(outsider, listing_data(organisation_id=club.id))


def test_the_organisation_stays_on_edit_and_the_choice_is_not_offered(client, volunteer, shirts):
    sign_in(client, volunteer)
    page = text(client.get(f"/annonces/{shirts.id}/modifier"))
    assert "Annonce publiée au nom de US Liévin Football" in page
    assert 'name="publish_as"' not in page
    response = client.post(
        f"/annonces/{shirts.id}/modifier",
        data={**form_data(title="Maillots enfant (jeu de 14)", publish_as=""),
              "existing_photos": []},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code in (200, 302, 422)
    db.session.rollback()
    assert db.session.get(Listing, shirts.id).organisation_id == shirts.organisation_id
    committed(services.update_listing(volunteer, shirts, listing_data(title="Maillots du club")))
    # The new title waits for review; the organisation stays either way
    assert pending_revision(shirts).data["title"] == "Maillots du club"
    assert shirts.organisation_id == db.session.get(Listing, shirts.id).organisation_id


# --- who manages it ------------------------------------------------------------------------------


def test_a_volunteer_edits_withdraws_and_marks_the_listing_but_a_non_member_cannot(
    volunteer, outsider, shirts
):
    with pytest.raises(Forbidden):
        services.update_listing(outsider, shirts, listing_data())
    with pytest.raises(Forbidden):
        services.set_availability(outsider, shirts, "reserved")
    with pytest.raises(Forbidden):
        services.withdraw_listing(outsider, shirts)
    committed(services.set_availability(volunteer, shirts, "reserved"))
    assert shirts.status == "reserved"
    committed(services.withdraw_listing(volunteer, shirts))
    assert shirts.status == "withdrawn"


def test_a_former_member_and_the_creator_who_left_lose_the_listing_at_once(
    client, club, manager, volunteer, shirts
):
    sign_in(client, volunteer)
    assert client.get(f"/annonces/{shirts.id}/modifier").status_code == 200
    leave(club, volunteer)
    assert client.get(f"/annonces/{shirts.id}/modifier").status_code == 403
    assert shirts not in [item for group in queries.listings_of(volunteer).values()
                          for item in group]  # fmt: skip

    leave(club, manager)
    with pytest.raises(Forbidden):
        services.withdraw_listing(manager, shirts)
    assert queries.listings_of(manager) == {}


def test_the_members_listings_include_the_organisations(volunteer, shirts):
    own = make_listing(volunteer, title="Mes crampons")
    listed = [item.id for group in queries.listings_of(volunteer).values() for item in group]
    assert listed == [own.id, shirts.id]


def test_deleting_the_creators_account_leaves_the_organisations_listing(manager, shirts):
    own = make_listing(manager, title="Mes crampons")
    committed(personal_data.withdraw_listings_of_deleted_account(manager))
    assert (own.status, shirts.status) == ("withdrawn", "published")


# --- what visitors see ---------------------------------------------------------------------------


def test_the_listing_page_shows_the_organisation_not_the_person(client, manager, shirts):
    page = text(client.get(f"/annonces/{shirts.id}"))
    assert "US Liévin Football" in page and "Organisation vérifiée" in page
    assert "Margaux Responsable" not in page
    html = client.get(f"/annonces/{shirts.id}").get_data(as_text=True)
    assert f'href="/organisations/{shirts.organisation.slug}"' in html


def test_an_unverified_organisation_shows_no_badge(client, manager):
    pending = make_organisation(manager=manager, name="Club en attente", status="pending")
    listing = make_listing(manager, title="Ballon", category="ballons", size="5",
                           organisation_id=pending.id)  # fmt: skip
    page = text(client.get(f"/annonces/{listing.id}"))
    assert "Club en attente" in page and "Organisation vérifiée" not in page


def test_members_of_the_organisation_get_the_owners_buttons_not_the_contact_ones(
    client, volunteer, shirts
):
    sign_in(client, volunteer)
    page = text(client.get(f"/annonces/{shirts.id}"))
    assert "Retirer l’annonce" in page and "Ajouter aux favoris" not in page


@pytest.mark.parametrize("path", ["/annonces", "/mon-espace"])
def test_organisation_listings_add_no_statement_per_listing(
    client, club, manager, count_queries, path
):
    sign_in(client, manager)
    other = make_organisation(name="Mairie de Lens", kind="public_body", manager=manager)

    def page_statements() -> int:
        client.get(path)  # the search filters' options are cached on a first view
        db.session.expire_all()
        with count_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200
        return len(statements)

    for number in range(2):
        make_listing(manager, title=f"Ballon {number}", category="ballons", size="5",
                     organisation_id=club.id)  # fmt: skip
    few = page_statements()
    for number in range(6):
        make_listing(manager, title=f"Ballon {number}", category="ballons", size="5",
                     organisation_id=(club if number % 2 else other).id)  # fmt: skip
        make_listing(manager, title=f"Perso {number}", category="ballons", size="5")
    many = page_statements()
    assert many == few
    assert "Proposé par" in text(client.get(path))
