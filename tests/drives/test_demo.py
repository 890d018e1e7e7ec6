"""The demo drive: created once for the demo club, with slots, a wish list and two pledges."""

from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.drives.demo import seed_demo_drives
from sportressources.drives.models import Drive, Pledge
from tests.factories import make_organisation, make_user


def demo_club(**fields):
    club = make_organisation(name="US Club démo", **fields)
    club.slug = "us-club-demo"
    db.session.commit()
    return club


def test_the_demo_drive_is_created_once(app, venue):
    assert seed_demo_drives() is None  # no demo club yet
    club = demo_club()
    for email in ("camille@example.org", "yanis@example.org"):
        make_user(email=email)
    report = seed_demo_drives()
    db.session.commit()
    assert report == "1 collecte, 4 créneaux, 2 promesse(s)"  # two venues, two days each
    assert seed_demo_drives() is None
    drive = db.session.scalar(select(Drive).where(Drive.organisation_id == club.id))
    assert [line.pledged for line in drive.wish_lines] == [2, 2, 2]
    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 2
    assert drive.starts_on < drive.ends_on


def test_the_demo_drive_needs_a_verified_club(app, venue):
    demo_club(status="pending")
    assert seed_demo_drives() is None
