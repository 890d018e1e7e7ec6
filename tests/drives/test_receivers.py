"""A member's pledges in their data export; a leaving member's booked pledges are cancelled."""

from sportressources.accounts.personal_data import delete_account, export_personal_data
from sportressources.core.db import db
from tests.drives.conftest import committed, pledge_of, quick
from tests.factories import PASSWORD


def test_the_export_lists_the_members_pledges(drive, resident):
    pledge_of(resident, drive, quick(drive.wish_lines[0], 2))
    data = export_personal_data(resident)
    [pledge] = data["drives"]["pledges"]
    assert pledge["drive"] == "Collecte de crampons" and pledge["status"] == "booked"
    assert pledge["items"][0]["title"] == "Crampons Kipsta 36"


def test_deleting_an_account_cancels_its_booked_pledges(drive, resident):
    pledge = pledge_of(resident, drive, quick(drive.wish_lines[0], 2))
    committed(delete_account(resident, PASSWORD))
    db.session.refresh(pledge)
    assert pledge.status == "cancelled"
    assert (drive.wish_lines[0].pledged, drive.slots[0].booked) == (0, 0)
