"""The day-before reminder: once per pledge, however often the command runs."""

from datetime import timedelta

from sportressources.core.db import db
from sportressources.drives import pledges
from sportressources.drives.reminders import send_reminders
from tests.drives.conftest import at, committed, pledge_of, quick

SUBJECT = "Rappel : dépôt de vos dons pour « Collecte de crampons »"


def test_the_reminder_leaves_the_day_before_once(app, drive, resident, outbox):
    pledge = pledge_of(resident, drive, quick(drive.wish_lines[0], 2))
    drop_off_day = drive.slots[0].starts_at.date()
    two_days_before = at(drop_off_day - timedelta(days=2), 9)
    day_before = at(drop_off_day - timedelta(days=1), 9)

    assert committed(send_reminders(two_days_before)) == 0
    assert committed(send_reminders(day_before)) == 1
    assert committed(send_reminders(day_before + timedelta(minutes=5))) == 0
    reminders = [m for m in outbox.to(resident.email) if m.subject == SUBJECT]
    assert len(reminders) == 1
    assert "Crampons Kipsta 36 × 2" in reminders[0].text
    db.session.refresh(pledge)
    assert pledge.reminded_at is not None


def test_a_cancelled_pledge_gets_no_reminder(app, drive, resident, outbox):
    pledge = pledge_of(resident, drive)
    committed(pledges.cancel_pledge(resident, pledge))
    day_before = at(drive.slots[0].starts_at.date() - timedelta(days=1), 9)
    assert committed(send_reminders(day_before)) == 0


def test_the_command_runs_twice_and_sends_one(app, drive, resident, outbox):
    pledge_of(resident, drive)
    runner = app.test_cli_runner()
    moment = at(drive.slots[0].starts_at.date() - timedelta(days=1), 9).isoformat()
    first = runner.invoke(args=["drives", "send-reminders", "--now", moment])
    second = runner.invoke(args=["drives", "send-reminders", "--now", moment])
    assert "1 rappel(s) de dépôt envoyé(s)." in first.output
    assert "0 rappel(s) de dépôt envoyé(s)." in second.output
    assert [m.subject for m in outbox.to(resident.email)].count(SUBJECT) == 1
