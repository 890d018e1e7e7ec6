"""Two residents pledge the last needed item, or book the last place of a slot, at the same
moment, on both databases: exactly one wins, the other gets the French message."""

from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.core.errors import Conflict
from sportressources.drives import pledges
from sportressources.drives.models import Drive, Pledge, WishLine
from tests.concurrency import in_threads, responses_at_once
from tests.drives.conftest import pledge_of, quick
from tests.factories import make_user


def pledging(user_id: int, drive_id: int, line_id: int, quantity: int = 1):
    def action():
        from sportressources.accounts.models import User

        drive = db.session.get(Drive, drive_id)
        line = db.session.get(WishLine, line_id)
        return pledges.make_pledge(
            db.session.get(User, user_id), drive, drive.slots[0].id, [quick(line, quantity)]
        ).id

    return action


def booked_count(drive) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count())
        .select_from(Pledge)
        .where(Pledge.drive_id == drive.id, Pledge.status == "booked")
    )


def test_two_residents_pledge_the_last_needed_item_and_one_wins(
    app, drive, resident, other_resident, stranger
):
    line = drive.wish_lines[0]
    pledge_of(stranger, drive, quick(line, 2))  # one pair left
    results = in_threads(
        app,
        [pledging(user.id, drive.id, line.id) for user in (resident, other_resident)],
    )
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(losers) == 1 and len([r for r in results if isinstance(r, int)]) == 1
    assert "Plus rien n’est attendu pour « paires de crampons pointure 36 »" in str(losers[0])
    db.session.rollback()
    assert db.session.get(WishLine, line.id, populate_existing=True).pledged == 3
    assert booked_count(drive) == 2


def test_two_residents_book_the_last_place_of_a_slot_and_one_wins(
    app, drive, resident, other_resident, stranger
):
    pledge_of(stranger, drive, quick(drive.wish_lines[1]))  # one place left of two
    results = in_threads(
        app,
        [
            pledging(user.id, drive.id, drive.wish_lines[1].id)
            for user in (resident, other_resident)
        ],
    )
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(losers) == 1 and str(losers[0]) == "Ce créneau est complet : choisissez-en un autre."
    db.session.rollback()
    assert db.session.get(Drive, drive.id, populate_existing=True).slots[0].booked == 2
    assert booked_count(drive) == 2
    # The loser's wish line count was rolled back with its pledge
    assert db.session.get(WishLine, drive.wish_lines[1].id, populate_existing=True).pledged == 2


def test_six_residents_through_the_pages_for_three_pairs(app, drive, client_for):
    line = drive.wish_lines[0]
    slot = drive.slots[0]
    slot.capacity = 10
    db.session.commit()
    people = [make_user(display_name=f"Donateur {n}") for n in range(6)]
    form = {
        "slot": str(slot.id),
        "quick-0-wish_line": str(line.id),
        "quick-0-title": "Crampons",
        "quick-0-quantity": "1",
        "quick-0-condition": "good",
    }
    responses = responses_at_once(
        app, [(client_for(user), f"/collectes/{drive.id}", form) for user in people]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302, 302, 302, 409, 409, 409]
    refused = [r.get_data(as_text=True) for r in responses if r.status_code == 409]
    assert all("Plus rien n’est attendu" in page for page in refused)
    db.session.rollback()
    assert db.session.get(WishLine, line.id, populate_existing=True).pledged == 3


def test_one_member_submitting_twice_at_once_holds_one_booked_pledge(app, drive, resident):
    line = drive.wish_lines[1]
    results = in_threads(app, [pledging(resident.id, drive.id, line.id) for _ in range(2)])

    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(losers) == 1
    assert "Vous avez déjà une promesse pour cette collecte" in str(losers[0])
    assert booked_count(drive) == 1
    # The refused submission took nothing: one place booked, one item pledged
    assert db.session.get(WishLine, line.id, populate_existing=True).pledged == 1
    assert db.session.get(Drive, drive.id, populate_existing=True).slots[0].booked == 1
