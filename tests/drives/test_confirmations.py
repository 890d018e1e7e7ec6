"""Cancelling a pledge or a drive and deleting a slot or a wish line ask first
(core.web.confirmation): the first POST changes nothing and says what happens, the confirmed
POST acts, anyone else is refused, and a confirmed POST without CSRF token fails."""

import pytest

from sportressources.core.db import db
from sportressources.drives.models import Drive, DriveSlot, Pledge, WishLine
from tests.drives.conftest import pledge_of
from tests.drives.inventory_helpers import stock_item
from tests.factories import fresh, make_organisation, make_user
from tests.fixtures.web import sign_in, text

CONFIRMED = {"confirmed": "yes"}


def pledge_status(pledge_id):
    db.session.rollback()
    return db.session.get(Pledge, pledge_id).status


def drive_status(drive_id):
    db.session.rollback()
    return db.session.get(Drive, drive_id).status


def exists(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id) is not None


@pytest.fixture(params=["pledge", "drive", "slot", "line"])
def step(request, drive, manager, resident):
    """path, who acts, fields, what the page says, the state before and after."""
    if request.param == "pledge":
        pledge = pledge_of(resident, drive)
        return (
            f"/collectes/promesses/{pledge.id}/annuler",
            resident,
            {},
            ["Annuler votre promesse pour « Collecte de crampons » ?",
             "L’organisation sera prévenue", "Oui, annuler ma promesse"],
            lambda: pledge_status(pledge.id),
            ("booked", "cancelled"),
        )  # fmt: skip
    if request.param == "drive":
        return (
            f"/collectes/{drive.id}/annuler",
            manager,
            {"reason": "Gymnase fermé"},
            ["Annuler la collecte « Collecte de crampons » ?", "leurs donateurs prévenus",
             "Oui, annuler la collecte"],
            lambda: drive_status(drive.id),
            ("open", "cancelled"),
        )  # fmt: skip
    if request.param == "slot":
        slot_id = drive.slots[0].id
        return (
            f"/collectes/{drive.id}/creneaux/{slot_id}/supprimer",
            manager,
            {},
            ["Supprimer le créneau du", "Les donateurs ne pourront plus le choisir."],
            lambda: exists(DriveSlot, slot_id),
            (True, False),
        )
    line_id = drive.wish_lines[1].id
    return (
        f"/collectes/{drive.id}/besoins/{line_id}/supprimer",
        manager,
        {},
        ["de la liste de besoins ?", "Les donateurs ne pourront plus promettre"],
        lambda: exists(WishLine, line_id),
        (True, False),
    )


def test_the_first_post_asks_and_changes_nothing(client, step):
    path, who, data, says, now, (before, after) = step
    sign_in(client, who)
    response = client.post(path, data=data)
    assert response.status_code == 200
    page = text(response)
    for words in says:
        assert words in page
    assert "Non, revenir" in page
    for name, value in data.items():
        assert f'name="{name}" value="{value}"' in page
    assert now() == before


def test_the_confirmed_post_acts(client, step):
    path, who, data, says, now, (before, after) = step
    sign_in(client, who)
    assert client.post(path, data={**data, **CONFIRMED}).status_code == 303
    assert now() == after


def test_another_member_is_refused_at_both_steps(client, step, other_resident):
    path, who, data, says, now, (before, after) = step
    sign_in(client, other_resident)
    assert client.post(path, data=data).status_code == 403
    assert client.post(path, data={**data, **CONFIRMED}).status_code == 403
    assert now() == before


def test_a_confirmed_post_without_csrf_token_fails(app, client, step):
    path, who, data, says, now, (before, after) = step
    sign_in(client, who)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(path, data={**data, **CONFIRMED}).status_code == 400
    assert now() == before


def test_discarding_an_inventory_item_asks_first_and_only_the_organisation(app, client):
    organisation = make_organisation()
    item = stock_item(organisation, title="Sac troué")
    path = f"/organisations/{organisation.slug}/inventaire/{item.id}/ecarter"
    sign_in(client, organisation.memberships[0].user)
    page = text(client.post(path))
    assert "Écarter « Sac troué » de l’inventaire ?" in page and "Oui, écarter" in page
    assert fresh(item).status == "in_stock"
    stranger = sign_in(app.test_client(), make_user())
    assert stranger.post(path).status_code == 403
    assert stranger.post(path, data=CONFIRMED).status_code == 403
    assert fresh(item).status == "in_stock"
    assert client.post(path, data=CONFIRMED).status_code == 303
    assert fresh(item).status == "discarded"
