"""Editing a public listing: the change waits for review while the published version stays on the
site (search, its page, borrowers' links); the moderator sees what changed, approval swaps the
versions, refusal keeps the old one and tells the owner why."""

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden
from sportressources.listings import photos, review, revisions, services
from sportressources.listings.models import Listing, ListingPhoto, ListingRevision
from sportressources.listings.search.params import parse_search_args
from sportressources.listings.search.query import search_listings
from sportressources.moderation import decisions, queue
from sportressources.moderation.models import Statement
from sportressources.notifications.models import Notification
from tests.concurrency import in_threads
from tests.factories import committed, make_listing, make_user
from tests.fixtures.web import text
from tests.listings.helpers import form_data, listing_data, stored_photo

OLD, NEW = "Chaussures de football à crampons", "Crampons moulés Adidas, pointure 36"
GROUND = "rule:3.4"


def titles_found(words: str) -> list[str]:
    params, errors = parse_search_args(MultiDict({"q": words}))
    assert not errors
    return [hit.listing.title for hit in search_listings(params, limit=50).hits]


def pending_count(listing) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ListingRevision)
        .where(ListingRevision.listing_id == listing.id, ListingRevision.status == "pending")
    )


@pytest.fixture
def published(resident):
    return make_listing(owner=resident, title=OLD, size="36")


@pytest.fixture
def edited(resident, published):
    """The published listing, with a new title waiting for review."""
    committed(services.update_listing(resident, published, listing_data(title=NEW)))
    return published


# --- the owner edits ------------------------------------------------------------------------------


def test_a_substantive_edit_waits_for_review_while_the_old_version_stays_public(
    app, resident, published, other_resident
):
    committed(services.update_listing(resident, published, listing_data(title=NEW)))

    listing = db.session.get(Listing, published.id, populate_existing=True)
    assert (listing.status, listing.title) == ("published", OLD)
    revision = revisions.pending_revision(listing)
    assert revision.data["title"] == NEW and "title" in revision.changed
    case = queue.open_case_for("listing", listing.id)
    assert case.reason == "edited"
    assert titles_found("crampons") == [OLD]
    assert services.get_listing(listing.id, other_resident) is listing


def test_a_second_edit_updates_the_pending_change(app, resident, edited):
    committed(services.update_listing(resident, edited, listing_data(title="Crampons taille 36")))
    assert pending_count(edited) == 1
    assert revisions.pending_revision(edited).data["title"] == "Crampons taille 36"
    assert edited.title == OLD


def test_undoing_the_change_drops_it_and_a_price_change_alone_applies_at_once(app, resident):
    key = stored_photo()
    sale = dict(kind="sale", new_price_cents=4000, photo_keys=[key])
    listing = committed(services.create_listing(resident, listing_data(price_cents=1500, **sale)))
    committed(review.approve_listing(make_user(role="moderator"), listing))
    committed(
        services.update_listing(
            resident, listing, listing_data(title=NEW, price_cents=1500, **sale)
        )
    )
    assert pending_count(listing) == 1

    committed(services.update_listing(resident, listing, listing_data(price_cents=900, **sale)))

    assert (listing.status, listing.title, listing.price_cents) == ("published", OLD, 900)
    assert pending_count(listing) == 0
    assert revisions.last_revision(listing).status == "withdrawn"


def test_withdrawing_the_listing_drops_its_pending_change(app, resident, edited):
    committed(services.withdraw_listing(resident, edited))
    assert revisions.last_revision(edited).status == "withdrawn"
    assert queue.open_case_for("listing", edited.id) is None


def test_only_those_who_manage_the_listing_edit_it(app, published, other_resident, moderator):
    for intruder in (other_resident, moderator):
        with pytest.raises(Forbidden):
            services.update_listing(intruder, published, listing_data(title=NEW))
    assert pending_count(published) == 0


# --- the moderator decides ------------------------------------------------------------------------


