"""Due dates: the reminder the day before and the overdue notice after, each exactly once, even
with two runs at once; Europe/Paris days across the daylight-saving change; the cron command;
overdue loans flagged on both members' pages."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from sportressources.core.db import begin_write, db
from sportressources.core.errors import Conflict
from sportressources.notifications.models import Notification
from sportressources.trade.loans import extensions, handovers, services
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Loan
from sportressources.trade.loans.reminders import send_reminders
from tests.factories import make_user
from tests.trade.loans.conftest import NOW, at, committed, day, fresh, make_loan_listing


def active(owner, borrower, listing, start, end, now=NOW):
    loan = committed(services.request_loan(borrower, listing, start, end, now=now))
    committed(services.accept_loan(owner, loan, now=now))
    for user in (owner, borrower):
        committed(handovers.confirm_pickup(user, loan, now=at(start)))
    return loan


def run(now):
    begin_write()
    report = send_reminders(now)
    db.session.commit()
    return (report.due_soon, report.overdue)


def reminder_subjects(outbox, user) -> list[str]:
    return [
        mail.subject
        for mail in outbox.to(user.email)
        if mail.subject.startswith(("À rendre bientôt", "Prêt en retard", "Pas encore rendu"))
    ]


def test_the_reminder_comes_the_day_before_and_the_notice_the_day_after(
    owner, borrower, bike, outbox
):
    loan = active(owner, borrower, bike, day(0), day(3))

    assert run(at(day(1))) == (0, 0)  # two days before: nothing yet
    assert run(at(day(2))) == (1, 0)
    assert run(at(day(2), hour=18)) == (0, 0)  # later the same day: already sent
    assert run(at(day(3))) == (0, 0)  # the last day itself: still not late
    assert run(at(day(4))) == (0, 1)
    assert run(at(day(9))) == (0, 0)

    assert reminder_subjects(outbox, borrower) == [
        "À rendre bientôt : « Vélo enfant 20 pouces »",
        "Prêt en retard : « Vélo enfant 20 pouces »",
    ]
    assert reminder_subjects(outbox, owner) == ["Pas encore rendu : « Vélo enfant 20 pouces »"]
    assert "est à rendre le mardi 23 mars 2027" in outbox.to(borrower.email)[-2].text
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == borrower.id)
    ).all()
    assert kinds.count("due_soon") == 1 and kinds.count("overdue") == 1
    assert fresh(loan).due_reminder_sent_at is not None


def test_a_run_that_missed_the_day_before_still_reminds_on_the_last_day(
    owner, borrower, bike, outbox
):
    active(owner, borrower, bike, day(0), day(3))
    assert run(at(day(3))) == (1, 0)
    assert run(at(day(4))) == (0, 1)


def test_only_active_loans_are_reminded(owner, borrower, rival, bike, outbox):
    loan = committed(services.request_loan(borrower, bike, day(1), day(2), now=NOW))
    committed(services.accept_loan(owner, loan, now=NOW))  # accepted, never picked up
    finished = active(owner, rival, bike, day(3), day(4))
    for user in (rival, owner):
        committed(handovers.confirm_return(user, finished, now=at(day(3))))
    assert run(at(day(1))) == (0, 0)
    assert run(at(day(8))) == (0, 0)
    assert reminder_subjects(outbox, borrower) == reminder_subjects(outbox, rival) == []


def test_days_are_paris_days_across_the_daylight_saving_change(owner, borrower, bike, outbox):
    # Due Monday 29 March 2027; clocks go forward in the night of Saturday to Sunday
    active(owner, borrower, bike, date(2027, 3, 27), date(2027, 3, 29), now=at(date(2027, 3, 20)))

    assert run(datetime(2027, 3, 27, 22, 59, tzinfo=UTC)) == (0, 0)  # Sat 23:59 in Paris
    assert run(datetime(2027, 3, 27, 23, 0, tzinfo=UTC)) == (1, 0)  # Sun 00:00, winter time
    assert run(datetime(2027, 3, 29, 21, 59, tzinfo=UTC)) == (0, 0)  # Mon 23:59, summer time
    assert run(datetime(2027, 3, 29, 22, 0, tzinfo=UTC)) == (0, 1)  # Tue 00:00 in Paris
    assert len(reminder_subjects(outbox, borrower)) == 2


def test_an_accepted_extension_starts_the_reminders_again(owner, borrower, bike, outbox):
    loan = active(owner, borrower, bike, day(0), day(2))
    assert run(at(day(1))) == (1, 0)
    committed(extensions.request_extension(borrower, loan, day(5), now=at(day(1))))
    committed(extensions.accept_extension(owner, loan, now=at(day(1))))
    assert run(at(day(3))) == (0, 0)  # no longer overdue on the old date
    assert run(at(day(4))) == (1, 0)
    assert run(at(day(6))) == (0, 1)


@pytest.mark.parametrize("runs", [2, 4])
def test_simultaneous_runs_send_each_reminder_exactly_once(
    app, owner, borrower, rival, bike, outbox, runs
):
    from sportressources.trade.loans import terms

    other = make_loan_listing(owner, title="Raquette de tennis")
    committed(terms.set_terms(owner, other, 1, 10, None))
    active(owner, borrower, bike, day(0), day(2))
    active(owner, rival, other, day(0), day(5))
    moment = at(day(3))  # bike overdue, racket due in two days: nothing for it
    barrier = threading.Barrier(runs)
    reports, failures = [], []

    def cron():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                begin_write()
                reports.append(send_reminders(moment))
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=cron) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    assert sum(report.overdue for report in reports) == 1
    assert sum(report.due_soon for report in reports) == 0
    assert reminder_subjects(outbox, borrower) == ["Prêt en retard : « Vélo enfant 20 pouces »"]
    assert reminder_subjects(outbox, owner) == ["Pas encore rendu : « Vélo enfant 20 pouces »"]
    assert reminder_subjects(outbox, rival) == []


def test_the_cron_command_reports_and_accepts_a_time(app, owner, borrower, bike, outbox):
    active(owner, borrower, bike, day(0), day(2))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["loans", "remind", "--now", "2027-03-21T10:00"])
    assert result.exit_code == 0, result.output
    assert "1 rappel(s) avant échéance, 0 avis de retard" in result.output
    result = runner.invoke(args=["loans", "remind", "--now", "2027-03-21T10:00+01:00"])
    assert "0 rappel(s) avant échéance, 0 avis de retard" in result.output
    result = runner.invoke(args=["loans", "remind", "--now", "2027-03-23T00:30"])
    assert "0 rappel(s) avant échéance, 1 avis de retard" in result.output
    result = runner.invoke(args=["loans", "remind", "--now", "mardi"])
    assert result.exit_code != 0 and "date et heure ISO" in result.output
    assert len(reminder_subjects(outbox, borrower)) == 2


def test_without_a_time_the_command_uses_the_present(app, owner, borrower, bike):
    result = app.test_cli_runner().invoke(args=["loans", "remind"])
    assert result.exit_code == 0 and "0 rappel(s)" in result.output


# --- the flag on the members' pages --------------------------------------------------------------


def test_overdue_loans_are_flagged_to_the_owner_and_the_borrower(owner, borrower, bike, client_for):
    today = paris_today()
    loan = committed(services.request_loan(borrower, bike, today, today + timedelta(days=1)))
    committed(services.accept_loan(owner, loan))
    for user in (owner, borrower):
        committed(handovers.confirm_pickup(user, loan))
    # Travel: the loan ended three days ago
    db.session.get(Loan, loan.id).start_date = today - timedelta(days=5)
    db.session.get(Loan, loan.id).end_date = today - timedelta(days=3)
    db.session.commit()

    for user in (owner, borrower):
        page = client_for(user).get("/prets").get_data(as_text=True)
        assert "– <strong>en retard</strong>" in page
        assert "En retard : à rendre depuis le" in page
        detail = client_for(user).get(f"/prets/{loan.id}").get_data(as_text=True)
        assert "En retard : le matériel devait être rendu le" in detail


# --- requests left unanswered --------------------------------------------------------------------


def test_requests_left_unanswered_expire_once_their_first_day_has_passed(
    app, owner, borrower, bike, outbox
):
    stale = committed(services.request_loan(borrower, bike, day(1), day(2), now=NOW))
    later = committed(services.request_loan(make_user(), bike, day(4), day(5), now=NOW))
    runner = app.test_cli_runner()

    on_the_day = runner.invoke(args=["loans", "remind", "--now", "2027-03-21T10:00"])
    assert "0 demande(s) expirée(s)" in on_the_day.output  # still answerable on its first day
    result = runner.invoke(args=["loans", "remind", "--now", "2027-03-22T00:05"])
    assert "1 demande(s) expirée(s)" in result.output
    again = runner.invoke(args=["loans", "remind", "--now", "2027-03-22T09:00"])
    assert "0 demande(s) expirée(s)" in again.output

    assert (fresh(stale).status, fresh(later).status) == ("expired", "requested")
    mails = [m for m in outbox.to(borrower.email) if m.subject.startswith("Demande expirée")]
    assert len(mails) == 1 and mails[0].link(f"/prets/annonces/{bike.id}")
    with pytest.raises(Conflict, match="a expiré"):
        services.accept_loan(owner, stale, now=at(day(2)))


def test_a_stale_request_no_longer_counts_against_the_cap_even_before_cron(
    app, owner, borrower, bike
):
    app.config["LOANS_MAX_ACTIVE"] = 1
    committed(services.request_loan(borrower, bike, day(1), day(1), now=NOW))
    other = make_loan_listing(owner, title="Raquette")
    with pytest.raises(Conflict, match="déjà 1 prêts"):
        services.request_loan(borrower, other, day(3), day(3), now=NOW)
    db.session.rollback()
    # Two days later, nobody answered: the borrower may ask elsewhere, or again here
    assert (
        committed(services.request_loan(borrower, other, day(3), day(3), now=at(day(2)))).status
        == "requested"
    )
