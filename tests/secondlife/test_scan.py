"""The scan: thresholds just before and just after, for idle loans and unclaimed gifts; items
already routed or dismissed are never suggested again; twice (or twice at once) suggests once."""

from datetime import date, timedelta

from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.secondlife import services
from sportressources.secondlife.models import Suggestion
from sportressources.secondlife.scan import months_before, scan
from sportressources.trade.exchanges.models import ExchangeRequest
from sportressources.trade.loans.models import Loan
from tests.concurrency import in_threads
from tests.factories import committed, make_user
from tests.secondlife.conftest import NOW, aged

SUBJECT = "Une seconde vie pour « Vélo enfant 20 pouces » ?"
LOAN_CUTOFF = months_before(NOW, 6)
GIFT_CUTOFF = NOW - timedelta(weeks=8)
MINUTE = timedelta(minutes=1)


def suggestions_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Suggestion))


def test_months_before_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    assert months_before(NOW, 6).isoformat() == "2026-12-15T10:00:00+00:00"
    assert months_before(NOW.replace(month=8, day=31), 6).date() == date(2027, 2, 28)


def test_a_loan_item_idle_just_under_six_months_is_not_suggested(loan_item, outbox):
    aged(loan_item, LOAN_CUTOFF + MINUTE)
    assert committed(scan(NOW)) == 0
    assert outbox.to("owner@example.org") == []


def test_a_loan_item_idle_six_months_is_suggested_by_notice_and_email(loan_item, outbox):
    aged(loan_item, LOAN_CUTOFF)
    assert committed(scan(NOW)) == 1
    mail = outbox.last("owner@example.org")
    assert mail.subject == SUBJECT
    assert "/seconde-vie/" in mail.link("/seconde-vie/")
    suggestion = db.session.scalar(select(Suggestion))
    assert (suggestion.reason, suggestion.status) == ("idle_loan", "suggested")


def test_idle_time_counts_from_the_last_return(app, loan_item, owner):
    borrower = make_user()
    loan = Loan(
        listing_id=loan_item.id,
        borrower_id=borrower.id,
        lender_id=owner.id,
        status="returned",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 1, 8),
        returned_at=LOAN_CUTOFF + MINUTE,
    )
    db.session.add(loan)
    db.session.commit()
    assert committed(scan(NOW)) == 0  # returned less than six months ago
    assert committed(scan(NOW + 2 * MINUTE)) == 1


def test_a_loan_asked_or_running_keeps_the_item_in_use(loan_item, owner):
    db.session.add(
        Loan(
            listing_id=loan_item.id,
            borrower_id=make_user().id,
            lender_id=owner.id,
            status="requested",
            start_date=date(2027, 7, 1),
            end_date=date(2027, 7, 3),
        )
    )
    db.session.commit()
    assert committed(scan(NOW)) == 0


def test_the_threshold_is_a_setting(app, loan_item):
    aged(loan_item, months_before(NOW, 3))
    assert committed(scan(NOW)) == 0
    app.config["SECOND_LIFE_LOAN_IDLE_MONTHS"] = 3
    assert committed(scan(NOW)) == 1


def test_a_gift_unclaimed_just_under_eight_weeks_is_not_suggested(gift_item):
    aged(gift_item, GIFT_CUTOFF + MINUTE)
    assert committed(scan(NOW)) == 0


def test_a_gift_unclaimed_eight_weeks_is_suggested(gift_item, outbox):
    aged(gift_item, GIFT_CUTOFF)
    assert committed(scan(NOW)) == 1
    assert outbox.last("owner@example.org").subject == (
        "Une seconde vie pour « Raquette de badminton » ?"
    )
    assert db.session.scalar(select(Suggestion.reason)) == "unclaimed_gift"


def test_a_gift_with_an_accepted_request_is_claimed(gift_item):
    db.session.add(
        ExchangeRequest(listing_id=gift_item.id, requester_id=make_user().id, status="accepted")
    )
    db.session.commit()
    assert committed(scan(NOW)) == 0


def test_listings_not_public_are_never_suggested(gift_item, owner):
    from sportressources.listings import services as listings

    committed(listings.withdraw_listing(owner, gift_item))
    assert committed(scan(NOW)) == 0


def test_an_item_already_routed_is_not_suggested_again(suggested, owner, ressourcerie, volunteer):
    committed(services.offer_to_ressourcerie(owner, suggested, ressourcerie.id))
    assert committed(scan(NOW + timedelta(days=400))) == 0
    committed(services.accept_offer(volunteer, suggested))
    assert committed(scan(NOW + timedelta(days=800))) == 0
    assert suggestions_count() == 1


def test_a_dismissed_item_is_never_suggested_again(gift_item, suggested, owner, outbox):
    committed(services.dismiss(owner, suggested))
    assert committed(scan(NOW + timedelta(days=800))) == 0
    assert suggestions_count() == 2  # the gift was suggested by the first scan too
    assert len(outbox.to("owner@example.org")) == 2


def test_a_dismissed_gift_is_never_suggested_again(gift_item, owner):
    committed(scan(NOW))
    suggestion = db.session.scalar(select(Suggestion))
    committed(services.dismiss(owner, suggestion))
    assert committed(scan(NOW + timedelta(days=800))) == 0


def test_the_command_run_twice_suggests_once(app, loan_item, outbox):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["secondlife", "scan", "--now", NOW.isoformat()])
    second = runner.invoke(args=["secondlife", "scan", "--now", NOW.isoformat()])
    assert "1 suggestion de seconde vie envoyée." in first.output
    assert "0 suggestion de seconde vie envoyée." in second.output
    assert [m.subject for m in outbox.to("owner@example.org")] == [SUBJECT]


def test_the_command_refuses_a_malformed_moment(app):
    result = app.test_cli_runner().invoke(args=["secondlife", "scan", "--now", "demain"])
    assert result.exit_code != 0
    assert "date et heure ISO attendues" in result.output


def test_two_scans_at_once_suggest_once(app, loan_item, gift_item, outbox):
    results = in_threads(app, [lambda: scan(NOW), lambda: scan(NOW)])
    assert sorted(results) == [0, 2]
    assert suggestions_count() == 2
    assert len(outbox.to("owner@example.org")) == 2
