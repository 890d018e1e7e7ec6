"""No double booking whatever the concurrency, on both databases: dozens of simultaneous accepts
through the real pages, service calls in threads of their own, kits against their items (which
PostgreSQL's exclusion constraint decides), extensions against new loans, the borrower's cap.
Exactly one wins; the others get a French message, never an error page; nothing half-written."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.errors import Conflict
from sportressources.trade.loans import extensions, handovers, services
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Booking, Loan
from sportressources.trade.models import Rating
from tests.concurrency import in_threads, post_at_once
from tests.factories import make_user
from tests.trade.loans.conftest import NOW, at, committed, day, make_loan_listing

LOSING_MESSAGES = (
    "Un autre prêt vient d’être accepté pour ces dates",
    "Ces dates ne sont plus libres",
    "Ces dates ont été données à une autre demande",
)


def flash_after(browser, loan_id) -> str:
    return browser.get(f"/prets/{loan_id}").get_data(as_text=True)


def statuses_of(loans) -> list[str]:
    db.session.rollback()
    return [db.session.get(Loan, loan.id, populate_existing=True).status for loan in loans]


def no_overlapping_bookings() -> bool:
    rows = db.session.scalars(select(Booking).order_by(Booking.listing_id, Booking.start_date))
    last: dict[int, Booking] = {}
    for row in rows:
        previous = last.get(row.listing_id)
        if previous is not None and previous.end_date >= row.start_date:
            return False
        last[row.listing_id] = row
    return True


def borrowers(count: int) -> list:
    return [make_user(display_name=f"Emprunteur {n}") for n in range(count)]


# --- through the pages ---------------------------------------------------------------------------


def test_24_simultaneous_accepts_through_the_pages_book_exactly_one(
    app, owner, bike, client_for, outbox
):
    today = paris_today()
    people = borrowers(24)
    # Every range overlaps every other: they all contain today + 6
    loans = [
        committed(
            services.request_loan(
                user, bike, today + timedelta(days=1 + n % 6), today + timedelta(days=6 + n % 2)
            )
        )
        for n, user in enumerate(people)
    ]
    tabs = [client_for(owner) for _ in loans]

    statuses = post_at_once(
        app,
        [(tab, f"/prets/{loan.id}/accepter", {}) for tab, loan in zip(tabs, loans, strict=True)],
    )

    assert statuses == [303] * 24
    final = statuses_of(loans)
    assert final.count("accepted") == 1 and final.count("declined") == 23
    [winner] = [loan for loan, status in zip(loans, final, strict=True) if status == "accepted"]
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
    assert db.session.scalar(select(Booking.loan_id)) == winner.id
    for tab, loan in zip(tabs, loans, strict=True):
        page = flash_after(tab, loan.id)
        if loan.id == winner.id:
            assert "Prêt accepté : les dates sont réservées" in page
        else:
            assert any(message in page for message in LOSING_MESSAGES), page[:2000]
    # Each borrower heard exactly once: accepted, or declined
    for user in people:
        assert len(outbox.to(user.email)) == 1


def test_simultaneous_accepts_of_a_kit_and_of_its_item_book_exactly_one(
    app, owner, kit, client_for
):
    today = paris_today()
    mask = kit.items[0]
    people = borrowers(24)
    loans = [
        committed(
            services.request_loan(
                user,
                kit if n % 2 else mask,
                today + timedelta(days=2 + n % 3),
                today + timedelta(days=5),
            )
        )
        for n, user in enumerate(people)
    ]
    tabs = [client_for(owner) for _ in loans]

    statuses = post_at_once(
        app,
        [(tab, f"/prets/{loan.id}/accepter", {}) for tab, loan in zip(tabs, loans, strict=True)],
    )

    assert statuses == [303] * 24
    final = statuses_of(loans)
    assert final.count("accepted") == 1
    [winner] = [loan for loan, status in zip(loans, final, strict=True) if status == "accepted"]
    expected_rows = 4 if winner.listing_id == kit.id else 1
    assert db.session.scalar(select(func.count()).select_from(Booking)) == expected_rows
    assert set(db.session.scalars(select(Booking.loan_id))) == {winner.id}
    assert no_overlapping_bookings()
    for tab, loan in zip(tabs, loans, strict=True):
        if loan.id != winner.id:
            page = flash_after(tab, loan.id)
            assert any(message in page for message in LOSING_MESSAGES), page[:2000]


def test_simultaneous_requests_never_exceed_the_borrowers_cap(app, owner, borrower, client_for):
    app.config["LOANS_MAX_ACTIVE"] = 1
    today = paris_today()
    listings = [make_loan_listing(owner, title=f"Ballon {n}") for n in range(8)]
    tabs = [client_for(borrower) for _ in listings]
    data = {
        "loan-start_date": (today + timedelta(days=2)).isoformat(),
        "loan-end_date": (today + timedelta(days=3)).isoformat(),
    }

    statuses = post_at_once(
        app,
        [
            (tab, f"/prets/annonces/{listing.id}/demander", data)
            for tab, listing in zip(tabs, listings, strict=True)
        ],
    )

    assert sorted(statuses) == [303] + [409] * 7
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 1


# --- service calls in threads of their own -------------------------------------------------------


def accept_as_owner(owner_id, loan_id, now=NOW):
    def action():
        owner = db.session.get(User, owner_id)
        return services.accept_loan(owner, db.session.get(Loan, loan_id), now=now).id

    return action


def test_threads_accepting_kits_and_items_at_once_book_exactly_one(app, owner, kit):
    mask = kit.items[0]
    people = borrowers(12)
    loans = [
        committed(services.request_loan(user, kit if n < 6 else mask, day(2), day(4), now=NOW))
        for n, user in enumerate(people)
    ]

    results = in_threads(app, [accept_as_owner(owner.id, loan.id) for loan in loans])

    winners = [result for result in results if isinstance(result, int)]
    assert len(winners) == 1
    losers = [result for result in results if isinstance(result, Conflict)]
    assert len(losers) == 11
    for error in losers:
        assert any(message in str(error) for message in LOSING_MESSAGES), str(error)
    final = statuses_of(loans)
    assert final.count("accepted") == 1
    assert set(db.session.scalars(select(Booking.loan_id))) == set(winners)
    assert no_overlapping_bookings()


def test_an_extension_racing_new_loans_of_an_item_lets_exactly_one_through(app, owner, kit):
    first = committed(services.request_loan(make_user(), kit, day(0), day(2), now=NOW))
    committed(services.accept_loan(owner, first, now=NOW))
    committed(handovers.confirm_pickup(owner, first, now=NOW))
    committed(handovers.confirm_pickup(first.borrower, first, now=NOW))
    committed(extensions.request_extension(first.borrower, first, day(5), now=NOW))
    foil = kit.items[2]
    rivals = [
        committed(services.request_loan(user, foil, day(4), day(6), now=NOW))
        for user in borrowers(7)
    ]

    def extend():
        return extensions.accept_extension(
            db.session.get(User, owner.id), db.session.get(Loan, first.id), now=NOW
        ).id

    results = in_threads(app, [extend] + [accept_as_owner(owner.id, loan.id) for loan in rivals])

    assert sum(isinstance(result, int) for result in results) == 1
    assert no_overlapping_bookings()
    extended = db.session.get(Loan, first.id, populate_existing=True)
    rows = db.session.scalars(select(Booking).where(Booking.loan_id == first.id)).all()
    if isinstance(results[0], int):
        assert extended.end_date == day(5) and {row.end_date for row in rows} == {day(5)}
        assert statuses_of(rivals).count("accepted") == 0
    else:
        assert "chevauche" in str(results[0]) or "vient d’être accepté" in str(results[0])
        assert extended.end_date == day(2) and {row.end_date for row in rows} == {day(2)}
        assert extended.extension_end_date == day(5)
        assert statuses_of(rivals).count("accepted") == 1


def test_both_parties_confirming_the_pickup_at_once_start_the_loan_once(
    app, owner, borrower, bike, outbox
):
    loan = committed(services.request_loan(borrower, bike, day(0), day(2), now=NOW))
    committed(services.accept_loan(owner, loan, now=NOW))

    def confirm(user_id):
        return lambda: (
            handovers.confirm_pickup(
                db.session.get(User, user_id), db.session.get(Loan, loan.id), now=NOW
            ).status
        )

    results = in_threads(app, [confirm(owner.id), confirm(borrower.id)])

    assert sorted(results) == ["accepted", "active"]
    started = [
        mail
        for address in (owner.email, borrower.email)
        for mail in outbox.to(address)
        if mail.subject.startswith("Prêt en cours")
    ]
    assert len(started) == 1


def test_rating_twice_at_once_keeps_one_rating_each(app, owner, borrower, bike):
    loan = committed(services.request_loan(borrower, bike, day(0), day(0), now=NOW))
    committed(services.accept_loan(owner, loan, now=NOW))
    for user in (owner, borrower):
        committed(handovers.confirm_pickup(user, loan, now=NOW))
    for user in (owner, borrower):
        committed(handovers.confirm_return(user, loan, now=at(day(0))))

    def rate(user_id, score):
        return lambda: (
            services.rate_loan(
                db.session.get(User, user_id), db.session.get(Loan, loan.id), score
            ).id
        )

    results = in_threads(app, [rate(u, s) for u in (owner.id, borrower.id) for s in (4, 5)])

    assert sum(isinstance(result, int) for result in results) == 2
    assert sorted(db.session.scalars(select(Rating.rater_id))) == sorted([owner.id, borrower.id])


# --- the database's own guarantee ----------------------------------------------------------------


def test_the_database_refuses_overlapping_bookings_of_one_listing(owner, borrower, rival, bike):
    first = committed(services.request_loan(borrower, bike, day(1), day(3), now=NOW))
    second = committed(services.request_loan(rival, bike, day(5), day(6), now=NOW))
    db.session.add(
        Booking(loan_id=first.id, listing_id=bike.id, start_date=day(1), end_date=day(3))
    )
    db.session.commit()

    db.session.add(
        Booking(loan_id=second.id, listing_id=bike.id, start_date=day(3), end_date=day(4))
    )
    with pytest.raises(IntegrityError, match="loan_bookings_no_overlap"):
        db.session.commit()
    db.session.rollback()
    # Moving a booking onto another is refused the same way
    db.session.add(
        Booking(loan_id=second.id, listing_id=bike.id, start_date=day(5), end_date=day(6))
    )
    db.session.commit()
    with pytest.raises(IntegrityError, match="loan_bookings_no_overlap"):
        db.session.execute(
            text("UPDATE loan_bookings SET start_date = :start WHERE loan_id = :loan"),
            {"start": day(2), "loan": second.id},
        )
        db.session.commit()
    db.session.rollback()
    # Adjacent ranges and other listings are fine
    other = make_loan_listing(owner, title="Autre vélo")
    db.session.add(
        Booking(loan_id=second.id, listing_id=other.id, start_date=day(1), end_date=day(3))
    )
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 3


def test_two_runs_expiring_requests_at_once_close_and_tell_each_once(app, owner, bike, outbox):
    forgotten = [make_user() for _ in range(3)]
    for user in forgotten:
        committed(services.request_loan(user, bike, day(1), day(2), now=NOW))

    def expire():
        return services.expire_requests(at(day(2)))

    assert sorted(in_threads(app, [expire, expire])) == [0, 3]
    assert db.session.scalars(select(Loan.status)).all() == ["expired"] * 3
    for user in forgotten:
        told = [m for m in outbox.to(user.email) if m.subject.startswith("Demande expirée")]
        assert len(told) == 1
