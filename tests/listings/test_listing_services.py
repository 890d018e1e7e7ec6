"""Listing rules without HTTP: price cap, hygiene and safety, review, edits, closing, ownership."""

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.geo.models import Commune
from sportressources.listings import favourites, review, services
from sportressources.listings.models import Favourite, Listing
from sportressources.trade.exchanges.models import ExchangeRequest
from sportressources.venues.models import Venue
from tests.factories import make_listing, make_user
from tests.listings.helpers import listing_data, stored_photo


def fields_of(error: ValidationFailed) -> dict[str, str]:
    return {name: " ".join(str(m) for m in messages) for name, messages in error.fields.items()}


def test_a_submitted_listing_waits_for_review_then_is_published(app, resident, moderator, outbox):
    listing = services.create_listing(resident, listing_data())
    db.session.commit()
    assert listing.status == "awaiting_review"
    assert listing.photo_count == 1 and listing.cover_photo == listing.photos[0].key
    lievin = db.session.get(Commune, "62510")
    assert (listing.latitude, listing.longitude) == (lievin.latitude, lievin.longitude)

    review.approve_listing(moderator, listing)
    db.session.commit()
    assert listing.status == "published" and listing.published_at is not None
    mail = outbox.last(resident.email)
    assert mail.subject == "Votre annonce est publiée"
    assert f"/annonces/{listing.id}" in mail.text


def test_a_draft_needs_no_photo_but_submitting_needs_one(app, resident):
    draft = services.create_listing(resident, listing_data(photo_keys=[]), submit=False)
    assert draft.status == "draft"
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(resident, listing_data(photo_keys=[]))
    assert fields_of(error.value) == {"photos": "Ajoutez au moins une photo du matériel."}


def test_visitors_cannot_publish(app):
    from flask_login import AnonymousUserMixin

    with pytest.raises(Forbidden):
        services.create_listing(AnonymousUserMixin(), listing_data())


# --- price cap ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "price, new_price, accepted",
    [
        (2500, 5000, True),  # exactly half
        (2501, 5000, False),
        (15000, 40000, True),  # exactly the ceiling
        (15001, 40000, False),  # under half but over the ceiling
        (75, 150, True),  # half of 1,50 €
        (76, 150, False),
        (0, 5000, False),  # free: that is a gift
        (None, 5000, False),
    ],
)
def test_sale_price_is_capped_by_share_and_ceiling(app, resident, price, new_price, accepted):
    data = listing_data(kind="sale", price_cents=price, new_price_cents=new_price)
    if accepted:
        listing = services.create_listing(resident, data)
        assert listing.price_cents == price
        return
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(resident, data)
    assert "price" in fields_of(error.value)


def test_the_cap_message_says_the_allowed_maximum(app, resident):
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(
            resident, listing_data(kind="sale", price_cents=4000, new_price_cents=6000)
        )
    assert fields_of(error.value)["price"] == (
        "Le prix de vente ne peut pas dépasser 30 € : au plus 50 % du prix neuf déclaré (60 €), "
        "et jamais plus de 150 €."
    )


def test_the_cap_follows_configuration(app, resident):
    app.config.update(LISTING_PRICE_CAP_SHARE=0.3, LISTING_PRICE_CAP_CENTS=2000)
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(
            resident, listing_data(kind="sale", price_cents=2100, new_price_cents=10000)
        )
    assert "20 €" in fields_of(error.value)["price"]
    assert services.create_listing(
        resident, listing_data(kind="sale", price_cents=2000, new_price_cents=10000)
    )


def test_a_sale_needs_its_price_new(app, resident):
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(resident, listing_data(kind="sale", price_cents=500))
    assert "prix du matériel neuf" in fields_of(error.value)["new_price"]


def test_an_edit_cannot_raise_the_price_above_the_cap(app, resident):
    listing = make_listing(owner=resident, kind="sale", price_cents=1000, new_price_cents=4000)
    with pytest.raises(ValidationFailed):
        services.update_listing(
            resident,
            listing,
            listing_data(kind="sale", price_cents=2100, new_price_cents=4000, photo_keys=[]),
            submit=False,
        )
    db.session.rollback()
    assert db.session.get(Listing, listing.id).price_cents == 1000


