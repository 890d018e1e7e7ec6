"""Accepting a loan declines the requests whose days overlap it: the owner is told which ones
and why, each of those borrowers reads that the dates went to another request, and a later try
to accept one of them says so rather than « refusée », also when two accepts race."""

from datetime import timedelta

import pytest

from sportressources.core.errors import Conflict
from sportressources.notifications.services import list_notifications
from sportressources.trade.loans import overlaps, services
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Loan
from tests.concurrency import responses_at_once
from tests.factories import make_user
from tests.fixtures.web import text
from tests.trade.loans.conftest import NOW, committed, day, fresh

TAKEN = "Ces dates ont été données à une autre demande"


@pytest.fixture
def third(app):
    return make_user(email="third@example.org", display_name="Théo Troisième")


def ask(user, listing, start, end, now=NOW) -> Loan:
    return committed(services.request_loan(user, listing, start, end, now=now))


def test_the_declined_requests_are_named_by_the_accepted_loan(
    owner, borrower, rival, third, bike, outbox
):
    winner = ask(borrower, bike, day(2), day(4))
    overlapping = ask(rival, bike, day(4), day(6))
    later = ask(third, bike, day(5), day(6))
    committed(services.accept_loan(owner, winner, now=NOW))

    assert overlaps.declined_for(fresh(winner)) == [overlapping]
    assert overlaps.taken_by(fresh(overlapping)) == winner.id
    assert overlaps.taken_by(fresh(later)) is None and overlaps.declined_for(later) == []
    [shown], _more = list_notifications(rival)
    assert shown.message == (
        f"Les dates que vous demandiez pour « {bike.title} » (du {_long(day(4))} au "
        f"{_long(day(6))}) ont été données à une autre demande."
    )
    assert shown.notification.url == f"/prets/{overlapping.id}"
    assert "Ces dates ont été attribuées à un autre membre" in outbox.last(rival.email).text


def _long(value) -> str:
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet"]
    return f"{value.day} {months[value.month - 1]} {value.year}"


def test_accepting_a_request_whose_dates_went_elsewhere_says_so(owner, borrower, rival, bike):
    winner = ask(borrower, bike, day(2), day(4))
    overlapping = ask(rival, bike, day(3), day(5))
    committed(services.accept_loan(owner, winner, now=NOW))
    with pytest.raises(Conflict) as error:
        services.accept_loan(owner, fresh(overlapping), now=NOW)
    assert str(error.value).startswith(TAKEN)
    assert "refusée" not in str(error.value).split(":")[0]


def test_a_request_the_owner_declined_by_hand_still_says_refused(owner, borrower, bike):
    loan = ask(borrower, bike, day(2), day(4))
    committed(services.decline_loan(owner, loan, "", now=NOW))
    assert overlaps.taken_by(fresh(loan)) is None
    with pytest.raises(Conflict, match="Cette demande de prêt a été refusée."):
        services.accept_loan(owner, fresh(loan), now=NOW)


# --- through the pages (real time: the pages know no NOW) ---------------------------------------


def future(days: int):
    return paris_today() + timedelta(days=days)


def test_the_owner_is_told_which_requests_were_declined_and_why(
    owner, borrower, rival, third, bike, client_for
):
    winner = ask(borrower, bike, future(2), future(4), now=None)
    overlapping = ask(rival, bike, future(4), future(5), now=None)
    apart = ask(third, bike, future(6), future(7), now=None)
    owner_browser = client_for(owner)

    response = owner_browser.post(f"/prets/{winner.id}/accepter")
    assert response.headers["Location"] == f"/prets/{winner.id}"
    page = text(owner_browser.get(response.headers["Location"]))
    assert "Prêt accepté : les dates sont réservées" in page
    assert "1 autre demande chevauchait ces dates : elle est refusée et son auteur prévenu." in page
    assert "Rémi Rival (du" in page
    assert "Demandes refusées automatiquement" in page
    assert f'href="/prets/{overlapping.id}"' in page and f'href="/prets/{apart.id}"' not in page

    rival_page = text(client_for(rival).get(f"/prets/{overlapping.id}"))
    assert "Refusé" in rival_page and TAKEN in rival_page
    # The borrower who won sees no list of the others
    assert "Demandes refusées automatiquement" not in text(
        client_for(borrower).get(f"/prets/{winner.id}")
    )

    response = owner_browser.post(f"/prets/{overlapping.id}/accepter")
    assert response.headers["Location"] == f"/prets/{overlapping.id}"
    page = text(owner_browser.get(response.headers["Location"]))
    assert TAKEN in page and "Cette demande de prêt a été refusée." not in page
    assert fresh(overlapping).status == "declined"


def test_two_accepts_of_overlapping_dates_at_once_give_one_and_explain_the_other(
    app, owner, borrower, rival, bike, client_for
):
    loans = [
        ask(borrower, bike, future(2), future(4), now=None),
        ask(rival, bike, future(3), future(6), now=None),
    ]
    tabs = [client_for(owner), client_for(owner)]
    responses = responses_at_once(
        app,
        [(tab, f"/prets/{loan.id}/accepter", {}) for tab, loan in zip(tabs, loans, strict=True)],
    )
    assert [response.status_code for response in responses] == [303, 303]
    statuses = sorted(fresh(loan).status for loan in loans)
    assert statuses == ["accepted", "declined"]
    [loser_tab] = [
        tab for tab, loan in zip(tabs, loans, strict=True) if fresh(loan).status == "declined"
    ]
    [loser] = [loan for loan in loans if fresh(loan).status == "declined"]
    page = text(loser_tab.get(f"/prets/{loser.id}"))
    assert TAKEN in page or "Un autre prêt vient d’être accepté pour ces dates" in page
    assert "Cette demande de prêt a été refusée." not in page
