"""Residents pledge items and book a slot; the organisation confirms receipt or a no-show."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.drives import pledges, services
from sportressources.drives.models import InventoryItem
from sportressources.notifications.models import Notification
from tests.drives.conftest import committed, pledge_of, quick
from tests.factories import make_listing


def test_a_quick_pledge_books_the_slot_and_takes_the_lines(
    drive, resident, manager, volunteer, outbox
):
    crampons, balls = drive.wish_lines
    pledge = pledge_of(resident, drive, quick(crampons, 2), quick(balls, 1, "Ballon taille 4"))
    db.session.refresh(crampons)
    db.session.refresh(balls)
    assert pledge.status == "booked" and [i.status for i in pledge.items] == ["promised"] * 2
    assert (crampons.pledged, balls.pledged, drive.slots[0].booked) == (2, 1, 1)
    mail = outbox.last(resident.email)
    assert mail.subject == "Votre promesse de don pour « Collecte de crampons »"
    assert "Crampons Kipsta 36 × 2" in mail.text and drive.slots[0].venue.name in mail.text
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "drive_pledge_new")
    )
    assert set(told) == {manager.id, volunteer.id}


def test_a_pledge_beyond_the_need_is_refused_naming_what_is_left(drive, resident, other_resident):
    line = drive.wish_lines[0]
    pledge_of(resident, drive, quick(line, 2))
    with pytest.raises(Conflict) as refused:
        pledges.make_pledge(other_resident, drive, drive.slots[0].id, [quick(line, 2)])
    assert str(refused.value) == (
        "Il ne manque plus que 1 « paires de crampons pointure 36 » pour cette ligne "
        "(vous en proposez 2)."
    )
    db.session.rollback()
    assert pledge_of(other_resident, drive, quick(line, 1)).items[0].quantity == 1


def test_a_full_line_and_a_full_slot_are_refused(drive, resident, other_resident, stranger):
    line = drive.wish_lines[0]
    pledge_of(resident, drive, quick(line, 3))
    with pytest.raises(Conflict, match="Plus rien n’est attendu"):
        pledges.make_pledge(other_resident, drive, drive.slots[0].id, [quick(line)])
    db.session.rollback()
    pledge_of(other_resident, drive, quick(drive.wish_lines[1]))
    with pytest.raises(Conflict, match="Ce créneau est complet") as refused:
        pledges.make_pledge(stranger, drive, drive.slots[0].id, [quick(drive.wish_lines[1])])
    assert refused.value.code == "slot_full"


def test_two_items_for_one_line_count_together(drive, resident):
    line = drive.wish_lines[0]
    with pytest.raises(Conflict, match="Il ne manque plus que 3"):
        pledges.make_pledge(resident, drive, drive.slots[0].id, [quick(line, 2), quick(line, 2)])


def test_one_booked_pledge_per_member_and_drive(drive, resident):
    pledge_of(resident, drive)
    with pytest.raises(Conflict, match="déjà une promesse"):
        pledges.make_pledge(resident, drive, drive.slots[0].id, [quick(drive.wish_lines[1])])


def test_visitors_and_suspended_members_cannot_pledge(drive, resident):
    with pytest.raises(Forbidden, match="Connectez-vous"):
        pledges.make_pledge(
            AnonymousUserMixin(), drive, drive.slots[0].id, [quick(drive.wish_lines[0])]
        )
    resident.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()
    with pytest.raises(Forbidden, match="vous ne pouvez pas promettre des dons"):
        pledges.make_pledge(resident, drive, drive.slots[0].id, [quick(drive.wish_lines[0])])


def test_items_and_slots_must_belong_to_the_drive(drive, club, manager, resident):
    other = committed(
        services.create_drive(
            manager, club, services.DriveData("Autre collecte", drive.starts_on, drive.ends_on)
        )
    )
    other_line = services.add_wish_line(
        manager, other, services.WishLineData("tennis", "raquettes", 2)
    )
    committed(other_line)
    with pytest.raises(NotFound):
        pledges.make_pledge(resident, drive, drive.slots[0].id, [quick(other_line)])
    with pytest.raises(ValidationFailed, match="Choisissez un créneau"):
        pledges.make_pledge(resident, other, drive.slots[0].id, [quick(other_line)])


@pytest.mark.parametrize(
    "item, message",
    [
        ({"title": "x"}, "Décrivez chaque objet"),
        ({"title": "y" * 121}, "Décrivez chaque objet"),
        ({"quantity": 0}, "quantité de 1 à 50"),
        ({"quantity": 51}, "quantité de 1 à 50"),
        ({"condition": "broken"}, "l’état de chaque objet"),
    ],
)
def test_bad_quick_items_are_refused(drive, resident, item, message):
    data = {"title": "Crampons", "quantity": 1, "condition": "good"} | item
    with pytest.raises(ValidationFailed, match=message):
        pledges.make_pledge(
            resident, drive, drive.slots[0].id, [pledges.ItemData(drive.wish_lines[0].id, **data)]
        )


def test_no_item_or_too_many_items_are_refused(drive, resident):
    with pytest.raises(ValidationFailed, match="au moins un objet"):
        pledges.make_pledge(resident, drive, drive.slots[0].id, [])
    with pytest.raises(ValidationFailed, match="au plus 10 objets"):
        pledges.make_pledge(resident, drive, drive.slots[0].id, [quick(drive.wish_lines[1])] * 11)


def test_a_pledged_listing_is_reserved_then_given_on_receipt(drive, resident, manager):
    listing = make_listing(owner=resident, title="Crampons Adidas pointure 36", size="36")
    pledge = pledge_of(
        resident, drive, pledges.ItemData(drive.wish_lines[0].id, listing_id=listing.id)
    )
    db.session.refresh(listing)
    assert listing.status == "reserved" and pledge.items[0].title == "Crampons Adidas pointure 36"
    committed(pledges.decide_item(manager, pledge.items[0], received=True))
    db.session.refresh(listing)
    db.session.refresh(pledge)
    assert (listing.status, pledge.status) == ("given", "dropped_off")


def test_only_own_published_gift_listings_may_be_pledged(drive, resident, other_resident):
    line = drive.wish_lines[0].id
    others = make_listing(owner=other_resident)
    with pytest.raises(NotFound):
        pledges.make_pledge(
            resident, drive, drive.slots[0].id, [pledges.ItemData(line, listing_id=others.id)]
        )
    loan = make_listing(owner=resident, kind="loan")
    with pytest.raises(ValidationFailed, match="annonces de don publiées"):
        pledges.make_pledge(
            resident, drive, drive.slots[0].id, [pledges.ItemData(line, listing_id=loan.id)]
        )


def test_cancelling_frees_the_lines_the_slot_and_the_listing(drive, resident, manager):
    listing = make_listing(owner=resident)
    pledge = pledge_of(
        resident,
        drive,
        quick(drive.wish_lines[1], 3),
        pledges.ItemData(drive.wish_lines[0].id, listing_id=listing.id),
    )
    with pytest.raises(Forbidden):
        pledges.cancel_pledge(manager, pledge)
    committed(pledges.cancel_pledge(resident, pledge))
    db.session.refresh(listing)
    assert [line.pledged for line in drive.wish_lines] == [0, 0]
    assert (drive.slots[0].booked, pledge.status, listing.status) == (0, "cancelled", "published")
    with pytest.raises(Conflict):
        pledges.cancel_pledge(resident, pledge)


def test_receipt_item_by_item_fills_the_inventory(drive, resident, volunteer):
    crampons, balls = drive.wish_lines
    pledge = pledge_of(resident, drive, quick(crampons, 2), quick(balls, 1, "Ballon"))
    committed(pledges.decide_item(volunteer, pledge.items[0], received=True))
    assert pledge.status == "booked"
    committed(pledges.decide_item(volunteer, pledge.items[1], received=False))
    db.session.refresh(pledge)
    assert pledge.status == "dropped_off"
    assert (crampons.pledged, crampons.received, balls.pledged, balls.received) == (2, 2, 0, 0)
    stocked = db.session.scalar(
        select(func.count())
        .select_from(InventoryItem)
        .where(InventoryItem.organisation_id == drive.organisation_id)
    )
    assert stocked == 2
    with pytest.raises(Conflict):
        pledges.decide_item(volunteer, pledge.items[0], received=True)


def test_only_the_organisation_confirms_receipt(drive, resident, other_resident):
    pledge = pledge_of(resident, drive)
    for who in (resident, other_resident):
        with pytest.raises(Forbidden):
            pledges.decide_item(who, pledge.items[0], received=True)
        with pytest.raises(Forbidden):
            pledges.mark_no_show(who, pledge)


def test_a_no_show_frees_everything(drive, resident, manager):
    pledge = pledge_of(resident, drive, quick(drive.wish_lines[0], 2))
    committed(pledges.mark_no_show(manager, pledge))
    db.session.refresh(pledge)
    assert (pledge.status, pledge.items[0].status) == ("no_show", "not_received")
    assert (drive.wish_lines[0].pledged, drive.slots[0].booked) == (0, 0)


def test_no_show_once_items_are_decided_is_refused(drive, resident, manager):
    pledge = pledge_of(resident, drive, quick(drive.wish_lines[0]), quick(drive.wish_lines[1]))
    committed(pledges.decide_item(manager, pledge.items[0], received=True))
    with pytest.raises(Conflict, match="décidez les autres un à un"):
        pledges.mark_no_show(manager, pledge)


def test_a_closed_drive_takes_no_pledge(drive, manager, resident):
    committed(services.close_drive(manager, drive))
    with pytest.raises(Conflict, match="ne prend plus de promesses"):
        pledges.make_pledge(resident, drive, drive.slots[0].id, [quick(drive.wish_lines[0])])
