"""Inventory services: items received or added by hand, edited, discarded; bulk publication as
gift or loan listings (photos, all or nothing); the listing's fate reflected on the item."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.states import apply_transition
from sportressources.core.storage import get_storage
from sportressources.drives import handouts, inventory
from sportressources.drives.inventory_queries import organisation_redistribution_figures
from sportressources.drives.models import InventoryItem
from sportressources.listings import photos
from sportressources.listings.models import Listing
from sportressources.listings.services import set_availability, withdraw_listing
from sportressources.organisations.models import Membership
from sportressources.trade.loans.terms import terms_of
from tests.drives.inventory_helpers import make_venue, receive_items, stock_item
from tests.factories import add_member, committed, fresh, make_organisation, make_user, move_listing
from tests.listings.helpers import stored_photo

ITEM = inventory.ItemData(
    title="Raquette de tennis junior",
    sport="tennis",
    category="raquettes",
    size='23"',
    condition="good",
    age_group="u11",
    note="Cordage à refaire",
)


@pytest.fixture
def club(app):
    return make_organisation(name="US Lens Football")


@pytest.fixture
def manager(club):
    return club.memberships[0].user


@pytest.fixture
def volunteer(club):
    return add_member(club)


def former_member(club):
    user = add_member(club)
    db.session.delete(db.session.scalar(select(Membership).where(Membership.user_id == user.id)))
    db.session.commit()
    return user


def listings_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Listing))


def test_a_received_pledge_item_enters_the_inventory_once_per_unit(club):
    items = receive_items(club, quantity=3, size="38")
    assert [item.status for item in items] == ["in_stock"] * 3
    assert {item.size for item in items} == {"38"}
    assert organisation_redistribution_figures(club.id).collected == 3


@pytest.mark.parametrize("role", ["manager", "volunteer"])
def test_managers_and_volunteers_add_edit_and_discard_items(club, manager, role):
    member = manager if role == "manager" else add_member(club)
    item = committed(inventory.add_item(member, club, ITEM))
    assert (item.status, item.note, item.pledge_item_id) == ("in_stock", "Cordage à refaire", None)

    changed = inventory.ItemData(**{**ITEM.__dict__, "title": "  Raquette   junior  "})
    committed(inventory.update_item(member, club, item, changed))
    assert fresh(item).title == "Raquette junior"

    committed(inventory.discard_item(member, club, item))
    assert fresh(item).status == "discarded"
    assert item.left_at is not None
    with pytest.raises(Conflict):
        inventory.discard_item(member, club, item)
    with pytest.raises(Conflict):
        inventory.update_item(member, club, item, ITEM)


@pytest.mark.parametrize("who", ["stranger", "former", "visitor", "other_manager"])
def test_outsiders_cannot_touch_the_inventory(club, who):
    item = stock_item(club)
    actor = {
        "stranger": lambda: make_user(),
        "former": lambda: former_member(club),
        "visitor": lambda: None,
        "other_manager": lambda: make_organisation().memberships[0].user,
    }[who]()
    with pytest.raises(Forbidden):
        inventory.add_item(actor, club, ITEM)
    with pytest.raises(Forbidden):
        inventory.discard_item(actor, club, item)
    with pytest.raises(Forbidden):
        handouts.record_handout(actor, club, item, handouts.HandoutData("Léa", "6-10"))
    with pytest.raises(Forbidden):
        inventory.publish_items(
            actor,
            club,
            [inventory.ItemPublication(item.id, stored_photo())],
            inventory.PublishOptions(kind="gift", commune_insee="62498"),
        )
    assert fresh(item).status == "in_stock"


def test_an_item_of_another_organisation_is_not_found(club, manager):
    other_item = stock_item(make_organisation())
    with pytest.raises(NotFound):
        inventory.discard_item(manager, club, other_item)
    with pytest.raises(NotFound):
        inventory.publish_items(
            manager,
            club,
            [inventory.ItemPublication(other_item.id, stored_photo())],
            inventory.PublishOptions(kind="gift", commune_insee="62498"),
        )


def test_a_pending_organisation_keeps_an_inventory_a_closed_one_only_reads_it(app):
    pending = make_organisation(status="pending")
    committed(inventory.add_item(pending.memberships[0].user, pending, ITEM))
    closed = make_organisation(status="closed")
    with pytest.raises(Forbidden):
        inventory.add_item(closed.memberships[0].user, closed, ITEM)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "ab"}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"sport": "curling"}, "sport"),
        ({"category": "fusees"}, "category"),
        ({"size": "XXL"}, "size"),
        ({"condition": "broken"}, "condition"),
        ({"age_group": "u99"}, "age_group"),
        ({"note": "n" * 201}, "note"),
    ],
)
def test_bad_item_fields_are_refused_in_french(club, manager, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        inventory.add_item(manager, club, inventory.ItemData(**{**ITEM.__dict__, **changes}))
    assert field in refused.value.fields
    assert db.session.scalar(select(func.count()).select_from(InventoryItem)) == 0


# --- bulk publication --------------------------------------------------------------------------


def test_bulk_gift_reuses_item_photos_and_takes_new_ones(club, volunteer):
    with_photo = receive_items(club, title="Crampons pointure 36", photo_key=stored_photo())[0]
    without = stock_item(club, title="Ballon taille 4")
    upload = stored_photo(colour=(10, 200, 10))
    listings = committed(
        inventory.publish_items(
            volunteer,
            club,
            [
                inventory.ItemPublication(with_photo.id),
                inventory.ItemPublication(without.id, upload),
            ],
            inventory.PublishOptions(kind="gift", commune_insee="62498", description="Au club"),
        )
    )
    assert [listing.title for listing in listings] == ["Crampons pointure 36", "Ballon taille 4"]
    for listing in listings:
        assert (listing.kind, listing.status, listing.organisation_id) == (
            "gift",
            "awaiting_review",
            club.id,
        )
        assert listing.owner_id == volunteer.id and listing.photo_count == 1
    copied = listings[0].photos[0].key
    assert copied != with_photo.photo_key  # a listing photo's key is its own
    assert get_storage().exists(photos.photo_name(copied, "small"))
    assert listings[1].photos[0].key == upload
    for item, listing in zip((with_photo, without), listings, strict=True):
        assert (fresh(item).status, item.listing_id) == ("listed", listing.id)


def test_a_missing_photo_names_the_item_and_publishes_nothing(club, manager):
    ready = stock_item(club, title="Ballon taille 5", size="5")
    bare = stock_item(club, title="Chasubles orange", category="materiel_collectif", size="")
    with pytest.raises(ValidationFailed) as refused:
        inventory.publish_items(
            manager,
            club,
            [
                inventory.ItemPublication(ready.id, stored_photo()),
                inventory.ItemPublication(bare.id),
            ],
            inventory.PublishOptions(kind="gift", commune_insee="62498"),
        )
    db.session.rollback()
    assert "Chasubles orange" in str(refused.value.fields[f"item-{bare.id}"][0])
    assert "photo" in str(refused.value.message)
    assert listings_count() == 0
    assert (fresh(ready).status, fresh(bare).status) == ("in_stock", "in_stock")


def test_an_item_without_public_needs_one_chosen(club, manager):
    item = receive_items(club, title="Chaussures sans public", age_group="")[0]
    options = inventory.PublishOptions(kind="gift", commune_insee="62498")
    with pytest.raises(ValidationFailed) as refused:
        inventory.publish_items(
            manager, club, [inventory.ItemPublication(item.id, stored_photo())], options
        )
    db.session.rollback()
    assert "à qui" in str(refused.value.fields[f"item-{item.id}"][0])
    listing = committed(
        inventory.publish_items(
            manager,
            club,
            [inventory.ItemPublication(item.id, stored_photo(), age_group="u15")],
            options,
        )
    )[0]
    assert listing.age_group == "u15"


def test_a_photo_whose_files_are_gone_must_be_uploaded_again(club, manager):
    key = stored_photo()
    item = stock_item(club, photo_key=key)
    photos.delete_files(key)
    assert not inventory.photo_available(item)
    with pytest.raises(ValidationFailed):
        inventory.publish_items(
            manager,
            club,
            [inventory.ItemPublication(item.id)],
            inventory.PublishOptions(kind="gift", commune_insee="62498"),
        )


def test_a_listing_refusal_on_a_later_item_rolls_the_whole_batch_back(club, manager):
    first = stock_item(club, title="Ballon taille 3", size="3")
    # A wish line's size that the listing rules refuse (a shoe size on a ball)
    odd = stock_item(club, title="Ballon étrange", size="38")
    with pytest.raises(ValidationFailed) as refused:
        inventory.publish_items(
            manager,
            club,
            [
                inventory.ItemPublication(first.id, stored_photo()),
                inventory.ItemPublication(odd.id, stored_photo()),
            ],
            inventory.PublishOptions(kind="gift", commune_insee="62498"),
        )
    db.session.rollback()
    assert "« Ballon étrange »" in str(refused.value.fields[f"item-{odd.id}"][0])
    assert listings_count() == 0
    assert fresh(first).status == "in_stock" and first.listing_id is None


def test_shared_fields_are_checked(club, manager):
    item = stock_item(club)
    for options, field in (
        (inventory.PublishOptions(kind="sale", commune_insee="62498"), "kind"),
        (inventory.PublishOptions(kind="gift", commune_insee="99999"), "commune"),
        (inventory.PublishOptions(kind="gift", commune_insee="62498", venue_id=10**9), "venue"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            inventory.publish_items(
                manager, club, [inventory.ItemPublication(item.id, stored_photo())], options
            )
        db.session.rollback()
        assert field in refused.value.fields
    with pytest.raises(ValidationFailed):
        inventory.publish_items(
            manager, club, [], inventory.PublishOptions(kind="gift", commune_insee="62498")
        )


def test_an_item_no_longer_in_stock_is_a_conflict(club, manager):
    item = stock_item(club)
    committed(inventory.discard_item(manager, club, item))
    with pytest.raises(Conflict):
        inventory.publish_items(
            manager,
            club,
            [inventory.ItemPublication(item.id, stored_photo())],
            inventory.PublishOptions(kind="gift", commune_insee="62498"),
        )


def test_lending_in_bulk_sets_the_terms_at_a_venue(club, manager):
    venue = make_venue()
    bike = stock_item(
        club, title="Vélo enfant 20 pouces", sport="cyclisme", category="velos", size='20"'
    )
    listing = committed(
        inventory.publish_items(
            manager,
            club,
            [inventory.ItemPublication(bike.id, stored_photo())],
            inventory.PublishOptions(
                kind="loan",
                commune_insee="62498",
                venue_id=venue.id,
                min_days=2,
                max_days=21,
                deposit_cents=3000,
            ),
        )
    )[0]
    assert (listing.kind, listing.venue_id) == ("loan", venue.id)
    terms = terms_of(listing)
    assert (terms.min_days, terms.max_days, terms.deposit_cents) == (2, 21, 3000)


def test_bad_loan_terms_and_unlendable_items_are_refused(club, manager):
    bike = stock_item(club, sport="cyclisme", category="velos", size='20"')
    with pytest.raises(ValidationFailed) as refused:
        inventory.publish_items(
            manager,
            club,
            [inventory.ItemPublication(bike.id, stored_photo())],
            inventory.PublishOptions(kind="loan", commune_insee="62498", min_days=5, max_days=2),
        )
    db.session.rollback()
    assert "max_days" in refused.value.fields
    mouthguard = stock_item(
        club, title="Protège-dents neuf", category="protege_dents", size="", condition="new"
    )
    with pytest.raises(ValidationFailed) as refused:
        inventory.publish_items(
            manager,
            club,
            [inventory.ItemPublication(mouthguard.id, stored_photo())],
            inventory.PublishOptions(kind="loan", commune_insee="62498"),
        )
    assert "hygiène" in str(refused.value.fields[f"item-{mouthguard.id}"][0])
    db.session.rollback()
    assert listings_count() == 0


def test_safety_gear_needs_its_declaration(club, manager):
    helmet = stock_item(
        club, title="Casque de vélo enfant", sport="cyclisme", category="casques", size="52–56 cm"
    )
    with pytest.raises(ValidationFailed) as refused:
        inventory.publish_items(
            manager,
            club,
            [inventory.ItemPublication(helmet.id, stored_photo())],
            inventory.PublishOptions(kind="gift", commune_insee="62498"),
        )
    db.session.rollback()
    assert len(refused.value.fields[f"item-{helmet.id}"]) == 2
    listing = committed(
        inventory.publish_items(
            manager,
            club,
            [inventory.ItemPublication(helmet.id, stored_photo(), 2, True)],
            inventory.PublishOptions(kind="gift", commune_insee="62498"),
        )
    )[0]
    assert (listing.safety_age_years, listing.safety_no_impact) == (2, True)


# --- the listing's fate --------------------------------------------------------------------------


def _published(club, manager, *items):
    listings = committed(
        inventory.publish_items(
            manager,
            club,
            [inventory.ItemPublication(item.id, stored_photo()) for item in items],
            inventory.PublishOptions(kind="gift", commune_insee="62498"),
        )
    )
    return [move_listing(listing, "approve") for listing in listings]


def test_a_withdrawn_listing_puts_its_item_back_in_stock(club, manager, volunteer):
    item = stock_item(club)
    listing = _published(club, manager, item)[0]
    committed(withdraw_listing(volunteer, listing))
    assert fresh(item).status == "in_stock"
    assert item.listing_id == listing.id  # kept for the history


def test_a_listing_removed_by_moderation_puts_its_item_back_in_stock(club, manager, moderator):
    item = stock_item(club)
    listing = _published(club, manager, item)[0]
    apply_transition(listing, "remove", actor=moderator)
    db.session.commit()
    assert fresh(item).status == "in_stock"


def test_a_given_listing_leaves_its_item_listed_and_counts_as_given(club, manager):
    first, second = stock_item(club), stock_item(club, title="Ballon taille 5", size="5")
    listing, _other = _published(club, manager, first, second)
    committed(set_availability(manager, listing, "given"))
    assert fresh(first).status == "listed"
    figures = organisation_redistribution_figures(club.id)
    assert (figures.given, figures.in_stock, figures.handed_out) == (1, 0, 0)
