"""Who may open a drive, and what its slots and wish lines accept."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.drives import services
from sportressources.organisations.models import Membership
from tests.drives.conftest import at, committed, pledge_of, quick
from tests.factories import make_organisation, make_user


def drive_data(**overrides):
    today = paris_today()
    values = {
        "title": "Collecte de rentrée",
        "starts_on": today,
        "ends_on": today + timedelta(days=10),
    }
    return services.DriveData(**(values | overrides))


def test_a_manager_and_a_volunteer_of_a_verified_club_open_drives(club, manager, volunteer):
    first = services.create_drive(manager, club, drive_data())
    second = services.create_drive(volunteer, club, drive_data(title="Collecte de ballons"))
    assert (first.organisation_id, first.status, first.created_by_id) == (
        club.id,
        "open",
        manager.id,
    )
    assert second.created_by_id == volunteer.id


def test_a_visitor_cannot_open_a_drive(club):
    with pytest.raises(Forbidden, match="Connectez-vous"):
        services.create_drive(AnonymousUserMixin(), club, drive_data())


def test_a_resident_who_is_not_a_member_cannot_open_a_drive(club, resident):
    with pytest.raises(Forbidden, match="Seuls les membres de l’organisation"):
        services.create_drive(resident, club, drive_data())


def test_a_member_of_an_unverified_organisation_cannot_open_a_drive(app):
    pending = make_organisation(status="pending")
    manager = pending.memberships[0].user
    with pytest.raises(Forbidden, match="doit d’abord être vérifiée") as refused:
        services.create_drive(manager, pending, drive_data())
    assert refused.value.code == "organisation_not_verified"


def test_a_former_member_can_no_longer_open_or_run_a_drive(club, volunteer, drive):
    db.session.execute(db.delete(Membership).where(Membership.user_id == volunteer.id))
    db.session.commit()
    with pytest.raises(Forbidden):
        services.create_drive(volunteer, club, drive_data())
    with pytest.raises(Forbidden):
        services.close_drive(volunteer, drive)


def test_drive_dates_and_title_are_checked(club, manager):
    today = paris_today()
    with pytest.raises(ValidationFailed) as refused:
        services.create_drive(
            manager,
            club,
            drive_data(
                title="ab", starts_on=today - timedelta(days=1), ends_on=today - timedelta(days=3)
            ),
        )
    assert set(refused.value.fields) == {"title", "starts_on", "ends_on"}


def test_slots_must_be_at_a_published_venue_within_the_dates(drive, manager, venue, app):
    from sqlalchemy import select

    from sportressources.venues.models import Venue

    # Any published venue will do: the club's own volunteers receive the gear there
    other = db.session.scalars(
        select(Venue).where(Venue.id != venue.id, Venue.dropoff.is_(False))
    ).first()
    day = drive.starts_on + timedelta(days=1)
    slot = services.add_slot(
        manager, drive, services.SlotData(other.id, at(day, 14), at(day, 15), 3)
    )
    assert slot.venue_id == other.id
    with pytest.raises(ValidationFailed) as refused:
        services.add_slot(manager, drive, services.SlotData(999_999, at(day, 14), at(day, 15), 3))
    assert "venue" in refused.value.fields
    late = drive.ends_on + timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        services.add_slot(
            manager, drive, services.SlotData(venue.id, at(late, 14), at(late, 15), 3)
        )
    assert "day" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        services.add_slot(manager, drive, services.SlotData(venue.id, at(day, 15), at(day, 14), 0))
    assert {"ends", "capacity"} <= set(refused.value.fields)


def test_capacity_cannot_drop_below_the_places_booked(drive, manager, resident, other_resident):
    pledge_of(resident, drive)
    pledge_of(other_resident, drive, quick(drive.wish_lines[1]))
    slot = drive.slots[0]
    data = services.SlotData(slot.venue_id, slot.starts_at, slot.ends_at, 1)
    with pytest.raises(ValidationFailed, match="2 personnes ont déjà réservé"):
        services.update_slot(manager, slot, data)
    grown = services.update_slot(
        manager, slot, services.SlotData(slot.venue_id, slot.starts_at, slot.ends_at, 5)
    )
    assert grown.capacity == 5


def test_a_booked_slot_cannot_be_removed_nor_moved(drive, manager, resident):
    pledge_of(resident, drive)
    slot = drive.slots[0]
    with pytest.raises(Conflict):
        services.remove_slot(manager, slot)
    later = services.SlotData(slot.venue_id, slot.starts_at + timedelta(hours=1), slot.ends_at, 2)
    with pytest.raises(Conflict, match="son lieu et ses heures ne changent plus"):
        services.update_slot(manager, slot, later)


def test_wish_lines_use_the_taxonomy_and_keep_what_is_pledged(drive, manager, resident):
    with pytest.raises(ValidationFailed) as refused:
        services.add_wish_line(
            manager,
            drive,
            services.WishLineData("curling", "chaussures", 0, "99", "u99", "x" * 201),
        )
    assert set(refused.value.fields) == {"sport", "size", "age_group", "quantity_wanted", "note"}
    line = drive.wish_lines[0]
    pledge_of(resident, drive, quick(line, 2))
    with pytest.raises(ValidationFailed, match="2 objets sont déjà promis"):
        services.update_wish_line(
            manager, line, services.WishLineData("football", "chaussures", 1, "36")
        )
    with pytest.raises(Conflict):
        services.remove_wish_line(manager, line)
    kept = services.update_wish_line(
        manager, line, services.WishLineData("football", "chaussures", 4, "36", "", line.note)
    )
    assert (kept.quantity_wanted, kept.pledged) == (4, 2)


def test_cancelling_a_drive_cancels_bookings_and_tells_pledgers(drive, manager, resident, outbox):
    pledge = pledge_of(resident, drive, quick(drive.wish_lines[0], 2))
    committed(services.cancel_drive(manager, drive, "Gymnase fermé"))
    db.session.refresh(pledge)
    assert (drive.status, pledge.status) == ("cancelled", "cancelled")
    assert (drive.wish_lines[0].pledged, drive.slots[0].booked) == (0, 0)
    assert outbox.last(resident.email).subject == "Collecte annulée : « Collecte de crampons »"
    with pytest.raises(Conflict):
        services.add_wish_line(manager, drive, services.WishLineData("football", "ballons", 1))


def test_close_and_reopen(drive, volunteer, resident):
    services.close_drive(volunteer, drive)
    assert drive.status == "closed"
    with pytest.raises(Forbidden):
        services.reopen_drive(resident, drive)
    services.reopen_drive(volunteer, drive)
    assert drive.status == "open"


def test_a_member_of_another_club_cannot_touch_the_drive(drive):
    other_manager = make_user()
    make_organisation(manager=other_manager)
    with pytest.raises(Forbidden):
        services.add_wish_line(
            other_manager, drive, services.WishLineData("football", "ballons", 1)
        )
    with pytest.raises(Forbidden):
        services.cancel_drive(other_manager, drive)


def test_drive_dates_cannot_leave_its_slots_outside(drive, manager):
    slot_day = drive.slots[0].starts_at.date()
    data = services.DriveData(drive.title, drive.starts_on, slot_day - timedelta(days=1))
    with pytest.raises(ValidationFailed, match="Des créneaux de dépôt tombent hors de ces dates"):
        services.update_drive(manager, drive, data)
    longer = services.update_drive(
        manager,
        drive,
        services.DriveData(
            "Collecte prolongée", drive.starts_on, drive.ends_on + timedelta(days=5)
        ),
    )
    assert longer.title == "Collecte prolongée"


def test_a_club_whose_verification_was_withdrawn_still_receives_what_was_booked(
    club, manager, volunteer, drive, resident, client_for
):
    from sportressources.core.states import apply_transition
    from sportressources.drives import pledges

    pledge = pledge_of(resident, drive, quick(drive.wish_lines[0]))
    apply_transition(club, "send_back_to_review", actor=manager)
    db.session.commit()

    # Nothing new: no slot, no need, no reopening
    with pytest.raises(Forbidden, match="doit d’abord être vérifiée"):
        services.add_wish_line(
            manager, drive, services.WishLineData("football", "ballons", 2, "5", "", "")
        )
    # But the resident who booked is received, and the page says what is still possible
    committed(pledges.decide_item(volunteer, pledge.items[0], received=True))
    assert pledge.status == "dropped_off"
    page = client_for(manager).get(f"/collectes/{drive.id}/gestion")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Votre organisation n’est plus vérifiée" in text
    assert "Ajouter un créneau" not in text
    # A former member, though, cannot
    db.session.execute(db.delete(Membership).where(Membership.user_id == volunteer.id))
    db.session.commit()
    assert client_for(volunteer).get(f"/collectes/{drive.id}/gestion").status_code == 403
