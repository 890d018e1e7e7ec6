"""The private iCal feed: created, replaced and revoked from « Mon calendrier », read back with
the icalendar package, all-day events with an exclusive end, across the daylight-saving change."""

from datetime import date, timedelta

from icalendar import Calendar
from sqlalchemy import select

from sportressources.accounts import personal_data
from sportressources.core.db import db
from sportressources.trade.loans import calendar as feeds
from sportressources.trade.loans import handovers, services
from sportressources.trade.loans.models import CalendarFeed
from tests.factories import PASSWORD
from tests.trade.loans.conftest import NOW, at, committed, make_loan_listing


def events(response) -> dict[str, dict]:
    calendar = Calendar.from_ical(response.data)
    return {
        str(event["summary"]): {
            "start": event.decoded("dtstart"),
            "end": event.decoded("dtend"),
            "value": event["dtstart"].params.get("VALUE"),
            "uid": str(event["uid"]),
            "location": str(event.get("location")),
        }
        for event in calendar.walk("VEVENT")
    }


def feed_path(client) -> str:
    client.post("/prets/calendrier/adresse")
    page = client.get("/prets/calendrier").get_data(as_text=True)
    token = db.session.scalar(select(CalendarFeed.token))
    assert f"http://localhost/calendrier/{token}.ics" in page
    return f"/calendrier/{token}.ics"


def test_the_feed_lists_loans_on_both_sides_as_all_day_events(
    app, owner, borrower, rival, bike, client_for
):
    # Across the change to summer time: 27 to 29 March 2027, three days
    borrowed = committed(
        services.request_loan(borrower, bike, date(2027, 3, 27), date(2027, 3, 29), now=NOW)
    )
    committed(services.accept_loan(owner, borrowed, now=NOW))
    own = make_loan_listing(borrower, title="Raquettes de badminton")
    lent = committed(services.request_loan(rival, own, date(2027, 4, 2), date(2027, 4, 2), now=NOW))
    committed(services.accept_loan(borrower, lent, now=NOW))
    # Neither a request waiting for an answer nor a cancelled loan is on the calendar
    committed(services.request_loan(borrower, make_loan_listing(owner, title="Trottinette"),
                                     date(2027, 4, 5), date(2027, 4, 6), now=NOW))  # fmt: skip
    browser = client_for(borrower)

    response = client_for(borrower).get(feed_path(browser))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    found = events(response)
    assert set(found) == {
        "Emprunt : « Vélo enfant 20 pouces » (prêté par Olivier Prêteur)",
        "Prêt : « Raquettes de badminton » à Rémi Rival",
    }
    bike_event = found["Emprunt : « Vélo enfant 20 pouces » (prêté par Olivier Prêteur)"]
    assert bike_event["start"] == date(2027, 3, 27)
    assert bike_event["end"] == date(2027, 3, 30)  # exclusive: the day after the last
    assert bike_event["value"] == "DATE"
    assert bike_event["uid"] == f"loan-{borrowed.id}@localhost"
    assert bike_event["location"] == "Lens"
    single = found["Prêt : « Raquettes de badminton » à Rémi Rival"]
    assert (single["start"], single["end"]) == (date(2027, 4, 2), date(2027, 4, 3))
    assert b"DTSTART;VALUE=DATE:20270327" in response.data


def test_a_token_names_its_member_and_the_calendar_its_owner(app, owner, borrower, bike):
    loan = committed(
        services.request_loan(borrower, bike, date(2027, 3, 27), date(2027, 3, 27), now=NOW)
    )
    committed(services.accept_loan(owner, loan, now=NOW))
    feed = committed(feeds.create_feed(borrower))
    assert feeds.user_for_token(feed.token).id == borrower.id
    body = feeds.build_calendar(borrower, now=NOW).decode()
    assert "X-WR-CALNAME:Mes prêts – Sport ressources 62" in body
    assert "PRODID:-//Sport ressources 62//Prets//FR" in body


def test_returned_loans_stay_and_cancelled_ones_leave(app, owner, borrower, rival, bike):
    loan = committed(
        services.request_loan(borrower, bike, date(2027, 3, 21), date(2027, 3, 21), now=NOW)
    )
    committed(services.accept_loan(owner, loan, now=NOW))
    for user in (owner, borrower):
        committed(handovers.confirm_pickup(user, loan, now=at(date(2027, 3, 21))))
    for user in (owner, borrower):
        committed(handovers.confirm_return(user, loan, now=at(date(2027, 3, 21))))
    gone = committed(
        services.request_loan(rival, bike, date(2027, 3, 25), date(2027, 3, 25), now=NOW)
    )
    committed(services.accept_loan(owner, gone, now=NOW))
    committed(services.cancel_loan(rival, gone, now=NOW))

    calendar = Calendar.from_ical(feeds.build_calendar(owner, now=NOW))
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert summaries == ["Prêt : « Vélo enfant 20 pouces » à Inès Emprunteuse – rendu"]


def test_a_revoked_or_replaced_token_finds_nothing(app, borrower, client_for):
    browser = client_for(borrower)
    first = feed_path(browser)
    assert browser.get(first).status_code == 200

    replaced = feed_path(browser)  # « Changer d’adresse »
    assert replaced != first
    assert browser.get(first).status_code == 404
    assert browser.get(replaced).status_code == 200

    response = browser.post("/prets/calendrier/supprimer", data={"confirmed": "yes"})
    assert response.status_code == 303
    assert browser.get(replaced).status_code == 404
    assert "Vous n’avez pas encore d’adresse de calendrier." in browser.get(
        "/prets/calendrier"
    ).get_data(as_text=True)


def test_unknown_and_malformed_tokens_are_not_found(app, client):
    for token in ("x" * 43, "a" * 10, "../../etc/passwd", "é" * 43, "a" * 200):
        assert client.get(f"/calendrier/{token}.ics").status_code == 404


def test_the_feed_needs_no_session_but_a_deleted_account_has_none(
    app, owner, borrower, bike, client, client_for
):

    path = feed_path(client_for(borrower))
    assert client.get(path).status_code == 200  # calendar apps have no cookies
    personal_data.delete_account(borrower, PASSWORD)
    db.session.commit()
    assert client.get(path).status_code == 404
    assert db.session.scalar(select(CalendarFeed)) is None


def test_old_loans_leave_the_feed_after_a_year(app, owner, borrower, bike):
    loan = committed(
        services.request_loan(borrower, bike, date(2027, 3, 21), date(2027, 3, 21), now=NOW)
    )
    committed(services.accept_loan(owner, loan, now=NOW))
    a_year_later = NOW + timedelta(days=367)
    assert Calendar.from_ical(feeds.build_calendar(borrower, now=a_year_later)).walk("VEVENT") == []
    assert len(Calendar.from_ical(feeds.build_calendar(borrower, now=NOW)).walk("VEVENT")) == 1
