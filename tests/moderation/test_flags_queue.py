"""Flags reach the queue: a listing submitted or edited through the site opens a case carrying the
flags its rules raised, which the queue lists first (by ``flag_count``); a clean listing's case
carries none."""

from datetime import timedelta

from sportressources.core.db import db, utcnow
from sportressources.listings import services
from sportressources.listings.models import Listing
from sportressources.moderation.queue import open_case_for
from tests.factories import make_listing, make_user
from tests.fixtures.web import sign_in
from tests.listings.helpers import form_data, listing_data, upload


def settled_member():
    """A member whose account is old enough not to be flagged as recent."""
    return make_user(created_at=utcnow() - timedelta(days=90))


def submit_through_the_form(client, **fields) -> Listing:
    response = client.post(
        "/annonces/nouvelle",
        data={**form_data(**fields), "photos": [upload()]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    listing_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    return db.session.get(Listing, listing_id)


def test_a_listing_with_contact_details_opens_a_flagged_case(app, client):
    member = settled_member()
    sign_in(client, member)
    clean = submit_through_the_form(client, description="Portées une saison, bon état.")
    flagged = submit_through_the_form(
        client, description="Pour plus d’infos : 06 12 34 56 78 ou camille@example.org"
    )

    clean_case = open_case_for("listing", clean.id)
    flagged_case = open_case_for("listing", flagged.id)
    assert (clean_case.flags, clean_case.flag_count) == ([], 0)
    assert flagged_case.reason == "new"
    assert flagged_case.flags == [
        {"code": "phone_number", "detail": "« 06 12 34 56 78 »"},
        {"code": "email_address", "detail": "« camille@example.org »"},
    ]
    # What the queue sorts on to list flagged items first, before older unflagged ones
    assert flagged_case.flag_count == 2
    assert flagged_case.opened_at >= clean_case.opened_at


def test_a_new_members_first_listing_is_flagged_as_from_a_recent_account(app, client):
    sign_in(client, make_user())
    listing = submit_through_the_form(client)
    assert [flag["code"] for flag in open_case_for("listing", listing.id).flags] == [
        "young_account"
    ]


def test_an_edit_that_adds_contact_details_is_flagged(app):
    member = settled_member()
    listing = make_listing(owner=member, status="published")
    # The first submission's case was closed by the approval that published it
    assert open_case_for("listing", listing.id) is None
    services.update_listing(
        member,
        listing,
        listing_data(
            title=listing.title,
            description="Écrivez-moi : camille at gmail point com",
            commune_insee=listing.commune_insee,
        ),
    )
    db.session.commit()
    case = open_case_for("listing", listing.id)
    assert case.reason == "edited"
    assert {"code": "email_address", "detail": "« camille at gmail point com »"} in case.flags