def test_gifts_and_loans_carry_no_price(app, resident):
    listing = services.create_listing(resident, listing_data(kind="gift", price_cents=900))
    assert listing.price_cents is None


# --- hygiene and safety ---------------------------------------------------------------------------


def test_a_mouthguard_is_never_lent(app, resident):
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(
            resident,
            listing_data(kind="loan", category="protege_dents", size="", condition="new"),
        )
    assert "ne se prête jamais" in fields_of(error.value)["kind"]


@pytest.mark.parametrize("kind", ["gift", "sale"])
def test_used_swimwear_is_neither_given_nor_sold(app, resident, kind):
    data = listing_data(
        kind=kind,
        category="maillots_bain",
        sport="natation",
        size="M",
        condition="very_good",
        price_cents=500 if kind == "sale" else None,
        new_price_cents=2000 if kind == "sale" else None,
    )
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(resident, data)
    assert "que neuf, jamais porté" in fields_of(error.value)["condition"]
    new = services.create_listing(resident, listing_data(**{**data.__dict__, "condition": "new"}))
    assert new.category == "maillots_bain"


def test_safety_gear_needs_its_age_and_no_impact_declared_and_shows_them(app, resident):
    data = listing_data(category="casques", sport="cyclisme", size="52–56 cm")
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(resident, data)
    assert set(fields_of(error.value)) == {"safety_age_years", "safety_no_impact"}

    with pytest.raises(ValidationFailed) as error:
        services.create_listing(
            resident,
            listing_data(**{**data.__dict__, "safety_age_years": 3, "safety_no_impact": False}),
        )
    assert "aucun choc" in fields_of(error.value)["safety_no_impact"]

    helmet = services.create_listing(
        resident, listing_data(**{**data.__dict__, "safety_age_years": 3, "safety_no_impact": True})
    )
    assert (helmet.safety_age_years, helmet.safety_no_impact) == (3, True)


def test_ordinary_gear_drops_safety_fields(app, resident):
    listing = services.create_listing(
        resident, listing_data(safety_age_years=4, safety_no_impact=True)
    )
    assert (listing.safety_age_years, listing.safety_no_impact) == (None, None)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "Foot"}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"description": "d" * 5001}, "description"),
        ({"sport": "curling"}, "sport"),
        ({"category": "fusées"}, "category"),
        ({"size": "99"}, "size"),
        ({"category": "sacs", "size": "38"}, "size"),
        ({"age_group": ""}, "age_group"),
        ({"condition": "cassé"}, "condition"),
        ({"kind": "troc"}, "kind"),
        ({"commune_insee": "75056"}, "commune"),
        ({"brand": "b" * 61}, "brand"),
    ],
)
def test_bad_listing_data_names_its_field(app, resident, changes, field):
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(resident, listing_data(**changes))
    assert field in fields_of(error.value)
    assert db.session.scalar(select(Listing.id)) is None


def test_more_than_six_photos_are_refused(app, resident):
    keys = [stored_photo(colour=(n * 30, 0, 0)) for n in range(7)]
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(resident, listing_data(photo_keys=keys))
    assert fields_of(error.value) == {"photos": "Six photos au plus."}


def test_a_photo_of_another_listing_cannot_be_taken(app, resident, other_resident):
    first = services.create_listing(resident, listing_data())
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.create_listing(other_resident, listing_data(photo_keys=[first.photos[0].key]))


def test_a_pickup_venue_gives_its_position(app, resident):
    venue = db.session.scalar(select(Venue).where(Venue.slug == "stade-bollaert-delelis"))
    listing = services.create_listing(resident, listing_data(venue_id=venue.id))
    assert (listing.latitude, listing.longitude) == (venue.latitude, venue.longitude)
    closed = db.session.scalar(select(Venue).where(Venue.slug == "centre-aquatique-harnes"))
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(resident, listing_data(venue_id=closed.id))
    assert "venue" in fields_of(error.value)


