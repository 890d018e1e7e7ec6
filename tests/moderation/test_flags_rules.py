"""Each automatic flag rule on listings, with a case where it fires and one where it does not,
and the explanation a moderator reads (French, and English for an English-speaking moderator)."""

from datetime import timedelta

import pytest
from flask_babel import force_locale

from sportressources.core.db import db, utcnow
from sportressources.core.states import apply_transition
from sportressources.listings import services
from sportressources.listings.models import Listing
from sportressources.moderation import flags, forbidden_words
from sportressources.moderation.models import ForbiddenWord
from sportressources.moderation.queue import open_case_for
from tests.factories import make_listing, make_user
from tests.listings.helpers import listing_data


def draft(**fields) -> Listing:
    """A listing as a rule sees it, not saved: only its fields matter to the text rules."""
    values = {"kind": "gift", "title": "Ballon de handball", "description": "", "brand": ""}
    return Listing(**(values | fields))


def codes(listing) -> list[str]:
    return [flag["code"] for flag in flags.listing_flags(listing)]


# --- prices --------------------------------------------------------------------------------------


def test_a_sale_above_its_cap_is_flagged(app):
    # The services refuse it; a listing that came in another way is still caught
    listing = draft(kind="sale", price_cents=3000, new_price_cents=4000)
    assert flags.price_above_cap(listing) == {"code": "price_above_cap", "detail": "30 € > 20 €"}
    without_new_price = draft(kind="sale", price_cents=16000, new_price_cents=None)
    assert flags.price_above_cap(without_new_price)["detail"] == "160 € > 150 €"


def test_a_sale_within_its_cap_and_a_gift_are_not_flagged_for_the_cap(app):
    assert flags.price_above_cap(draft(kind="sale", price_cents=1500, new_price_cents=4000)) is None
    assert flags.price_above_cap(draft(kind="sale", price_cents=9000, new_price_cents=None)) is None
    assert flags.price_above_cap(draft(kind="gift")) is None


def test_a_sale_exactly_at_its_cap_is_flagged(app):
    at_share = draft(kind="sale", price_cents=2000, new_price_cents=4000)
    assert flags.price_at_cap(at_share) == {"code": "price_at_cap", "detail": "20 € / 40 €"}
    at_ceiling = draft(kind="sale", price_cents=15000, new_price_cents=90000)
    assert flags.price_at_cap(at_ceiling)["detail"] == "150 € / 900 €"


def test_a_sale_below_its_cap_is_not_flagged_as_at_the_cap(app):
    assert flags.price_at_cap(draft(kind="sale", price_cents=1999, new_price_cents=4000)) is None
    assert flags.price_at_cap(draft(kind="sale", price_cents=1000, new_price_cents=None)) is None


@pytest.mark.parametrize("kind", ["gift", "loan"])
def test_a_gift_or_loan_asking_for_money_is_flagged(app, kind):
    listing = draft(kind=kind, title="Raquette de badminton", description="Je la laisse à 10 €")
    assert flags.price_in_text(listing) == {"code": "price_in_text", "detail": "« 10 € »"}
    titled = draft(kind=kind, title="Raquette prix : 5")
    assert flags.price_in_text(titled)["detail"] == "« prix : 5 »"


def test_a_gift_naming_its_value_new_and_a_sale_naming_its_price_are_not_flagged(app):
    gift = draft(description="Achetée 80 € l’an dernier, je la donne, 2e main")
    assert flags.price_in_text(gift) is None
    sale = draft(kind="sale", price_cents=1000, description="10 € ferme")
    assert flags.price_in_text(sale) is None


# --- contact details and other platforms ---------------------------------------------------------


def test_contact_details_in_title_description_or_brand_are_flagged(app):
    listing = draft(
        title="Vélo 06 12 34 56 78",
        description="ou camille at gmail point com, photos sur www.monsite.fr",
        brand="vu sur leboncoin",
    )
    found = {flag["code"]: flag["detail"] for flag in flags.listing_flags(listing)}
    assert found == {
        "phone_number": "« 06 12 34 56 78 »",
        "email_address": "« camille at gmail point com »",
        "link": "« www.monsite.fr »",
        "other_platform": "« leboncoin »",
    }


def test_a_plain_listing_raises_no_contact_flag(app):
    listing = draft(
        title="Chaussures de football taille 38",
        description="Portées une saison, 2e main, crampons moulés. Remise au stade de Lens.",
    )
    assert codes(listing) == []


def test_a_link_to_the_site_itself_is_not_flagged(app):
    app.config["SITE_URL"] = "https://sportressources62.fr"
    listing = draft(description="Voir aussi https://sportressources62.fr/annonces/12")
    assert flags.link(listing) is None


# --- forbidden words -----------------------------------------------------------------------------


def test_a_forbidden_word_is_flagged_accents_and_case_aside(app, moderator):
    forbidden_words.add_word(moderator, "Contrefaçon")
    forbidden_words.add_word(moderator, "arme blanche")
    db.session.commit()
    listing = draft(title="Maillot CONTREFACON", description="Avec une arme-blanche")
    assert flags.forbidden_word(listing) == {
        "code": "forbidden_word",
        "detail": "« Contrefaçon » ; « arme blanche »",
    }


