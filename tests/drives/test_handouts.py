"""Handouts: an item given to a beneficiary with the least personal data that works; the form
and its privacy note; the erasure of recipients after a year."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.drives import handouts
from sportressources.drives.inventory_cli import seed_demo_inventory
from sportressources.drives.inventory_queries import organisation_redistribution_figures
from sportressources.drives.models import Handout, InventoryItem
from tests.drives.inventory_helpers import receive_items, stock_item
from tests.factories import add_member, committed, fresh, make_organisation, make_user
from tests.fixtures.web import sign_in, text


@pytest.fixture
def club(app):
    return make_organisation(name="US Liévin Handball", commune_insee="62510")


@pytest.fixture
def volunteer(club):
    return add_member(club)


def handout(**changes) -> handouts.HandoutData:
    values = {"recipient": "Léa", "age_band": "11-14", "commune_insee": "62510", "pass_sport": True}
    return handouts.HandoutData(**{**values, **changes})


def test_a_volunteer_records_a_handout_and_the_item_leaves_the_stock(club, volunteer):
    item = receive_items(club)[0]
    record = committed(handouts.record_handout(volunteer, club, item, handout()))
    assert (record.recipient, record.age_band, record.commune_insee, record.pass_sport) == (
        "Léa",
        "11-14",
        "62510",
        True,
    )
    assert record.recorded_by_id == volunteer.id
    assert (fresh(item).status, item.left_at is not None) == ("handed_out", True)
    figures = organisation_redistribution_figures(club.id)
    assert (figures.collected, figures.handed_out, figures.in_stock) == (1, 1, 0)
    with pytest.raises(Conflict):
        handouts.record_handout(volunteer, club, item, handout(recipient="Tom"))


def test_the_commune_is_optional_and_the_flag_defaults_to_no(club, volunteer):
    item = stock_item(club)
    record = committed(
        handouts.record_handout(
            volunteer, club, item, handouts.HandoutData(recipient="F-2026-014", age_band="18-59")
        )
    )
    assert (record.commune_insee, record.pass_sport) == (None, False)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient": "   "}, "recipient"),
        ({"recipient": "x" * 41}, "recipient"),
        ({"recipient": "Marie Claire Dupont"}, "recipient"),
        ({"recipient": "lea@example.org"}, "recipient"),
        ({"recipient": "<b>Léa</b>"}, "recipient"),
        ({"recipient": "+33 6 12 34 56 78"}, "recipient"),
        ({"recipient": "Léa 06 12 34 56 78"}, "recipient"),
        ({"age_band": "12"}, "age_band"),
        ({"age_band": ""}, "age_band"),
        ({"commune_insee": "99999"}, "commune"),
        ({"commune_insee": "'; DROP TABLE communes; --"}, "commune"),
    ],
)
def test_bad_handout_fields_are_refused_and_nothing_changes(club, volunteer, changes, field):
    item = stock_item(club)
    with pytest.raises(ValidationFailed) as refused:
        handouts.record_handout(volunteer, club, item, handout(**changes))
    db.session.rollback()
    assert field in refused.value.fields
    assert fresh(item).status == "in_stock"
    assert db.session.scalar(select(func.count()).select_from(Handout)) == 0


def test_control_characters_are_cleaned_from_the_recipient(club, volunteer):
    item = stock_item(club)
    record = committed(
        handouts.record_handout(volunteer, club, item, handout(recipient="\u202eLéa\x00 "))
    )
    assert record.recipient == "Léa"


def test_a_former_member_cannot_record_a_handout(club):
    item = stock_item(club)
    gone = make_user()
    with pytest.raises(Forbidden):
        handouts.record_handout(gone, club, item, handout())


def test_recipients_are_erased_after_a_year_the_statistics_stay(club, volunteer):
    old_item, new_item = stock_item(club), stock_item(club)
    old = committed(handouts.record_handout(volunteer, club, old_item, handout(recipient="Zoé")))
    recent = committed(handouts.record_handout(volunteer, club, new_item, handout()))
    old.handed_at = utcnow() - timedelta(days=366)
    db.session.commit()
    assert committed(handouts.purge_handout_recipients()) == 1
    assert (fresh(old).recipient, old.age_band, old.pass_sport) == ("", "11-14", True)
    assert fresh(recent).recipient == "Léa"
    assert committed(handouts.purge_handout_recipients()) == 0


def test_the_purge_command_reports_what_it_erased(app, club, volunteer):
    record = committed(handouts.record_handout(volunteer, club, stock_item(club), handout()))
    record.handed_at = utcnow() - timedelta(days=400)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["inventory", "purge-handouts"])
    assert "1 bénéficiaire(s) effacé(s)" in result.output
    assert fresh(record).recipient == ""


def test_the_demo_club_gets_items_and_one_handout_once(app):
    assert "rien à faire" in seed_demo_inventory()
    make_organisation(name="US Club démo").slug = "us-club-demo"
    db.session.commit()
    assert "dont 1 remis" in seed_demo_inventory()
    db.session.commit()
    assert "rien à faire" in seed_demo_inventory()
    assert db.session.scalar(select(func.count()).select_from(InventoryItem)) == 5
    assert db.session.scalar(select(func.count()).select_from(Handout)) == 1


# --- the pages ---------------------------------------------------------------------------------


def test_the_handout_form_explains_what_is_stored_and_records_it(client, club, volunteer):
    item = stock_item(club, title="Maillot de handball")
    client = sign_in(client, volunteer)
    url = f"/organisations/{club.slug}/inventaire/{item.id}/remise"
    page = text(client.get(url))
    assert "Données personnelles : le strict nécessaire" in page
    assert "effacé automatiquement un an après" in page
    assert 'for="recipient"' in page and 'for="pass_sport"' in page

    refused = client.post(url, data={"recipient": "Jean Paul Durand", "age_band": "6-10"})
    assert refused.status_code == 422
    assert "pas de nom de famille" in text(refused)
    assert 'value="Jean Paul Durand"' in text(refused)  # nothing lost

    done = client.post(
        url,
        data={"recipient": "Jean", "age_band": "6-10", "commune": "62510", "pass_sport": "y"},
    )
    assert done.status_code == 303
    listing = text(client.get(done.headers["Location"]))
    assert "Maillot de handball" in listing and "Jean" in listing and "Liévin" in listing
    assert fresh(item).status == "handed_out"


def test_oversized_and_hostile_handout_input_gets_a_french_error(client, club, volunteer):
    item = stock_item(club)
    client = sign_in(client, volunteer)
    url = f"/organisations/{club.slug}/inventaire/{item.id}/remise"
    for data in (
        {"recipient": "x" * 10_000, "age_band": "6-10"},
        {"recipient": "<script>alert(1)</script>", "age_band": "6-10"},
        {"recipient": "Léa", "age_band": "<b>", "commune": "\x00"},
    ):
        response = client.post(url, data=data)
        assert response.status_code == 422
        assert "<script>alert(1)" not in text(response)
    assert fresh(item).status == "in_stock"


def test_strangers_see_neither_the_form_nor_the_handouts(client, club):
    item = stock_item(club)
    client = sign_in(client, make_user())
    for url in (
        f"/organisations/{club.slug}/inventaire/{item.id}/remise",
        f"/organisations/{club.slug}/inventaire/remises",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "réservé aux responsables et bénévoles" in text(response)
    refused = client.post(
        f"/organisations/{club.slug}/inventaire/{item.id}/remise",
        data={"recipient": "Léa", "age_band": "6-10"},
    )
    assert refused.status_code == 403
    assert fresh(item).status == "in_stock"