def test_approval_swaps_the_versions_and_tells_the_owner(app, resident, edited, moderator, outbox):
    case = queue.open_case_for("listing", edited.id)
    assert decisions.allowed_decisions(case, edited)[:3] == (
        "approve",
        "request_changes",
        "reject",
    )
    committed(decisions.decide(moderator, case.id, "approve"))

    listing = db.session.get(Listing, edited.id, populate_existing=True)
    assert (listing.status, listing.title) == ("published", NEW)
    assert len(listing.photos) == 1 and listing.cover_photo == listing.photos[0].key
    assert revisions.last_revision(listing).status == "approved"
    assert titles_found("adidas") == [NEW]
    assert outbox.last(resident.email).subject == "La modification de votre annonce est publiée"
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == resident.id))
    assert "listing_change_published" in list(kinds)


def test_refusal_keeps_the_old_version_and_tells_the_owner_why(
    app, resident, edited, moderator, resident_client
):
    case = queue.open_case_for("listing", edited.id)
    committed(decisions.decide(moderator, case.id, "reject", "Titre trompeur.", GROUND))

    listing = db.session.get(Listing, edited.id, populate_existing=True)
    assert (listing.status, listing.title) == ("published", OLD)
    revision = revisions.last_revision(listing)
    assert (revision.status, revision.review_note) == ("refused", "Titre trompeur.")
    [statement] = db.session.scalars(select(Statement).where(Statement.case_id == case.id))
    assert statement.member_id == resident.id
    page = text(resident_client.get(f"/annonces/{listing.id}/modifier"))
    assert "Votre modification n’a pas été acceptée" in page and "Titre trompeur." in page
    assert text(resident_client.get(f"/annonces/{listing.id}")).count("Titre trompeur.") == 1


def test_only_moderators_decide_a_change(app, resident, edited, other_resident):
    for intruder in (resident, other_resident):
        with pytest.raises(Forbidden):
            review.approve_revision(intruder, edited)
        with pytest.raises(Forbidden):
            review.refuse_revision(intruder, edited, "Non.")
    assert revisions.pending_revision(edited) is not None


def test_a_change_decided_twice_is_a_conflict(app, edited, moderator):
    committed(review.approve_revision(moderator, edited))
    with pytest.raises(Conflict, match="Aucune modification de cette annonce"):
        review.refuse_revision(moderator, edited, "Trop tard.")


# --- pages ----------------------------------------------------------------------------------------


def test_the_public_page_shows_the_old_version_and_the_owner_sees_the_pending_change(
    app, client, client_for, resident, edited, other_resident
):
    borrower_page = text(client_for(other_resident).get(f"/annonces/{edited.id}"))
    assert OLD in borrower_page and NEW not in borrower_page
    assert "attend la relecture" not in borrower_page
    visitor_page = text(client.get(f"/annonces/{edited.id}"))
    assert OLD in visitor_page and NEW not in visitor_page

    owner = client_for(resident)
    assert "attend la relecture" in text(owner.get(f"/annonces/{edited.id}"))
    form = text(owner.get(f"/annonces/{edited.id}/modifier"))
    assert f'value="{NEW}"' in form and "attend la relecture" in form


def test_the_moderator_sees_what_changed_field_by_field(app, edited, moderator_client):
    case = queue.open_case_for("listing", edited.id)
    page = text(moderator_client.get(f"/moderation/file/{case.id}"))
    assert "Modification proposée" in page
    assert f"<del>{OLD}</del>" in page and f"<ins>{NEW}</ins>" in page
    assert "Photos" in page  # the new photo replaces the old set