def test_a_word_only_containing_a_forbidden_one_is_not_flagged(app, moderator):
    forbidden_words.add_word(moderator, "arme")
    db.session.commit()
    assert flags.forbidden_word(draft(description="Des armes, un armement, une larme")) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(ForbiddenWord)) == 1


def test_without_forbidden_words_nothing_is_flagged(app):
    assert flags.forbidden_word(draft(description="Tout ce que vous voulez")) is None


# --- the author's account and activity -----------------------------------------------------------


def test_a_burst_of_listings_from_one_account_is_flagged(app, resident):
    app.config.update(MODERATION_BURST_LISTINGS=2, MODERATION_BURST_MINUTES=30)
    listings = [services.create_listing(resident, listing_data()) for _ in range(3)]
    db.session.commit()
    # Flagged when submitted: two are not more than two, the third is
    second, third = (open_case_for("listing", listing.id) for listing in listings[1:])
    assert "listing_burst" not in [flag["code"] for flag in second.flags]
    assert {"code": "listing_burst", "detail": "3/30"} in third.flags


def test_listings_submitted_long_ago_or_by_others_do_not_make_a_burst(
    app, resident, other_resident
):
    app.config.update(MODERATION_BURST_LISTINGS=2, MODERATION_BURST_MINUTES=30)
    for _ in range(3):
        old = make_listing(owner=resident, status="draft")
        apply_transition(old, "submit", actor=resident, now=utcnow() - timedelta(minutes=31))
    for _ in range(2):
        make_listing(owner=other_resident, status="awaiting_review")
    listing = make_listing(owner=resident, status="awaiting_review")
    # Submitting one listing again and again is not a burst either
    for _ in range(3):
        apply_transition(listing, "withdraw", actor=resident)
        listing = make_listing(owner=resident, status="draft")
    db.session.commit()
    assert flags.listing_burst(listing) is None


def test_the_burst_rule_can_be_turned_off(app, resident):
    app.config.update(MODERATION_BURST_LISTINGS=0)
    listing = make_listing(owner=resident, status="awaiting_review")
    assert flags.listing_burst(listing) is None


def test_a_young_account_is_flagged(app):
    owner = make_user(created_at=utcnow() - timedelta(days=2, hours=3))
    listing = make_listing(owner=owner, status="awaiting_review")
    assert flags.young_account(listing) == {"code": "young_account", "detail": "2"}


def test_an_account_older_than_the_setting_is_not_flagged(app):
    app.config["MODERATION_YOUNG_ACCOUNT_DAYS"] = 3
    owner = make_user(created_at=utcnow() - timedelta(days=3, minutes=1))
    assert flags.young_account(make_listing(owner=owner, status="awaiting_review")) is None
    app.config["MODERATION_YOUNG_ACCOUNT_DAYS"] = 0
    newcomer = make_user()
    assert flags.young_account(make_listing(owner=newcomer, status="awaiting_review")) is None


# --- explanations and settings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "flag, french, english",
    [
        (
            {"code": "phone_number", "detail": "« 06 12 34 56 78 »"},
            "Numéro de téléphone dans le texte : « 06 12 34 56 78 ».",
            "Phone number in the text: « 06 12 34 56 78 ».",
        ),
        (
            {"code": "young_account", "detail": "2"},
            "Compte récent : créé il y a 2 jours.",
            "Recent account: created 2 days ago.",
        ),
        (
            {"code": "young_account", "detail": "0"},
            "Compte récent : créé aujourd’hui.",
            "Recent account: created today.",
        ),
        (
            {"code": "listing_burst", "detail": "6/60"},
            "Rafale d’annonces : 6 annonces envoyées en 60 minutes.",
            "Burst of listings: 6 listings submitted within 60 minutes.",
        ),
        (
            {"code": "duplicate_photo", "detail": "12"},
            "Photo identique ou presque à celle d’un autre membre, sur l’annonce n° 12.",
            "Photo identical or nearly so to another member's, on listing no. 12.",
        ),
        (
            {"code": "price_in_text", "detail": "« 10 € »"},
            "Un don ou un prêt mentionne un prix : « 10 € ».",
            "A gift or a loan mentions a price: « 10 € ».",
        ),
        ({"code": "something_new", "detail": "raw"}, "raw", "raw"),
    ],
)
def test_each_flag_is_explained_to_the_moderator(app, flag, french, english):
    with app.test_request_context():
        assert flags.explain(flag) == french
        with force_locale("en"):
            assert flags.explain(flag) == english


def test_every_flag_code_has_a_label_and_an_explanation(app):
    with app.test_request_context():
        for code in flags.LABELS:
            explanation = flags.explain({"code": code, "detail": "1"})
            assert explanation and explanation != "1", code


@pytest.mark.parametrize(
    "settings",
    [
        {"MODERATION_BURST_LISTINGS": -1},
        {"MODERATION_BURST_MINUTES": 0},
        {"MODERATION_YOUNG_ACCOUNT_DAYS": "sept"},
    ],
)
def test_wrong_settings_are_refused_at_start(app, settings):
    from sportressources import create_app
    from sportressources.config import ConfigurationError

    overrides = {
        "APP_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
    }
    with pytest.raises(ConfigurationError, match=next(iter(settings))):
        create_app(overrides | settings)