# --- edits, review, visibility --------------------------------------------------------------------


def test_a_substantive_edit_of_a_published_listing_waits_for_review(app, resident):
    listing = make_listing(owner=resident)
    keys = [stored_photo()]
    services.update_listing(
        resident, listing, listing_data(title="Crampons moulés taille 36", photo_keys=keys)
    )
    # The published version stays until a moderator approves (test_listing_revisions)
    assert (listing.status, listing.title) == ("published", "Chaussures de football à crampons")


def test_a_price_or_place_change_keeps_a_listing_published(app, resident, moderator):
    key = stored_photo()
    listing = services.create_listing(
        resident,
        listing_data(kind="sale", price_cents=1000, new_price_cents=4000, photo_keys=[key]),
    )
    review.approve_listing(moderator, listing)
    db.session.commit()
    services.update_listing(
        resident,
        listing,
        listing_data(
            kind="sale",
            price_cents=800,
            new_price_cents=4000,
            commune_insee="62498",
            photo_keys=[key],
        ),
    )
    assert (listing.status, listing.price_cents, listing.commune_insee) == (
        "published",
        800,
        "62498",
    )


def test_only_the_owner_edits_and_nobody_edits_a_closed_listing(
    app, resident, other_resident, moderator
):
    listing = make_listing(owner=resident)
    for intruder in (other_resident, moderator):
        with pytest.raises(Forbidden):
            services.update_listing(intruder, listing, listing_data())
    given = make_listing(owner=resident, status="given")
    with pytest.raises(Conflict):
        services.update_listing(resident, given, listing_data())


@pytest.mark.parametrize(
    "status", ["draft", "awaiting_review", "withdrawn", "rejected", "given", "sold"]
)
def test_hidden_listings_are_not_found_by_others(app, resident, other_resident, status):
    listing = make_listing(
        owner=resident, status=status, kind="sale" if status == "sold" else "gift"
    )
    with pytest.raises(NotFound):
        services.get_listing(listing.id, other_resident)
    assert services.get_listing(listing.id, resident) is listing


def test_moderators_see_hidden_listings(app, resident, moderator):
    listing = make_listing(owner=resident, status="awaiting_review")
    assert services.get_listing(listing.id, moderator) is listing


def test_review_rules(app, resident, moderator, outbox):
    listing = make_listing(owner=resident, status="awaiting_review")
    for decide in (review.approve_listing, review.reject_listing, review.request_changes):
        with pytest.raises(Forbidden):
            decide(resident, listing, "")
    review.reject_listing(moderator, listing, "Photo floue.")
    db.session.commit()
    assert (listing.status, listing.review_note, listing.reviewed_by_id) == (
        "rejected",
        "Photo floue.",
        moderator.id,
    )
    # The reason reaches the owner in moderation's statement of reasons, not from here
    assert outbox.to(resident.email) == []
    with pytest.raises(Conflict):
        review.approve_listing(moderator, listing)


def test_a_listing_sent_back_for_changes_is_edited_and_resubmitted(app, resident, moderator):
    listing = make_listing(owner=resident, status="awaiting_review")
    review.request_changes(moderator, listing, "Ajoutez une photo de la semelle.")
    db.session.commit()
    assert listing.status == "changes_requested"
    services.update_listing(resident, listing, listing_data(photo_keys=[stored_photo()]))
    db.session.commit()
    assert listing.status == "awaiting_review"


def test_a_removed_listing_can_no_longer_be_edited_but_can_be_reinstated(
    app, resident, other_resident, moderator
):
    listing = make_listing(owner=resident)
    db.session.add(ExchangeRequest(listing_id=listing.id, requester_id=other_resident.id))
    db.session.commit()
    review.remove_listing(moderator, listing, "Contrefaçon manifeste.")
    db.session.commit()
    assert listing.status == "removed"
    request = db.session.scalars(select(ExchangeRequest)).one()
    assert request.status == "declined"
    with pytest.raises(Conflict, match="retirée par l’équipe de modération"):
        services.update_listing(resident, listing, listing_data())
    assert review.can_reinstate(listing)
    review.reinstate_listing(moderator, listing)
    db.session.commit()
    assert (listing.status, listing.review_note) == ("published", "")


