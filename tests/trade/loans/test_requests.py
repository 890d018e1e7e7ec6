"""Asking to borrow: who may, which dates (Europe/Paris days, lengths, venue opening days,
blocked periods, bookings), kits, and the borrower's own limits."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.notifications.models import Notification
from sportressources.trade.loans import handovers, services, terms
from sportressources.trade.loans.availability import DatesBlocked, DatesTaken, month_tables
from sportressources.trade.loans.models import Booking, Loan
from sportressources.venues.models import Venue
from tests.factories import make_listing, move_listing
from tests.trade.loans.conftest import NOW, TODAY, at, committed, day, fresh, make_loan_listing


def ask(user, listing, start, end, message="", now=NOW) -> Loan:
    return committed(services.request_loan(user, listing, start, end, message, now=now))


def accepted(owner, user, listing, start, end, now=NOW) -> Loan:
    loan = ask(user, listing, start, end, now=now)
    return committed(services.accept_loan(owner, loan, now=now))


def field_errors(excinfo) -> dict:
    return {name: [str(m) for m in messages] for name, messages in excinfo.value.fields.items()}


# --- who may ask ---------------------------------------------------------------------------------


def test_a_member_asks_for_dates_and_the_owner_is_told(owner, borrower, bike, outbox):
    loan = ask(borrower, bike, day(1), day(3), "Pour la sortie du club")

    assert (loan.status, loan.start_date, loan.end_date, loan.days) == (
        "requested",
        day(1),
        day(3),
        3,
    )
    assert loan.lender_id == owner.id and loan.deposit_cents == 5000
    mail = outbox.last(owner.email)
    assert mail.subject == "Demande de prêt pour « Vélo enfant 20 pouces »"
    assert "Inès Emprunteuse aimerait emprunter" in mail.text
    assert "Pour la sortie du club" in mail.text
    assert mail.link(f"/prets/{loan.id}")
    notification = db.session.scalar(select(Notification).where(Notification.user_id == owner.id))
    assert notification.kind == "loan_requested"
    assert notification.params == {
        "title": "Vélo enfant 20 pouces",
        "start": "2027-03-21",
        "end": "2027-03-23",
        "actor_id": borrower.id,
    }
    assert notification.url == f"/prets/{loan.id}"
    # Nothing is booked until the owner accepts
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_the_owner_cannot_request_their_own_item(owner, bike):
    with pytest.raises(Forbidden, match="C’est votre annonce"):
        services.request_loan(owner, bike, day(1), day(2), now=NOW)


@pytest.mark.parametrize("status", ["draft", "awaiting_review", "rejected"])
def test_a_listing_nobody_can_see_is_not_found(owner, borrower, status):
    listing = make_loan_listing(owner, status=status)
    with pytest.raises(NotFound):
        services.request_loan(borrower, listing, day(1), day(2), now=NOW)


@pytest.mark.parametrize("status", ["reserved", "withdrawn"])
def test_a_listing_not_lent_now_is_a_conflict(owner, borrower, status):
    listing = make_loan_listing(owner, status=status)
    with pytest.raises(Conflict, match="pas disponible au prêt"):
        services.request_loan(borrower, listing, day(1), day(2), now=NOW)


def test_gifts_and_sales_are_not_lent(owner, borrower):
    gift = make_listing(owner=owner, kind="gift")
    with pytest.raises(NotFound):
        services.request_loan(borrower, gift, day(1), day(2), now=NOW)


def test_one_waiting_request_per_member_and_listing(borrower, bike):
    ask(borrower, bike, day(1), day(2))
    with pytest.raises(Conflict, match="déjà une demande en attente"):
        services.request_loan(borrower, bike, day(10), day(11), now=NOW)


def test_a_message_over_1000_characters_is_refused(borrower, bike):
    with pytest.raises(ValidationFailed) as excinfo:
        services.request_loan(borrower, bike, day(1), day(2), "x" * 1001, now=NOW)
    assert "1000 caractères" in field_errors(excinfo)["message"][0]


# --- dates ---------------------------------------------------------------------------------------


def test_a_same_day_loan_is_one_day(borrower, bike):
    loan = ask(borrower, bike, TODAY, TODAY)
    assert loan.days == 1


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (day(3), day(2), "end_date", "ne peut pas précéder le premier"),
        (day(-1), day(2), "start_date", "ne peut pas être passé"),
        (day(1), day(8), "end_date", "au plus 7 jour(s) : votre demande en compte 8"),
        (day(400), day(401), "start_date", "un an à l’avance"),
        (None, day(2), "start_date", "Indiquez le premier jour"),
        (day(1), None, "end_date", "Indiquez le dernier jour"),
    ],
)
def test_dates_outside_the_rules_are_refused_on_their_field(
    borrower, bike, start, end, field, message
):
    with pytest.raises(ValidationFailed) as excinfo:
        services.request_loan(borrower, bike, start, end, now=NOW)
    assert message in " ".join(field_errors(excinfo)[field])


def test_the_maximum_length_itself_is_allowed(borrower, bike):
    assert ask(borrower, bike, day(1), day(7)).days == 7


def test_below_the_minimum_length_is_refused(owner, borrower, bike):
    committed(terms.set_terms(owner, bike, 3, 10, None))
    with pytest.raises(ValidationFailed) as excinfo:
        services.request_loan(borrower, bike, day(1), day(2), now=NOW)
    assert "au moins 3 jour(s) : votre demande en compte 2" in field_errors(excinfo)["end_date"][0]
    assert ask(borrower, bike, day(1), day(3)).days == 3


def test_today_is_the_paris_calendar_day_across_the_daylight_saving_change(borrower, bike):
    # 2027-03-27 23:30 UTC is already Sunday the 28th, 00:30, in Paris (still winter time)
    late_saturday = datetime(2027, 3, 27, 22, 59, tzinfo=UTC)  # 23:59 in Paris
    sunday_in_paris = datetime(2027, 3, 27, 23, 30, tzinfo=UTC)
    with pytest.raises(ValidationFailed, match="ne peut pas être passé"):
        services.request_loan(
            borrower, bike, date(2027, 3, 27), date(2027, 3, 29), now=sunday_in_paris
        )
    db.session.rollback()
    # A loan across the change (the night of the 28th lasts 23 hours) is three calendar days
    loan = ask(borrower, bike, date(2027, 3, 27), date(2027, 3, 29), now=late_saturday)
    assert loan.days == 3


def test_at_a_venue_the_first_and_last_days_fall_on_opening_days(owner, borrower):
    venue = db.session.scalar(select(Venue).order_by(Venue.id).limit(1))
    venue.open_weekdays = "36"  # Wednesdays and Saturdays
    db.session.commit()
    listing = make_loan_listing(owner, venue=venue)
    saturday, sunday, wednesday = date(2027, 3, 20), date(2027, 3, 21), date(2027, 3, 24)

    with pytest.raises(ValidationFailed) as excinfo:
        services.request_loan(borrower, listing, sunday, wednesday, now=NOW)
    assert field_errors(excinfo) == {
        "start_date": [f"{venue.name} est fermé le dimanche 21 mars 2027 : la remise et le "
                       "retour se font un jour d’ouverture."]
    }  # fmt: skip
    db.session.rollback()
    with pytest.raises(ValidationFailed) as excinfo:
        services.request_loan(borrower, listing, saturday, sunday, now=NOW)
    assert list(field_errors(excinfo)) == ["end_date"]
    db.session.rollback()
    # The loan may span closed days; only the handover days matter
    assert ask(borrower, listing, saturday, wednesday).days == 5


def test_a_venue_without_known_opening_days_accepts_any_day(owner, borrower):
    venue = db.session.scalar(select(Venue).order_by(Venue.id).limit(1))
    venue.open_weekdays = ""
    db.session.commit()
    listing = make_loan_listing(owner, venue=venue)
    assert ask(borrower, listing, date(2027, 3, 21), date(2027, 3, 21)).days == 1


# --- bookings and blocked periods ----------------------------------------------------------------


def test_booked_days_are_refused_with_the_dates_and_the_waiting_list(owner, borrower, rival, bike):
    accepted(owner, borrower, bike, day(2), day(4))
    with pytest.raises(DatesTaken) as excinfo:
        services.request_loan(rival, bike, day(4), day(6), now=NOW)
    message = str(excinfo.value)
    assert "déjà prêté du 24 mars 2027 au 24 mars 2027" in message
    assert "liste d’attente" in message
    db.session.rollback()
    # Touching without overlapping is fine: the day after the last
    assert ask(rival, bike, day(5), day(6)).status == "requested"


def test_blocked_periods_refuse_their_days_only(owner, borrower, bike):
    committed(terms.add_blocked_period(owner, bike, day(5), day(7), "Vacances", now=NOW))
    with pytest.raises(DatesBlocked, match="ne prête pas « Vélo enfant 20 pouces » du 25 mars"):
        services.request_loan(borrower, bike, day(4), day(5), now=NOW)
    db.session.rollback()
    assert ask(borrower, bike, day(8), day(9)).status == "requested"


def test_blocked_period_rules(owner, borrower, stranger, bike):
    with pytest.raises(Forbidden):
        terms.add_blocked_period(stranger, bike, day(1), day(2), now=NOW)
    with pytest.raises(ValidationFailed, match="ne peut pas précéder"):
        terms.add_blocked_period(owner, bike, day(3), day(2), now=NOW)
    with pytest.raises(ValidationFailed, match="déjà passée"):
        terms.add_blocked_period(owner, bike, day(-5), day(-1), now=NOW)
    with pytest.raises(ValidationFailed, match="120 caractères"):
        terms.add_blocked_period(owner, bike, day(1), day(2), "x" * 121, now=NOW)
    accepted(owner, borrower, bike, day(2), day(3))
    with pytest.raises(Conflict, match="Un prêt accepté occupe déjà ces dates"):
        terms.add_blocked_period(owner, bike, day(3), day(9), now=NOW)


def test_removing_a_blocked_period_lends_those_days_again(owner, borrower, stranger, bike):
    period = committed(terms.add_blocked_period(owner, bike, day(1), day(3), now=NOW))
    with pytest.raises(Forbidden):
        terms.remove_blocked_period(stranger, period)
    committed(terms.remove_blocked_period(owner, period))
    assert ask(borrower, bike, day(1), day(3)).status == "requested"


# --- kits ----------------------------------------------------------------------------------------


def test_a_booked_kit_blocks_each_of_its_items(owner, borrower, rival, kit):
    loan = accepted(owner, borrower, kit, day(1), day(3))
    booked = db.session.scalars(
        select(Booking.listing_id).where(Booking.loan_id == loan.id).order_by(Booking.listing_id)
    ).all()
    assert booked == sorted([kit.id, *(item.id for item in kit.items)])
    for item in kit.items:
        with pytest.raises(DatesTaken):
            services.request_loan(rival, item, day(3), day(4), now=NOW)
        db.session.rollback()


def test_a_booked_item_blocks_the_kit_for_those_days(owner, borrower, rival, kit):
    foil = kit.items[2]
    accepted(owner, borrower, foil, day(2), day(2))
    with pytest.raises(DatesTaken, match="déjà prêté du 22 mars 2027 au 22 mars 2027"):
        services.request_loan(rival, kit, day(1), day(5), now=NOW)
    db.session.rollback()
    assert ask(rival, kit, day(3), day(5)).status == "requested"
    # The other items stay free on the foil's day
    assert ask(rival, kit.items[0], day(2), day(2)).status == "requested"


def test_an_item_blocked_by_its_owner_blocks_the_kit(owner, borrower, kit):
    committed(terms.add_blocked_period(owner, kit.items[0], day(4), day(4), now=NOW))
    with pytest.raises(DatesBlocked):
        services.request_loan(borrower, kit, day(3), day(5), now=NOW)


def test_a_kit_whose_item_was_withdrawn_cannot_be_lent(owner, borrower, kit):
    move_listing(kit.items[1], "withdraw")
    with pytest.raises(Conflict, match="« Veste d’escrime », qui fait partie de ce kit"):
        services.request_loan(borrower, kit, day(1), day(2), now=NOW)


def test_kit_composition_rules(owner, stranger, kit):
    mask, jacket, foil = kit.items
    others = make_loan_listing(stranger, title="Vélo d’un autre membre")
    gift = make_listing(owner=owner, kind="gift", title="Un don")
    for item_ids in ([others.id], [gift.id], [kit.id], [10**6]):
        with pytest.raises(ValidationFailed, match="vos autres annonces de prêt"):
            terms.set_terms(
                owner, make_loan_listing(owner, title="Autre kit"), 1, 5, None, item_ids
            )
        db.session.rollback()
    # An item of a kit cannot become a kit itself (no nesting)
    with pytest.raises(ValidationFailed, match="fait déjà partie d’un kit"):
        terms.set_terms(owner, mask, 1, 5, None, [jacket.id])
    with pytest.raises(Forbidden):
        terms.set_terms(stranger, kit, 1, 5, None, [])


@pytest.mark.parametrize(
    ("low", "high", "deposit", "field"),
    [(0, 5, None, "min_days"), (3, 2, None, "max_days"), (1, 400, None, "max_days"),
     (1, 5, 300_000, "deposit"), (None, 5, None, "min_days")],
)  # fmt: skip
def test_terms_rules(owner, bike, low, high, deposit, field):
    with pytest.raises(ValidationFailed) as excinfo:
        terms.set_terms(owner, bike, low, high, deposit)
    assert list(excinfo.value.fields) == [field]


def test_terms_apply_to_later_requests_and_the_deposit_is_copied(owner, borrower, rival, bike):
    loan = ask(borrower, bike, day(1), day(2))
    committed(terms.set_terms(owner, bike, 1, 300, None))
    assert fresh(loan).deposit_cents == 5000
    assert ask(rival, bike, day(10), day(309)).deposit_cents is None


def test_a_loan_listing_without_terms_lends_one_to_fourteen_days(owner, borrower):
    listing = make_loan_listing(owner)
    assert terms.terms_of(listing) == terms.Terms(1, 14, None, custom=False)
    with pytest.raises(ValidationFailed):
        services.request_loan(borrower, listing, day(1), day(15), now=NOW)


# --- the borrower's limits -----------------------------------------------------------------------


def test_a_borrower_with_an_overdue_loan_cannot_ask_for_another(owner, borrower, bike):
    loan = accepted(owner, borrower, bike, day(0), day(1))
    committed(handovers.confirm_pickup(owner, loan, now=NOW))
    committed(handovers.confirm_pickup(borrower, loan, now=NOW))
    other = make_loan_listing(owner, title="Raquette")
    # Not overdue on its last day…
    assert ask(borrower, other, day(3), day(3), now=at(day(1))).status == "requested"
    # …overdue the day after: refused
    with pytest.raises(Conflict, match="prêt en retard") as excinfo:
        services.request_loan(borrower, make_loan_listing(owner), day(5), day(5), now=at(day(2)))
    assert excinfo.value.code == "borrower_overdue"


def test_the_cap_on_simultaneous_loans_comes_from_the_configuration(app, owner, borrower):
    app.config["LOANS_MAX_ACTIVE"] = 2
    listings = [make_loan_listing(owner, title=f"Ballon {n}") for n in range(3)]
    first = ask(borrower, listings[0], day(1), day(1))
    ask(borrower, listings[1], day(1), day(1))
    with pytest.raises(Conflict, match="déjà 2 prêts demandés ou en cours") as excinfo:
        services.request_loan(borrower, listings[2], day(1), day(1), now=NOW)
    assert excinfo.value.code == "borrower_cap"
    db.session.rollback()
    # A finished or cancelled loan frees a place
    committed(services.cancel_loan(borrower, first, now=NOW))
    assert ask(borrower, listings[2], day(1), day(1)).status == "requested"


def test_the_default_cap_is_three(owner, borrower):
    listings = [make_loan_listing(owner, title=f"Ballon {n}") for n in range(4)]
    for listing in listings[:3]:
        ask(borrower, listing, day(1), day(1))
    with pytest.raises(Conflict, match="déjà 3 prêts"):
        services.request_loan(borrower, listings[3], day(1), day(1), now=NOW)


# --- the calendar --------------------------------------------------------------------------------


def states(months, start: date, end: date) -> list[str]:
    found = {
        cell.day: cell.state
        for month in months
        for week in month.weeks
        for cell in week
        if cell is not None
    }
    return [found[start + timedelta(days=n)] for n in range((end - start).days + 1)]


def test_the_calendar_marks_each_day_across_the_daylight_saving_change(owner, borrower, bike):
    committed(terms.add_blocked_period(owner, bike, date(2027, 4, 10), date(2027, 4, 11), now=NOW))
    accepted(owner, borrower, bike, date(2027, 3, 27), date(2027, 3, 29))

    months = month_tables(bike, today=date(2027, 3, 22))

    assert [month.first for month in months] == [
        date(2027, 3, 1),
        date(2027, 4, 1),
        date(2027, 5, 1),
    ]
    march = [cell for week in months[0].weeks for cell in week if cell is not None]
    assert len(march) == 31 and march[27].day == date(2027, 3, 28)
    assert states(months, date(2027, 3, 20), date(2027, 3, 31)) == (
        ["past"] * 2 + ["free"] * 5 + ["booked"] * 3 + ["free"] * 2
    )
    assert states(months, date(2027, 4, 9), date(2027, 4, 12)) == [
        "free",
        "blocked",
        "blocked",
        "free",
    ]
    # Weeks run Monday to Sunday: 1 March 2027 is a Monday, 31 May a Monday too
    assert months[0].weeks[0][0].day == date(2027, 3, 1)
    assert months[2].weeks[-1][0].day == date(2027, 5, 31)


def test_the_calendar_of_a_kit_shows_its_items_bookings(owner, borrower, kit):
    accepted(owner, borrower, kit.items[0], date(2027, 3, 25), date(2027, 3, 26))
    months = month_tables(kit, today=date(2027, 3, 22))
    assert states(months, date(2027, 3, 24), date(2027, 3, 27)) == [
        "free",
        "booked",
        "booked",
        "free",
    ]


def test_the_calendar_says_when_the_venue_is_closed(owner):
    venue = db.session.scalar(select(Venue).order_by(Venue.id).limit(1))
    venue.open_weekdays = "6"
    db.session.commit()
    listing = make_loan_listing(owner, venue=venue)
    months = month_tables(listing, today=date(2027, 3, 22))
    cells = {c.day: c for m in months for w in m.weeks for c in w if c is not None}
    assert cells[date(2027, 3, 27)].can_start  # a Saturday
    assert not cells[date(2027, 3, 28)].can_start
    assert cells[date(2027, 3, 28)].state == "free"