def test_editing_through_the_form_keeps_the_listing_public(
    app, resident_client, resident, published
):
    key = stored_photo()
    published.photos.append(ListingPhoto(key=key, position=0, **photos.stored_photo_columns(key)))
    db.session.commit()
    response = resident_client.post(
        f"/annonces/{published.id}/modifier",
        data={**form_data(title=NEW, size="36"), "existing_photos": [key]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = text(resident_client.get(response.headers["Location"]))
    assert "Votre modification sera visible dès qu’un membre" in page
    db.session.rollback()
    assert db.session.get(Listing, published.id).title == OLD
    assert revisions.pending_revision(published).photo_keys == [key]


def test_an_intruder_cannot_edit_through_the_form(app, client_for, other_resident, published):
    response = client_for(other_resident).post(
        f"/annonces/{published.id}/modifier", data=form_data(title=NEW)
    )
    assert response.status_code == 403
    assert pending_count(published) == 0


# --- at the same moment ---------------------------------------------------------------------------


def test_two_edits_at_once_leave_one_pending_change(app, resident, published):
    keys = [stored_photo(), stored_photo(colour=(20, 200, 20))]
    owner_id, listing_id = resident.id, published.id  # read here: each thread has its session

    def edit(title: str, key: str):
        def action():
            owner = db.session.get(User, owner_id)
            listing = db.session.get(Listing, listing_id)
            return services.update_listing(
                owner, listing, listing_data(title=title, photo_keys=[key])
            ).id

        return action

    results = in_threads(app, [edit("Crampons un", keys[0]), edit("Crampons deux", keys[1])])

    assert results == [published.id, published.id]
    assert pending_count(published) == 1
    revision = revisions.pending_revision(published)
    assert (revision.data["title"], revision.photo_keys) in [
        ("Crampons un", [keys[0]]),
        ("Crampons deux", [keys[1]]),
    ]
    assert db.session.get(Listing, published.id, populate_existing=True).title == OLD


def test_approving_while_the_owner_edits_again_loses_neither(app, resident, edited, moderator):
    key = stored_photo()
    case_id = queue.open_case_for("listing", edited.id).id
    owner_id, moderator_id, listing_id = resident.id, moderator.id, edited.id

    def approve():
        return decisions.decide(db.session.get(User, moderator_id), case_id, "approve").decision

    def edit():
        owner = db.session.get(User, owner_id)
        listing = db.session.get(Listing, listing_id)
        return services.update_listing(
            owner, listing, listing_data(title="Crampons neufs", photo_keys=[key])
        ).id

    in_threads(app, [approve, edit])

    listing = db.session.get(Listing, edited.id, populate_existing=True)
    pending = revisions.pending_revision(listing)
    if pending is None:
        # The edit came first and joined the change the moderator approved
        assert listing.title == "Crampons neufs"
    else:
        # The approval came first; the new edit waits in a case of its own
        assert listing.title == NEW and pending.data["title"] == "Crampons neufs"
        assert queue.open_case_for("listing", listing.id) is not None
    assert listing.status == "published"


# --- photos of a pending change -------------------------------------------------------------------


def test_the_purge_spares_the_photos_of_a_pending_change_only(app, resident, published, moderator):
    from datetime import timedelta

    from tests.listings.test_photos import age, stored_keys

    key = stored_photo()
    committed(
        services.update_listing(resident, published, listing_data(title=NEW, photo_keys=[key]))
    )  # noqa: E501
    age(key, 72)
    assert photos.purge_orphans(timedelta(hours=24)) == 0
    assert key in stored_keys()

    committed(review.refuse_revision(moderator, published, "Photo floue."))
    assert photos.purge_orphans(timedelta(hours=24)) == 3  # its three sizes
    assert key not in stored_keys()


def test_removing_a_listing_with_a_pending_change_drops_the_change(app, edited, moderator):
    case = queue.open_case_for("listing", edited.id)
    assert "remove" in decisions.allowed_decisions(case, edited)
    committed(decisions.decide(moderator, case.id, "remove", "Contrefaçon.", GROUND))
    assert edited.status == "removed" and edited.title == OLD
    assert revisions.last_revision(edited).status == "withdrawn"


def test_asking_for_changes_keeps_the_public_version(app, resident, edited, moderator):
    case = queue.open_case_for("listing", edited.id)
    committed(decisions.decide(moderator, case.id, "request_changes", "Photo floue.", GROUND))
    assert (edited.status, edited.title) == ("published", OLD)
    assert revisions.last_revision(edited).review_note == "Photo floue."
    committed(services.update_listing(resident, edited, listing_data(title=NEW)))
    again = queue.open_case_for("listing", edited.id)
    assert again.reason == "edited" and again.id != case.id