# --- closing, favourites, deletion ----------------------------------------------------------------


def test_withdrawing_declines_open_requests_politely(app, resident, other_resident, outbox):
    listing = make_listing(owner=resident)
    db.session.add(ExchangeRequest(listing_id=listing.id, requester_id=other_resident.id))
    db.session.commit()
    services.withdraw_listing(resident, listing)
    db.session.commit()
    assert listing.status == "withdrawn"
    request = db.session.scalar(select(ExchangeRequest))
    assert request.status == "declined"
    assert "n’est plus disponible" in outbox.last(other_resident.email).subject


@pytest.mark.parametrize(
    "kind, start, target, allowed",
    [
        ("gift", "published", "reserved", True),
        ("gift", "reserved", "published", True),
        ("gift", "published", "given", True),
        ("sale", "reserved", "sold", True),
        ("gift", "published", "sold", False),
        ("sale", "published", "given", False),
        ("gift", "given", "published", False),
        ("gift", "published", "draft", False),
    ],
)
def test_owner_marks_availability_by_hand(app, resident, kind, start, target, allowed):
    listing = make_listing(owner=resident, kind=kind, status=start)
    if allowed:
        services.set_availability(resident, listing, target)
        assert listing.status == target
    else:
        with pytest.raises((Conflict, ValidationFailed)):
            services.set_availability(resident, listing, target)


def test_others_cannot_change_availability(app, resident, other_resident):
    listing = make_listing(owner=resident)
    with pytest.raises(Forbidden):
        services.set_availability(other_resident, listing, "reserved")


def test_favourites_toggle(app, resident):
    listing = make_listing()
    assert favourites.toggle_favourite(resident, listing) is True
    assert favourites.favourite_ids(resident, [listing.id]) == {listing.id}
    assert favourites.toggle_favourite(resident, listing) is False
    assert favourites.favourite_ids(resident, [listing.id]) == set()


def test_deleting_an_account_withdraws_its_listings_and_keeps_others_records(app, client):
    from sportressources.accounts.personal_data import delete_account
    from tests.factories import PASSWORD

    owner = make_user(email="owner@example.org")
    fan = make_user(email="fan@example.org")
    open_listing = make_listing(owner=owner)
    sold = make_listing(owner=owner, kind="sale", status="sold")
    others = make_listing(owner=fan)
    favourites.toggle_favourite(owner, others)
    db.session.commit()

    delete_account(owner, PASSWORD)
    db.session.commit()

    assert db.session.get(Listing, open_listing.id).status == "withdrawn"
    assert db.session.get(Listing, sold.id).status == "sold"
    assert db.session.get(Listing, others.id).status == "published"
    assert db.session.scalar(select(Favourite)) is None


def test_the_export_contains_my_listings_and_favourites(app, resident):
    from sportressources.accounts.personal_data import export_personal_data

    mine = make_listing(owner=resident, title="Raquette de tennis junior")
    liked = make_listing()
    favourites.toggle_favourite(resident, liked)
    data = export_personal_data(resident)["listings"]
    assert [item["title"] for item in data["listings"]] == ["Raquette de tennis junior"]
    assert data["favourites"] == [liked.id]
    assert mine.id != liked.id


def test_demo_and_bulk_imports_respect_the_price_cap_too(app):
    import random

    from sportressources.listings.demo import seed_demo
    from sportressources.listings.synthetic import seed_synthetic_listings

    app.config.update(LISTING_PRICE_CAP_SHARE=0.3, LISTING_PRICE_CAP_CENTS=4000)
    seed_demo(random.Random(3))
    db.session.commit()
    seed_synthetic_listings(500, batch=250)
    db.session.commit()
    sales = db.session.scalars(select(Listing).where(Listing.kind == "sale")).all()
    assert len(sales) > 50
    for listing in sales:
        assert listing.price_cents <= services.price_cap_cents(listing.new_price_cents), listing
