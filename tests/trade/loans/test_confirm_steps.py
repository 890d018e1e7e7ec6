"""Each loan step that cannot be undone asks first (core.web.confirmation): the first POST
changes nothing and says what happens to the other member, the confirmed POST acts, anyone else
is refused, and a confirmed POST without CSRF token fails."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.trade.loans import extensions, handovers, services, terms, waitlist
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import BlockedPeriod, WaitlistEntry
from tests.factories import committed, fresh
from tests.fixtures.web import text

CONFIRMED = {"confirmed": "yes"}


def on(offset: int):
    return paris_today() + timedelta(days=offset)


def requested(owner, borrower, bike):
    return committed(services.request_loan(borrower, bike, on(1), on(2)))


def accepted(owner, borrower, bike):
    return committed(services.accept_loan(owner, requested(owner, borrower, bike)))


def extension_asked(owner, borrower, bike):
    loan = committed(
        services.accept_loan(owner, committed(services.request_loan(borrower, bike, on(0), on(2))))
    )
    for user in (owner, borrower):
        committed(handovers.confirm_pickup(user, loan))
    return committed(extensions.request_extension(borrower, loan, on(4)))


# step, the loan it needs, who acts ("owner" or "borrower"), its fields, what the page says,
# and how the loan reads once the step is done
STEPS = {
    "decline": (
        "refuser",
        requested,
        "owner",
        {"decline-reason": "Déjà prêté"},
        ["Refuser la demande de prêt de Inès Emprunteuse ?", "Les dates restent libres",
         "Inès Emprunteuse recevra une notification", "Oui, refuser"],
        lambda loan: loan.status == "declined" and loan.reason == "Déjà prêté",
    ),
    "borrower cancels a request": (
        "annuler",
        requested,
        "borrower",
        {"cancel-reason": ""},
        ["Annuler la demande de prêt de « Vélo enfant 20 pouces » ?",
         "Olivier Prêteur recevra une notification", "les dates réservées seront libérées",
         "Oui, annuler"],
        lambda loan: loan.status == "cancelled",
    ),
    "owner cancels a loan": (
        "annuler",
        accepted,
        "owner",
        {"cancel-reason": "Vélo crevé"},
        ["Annuler ce prêt de « Vélo enfant 20 pouces » ?",
         "Inès Emprunteuse recevra une notification"],
        lambda loan: loan.status == "cancelled" and loan.reason == "Vélo crevé",
    ),
    "decline an extension": (
        "prolongation/refuser",
        extension_asked,
        "owner",
        {"extension-decline-reason": ""},
        ["Refuser la prolongation demandée par Inès Emprunteuse ?",
         "le matériel reste à rendre à la date prévue"],
        lambda loan: loan.extension_end_date is None,
    ),
}  # fmt: skip


@pytest.fixture(params=list(STEPS))
def step(request, owner, borrower, bike, client_for):
    path, make, who, data, says, done = STEPS[request.param]
    loan = make(owner, borrower, bike)
    actor = owner if who == "owner" else borrower
    return loan, f"/prets/{loan.id}/{path}", client_for(actor), data, says, done


def state(loan):
    loan = fresh(loan)
    return (loan.status, loan.reason, loan.extension_end_date)


def test_the_first_post_asks_and_changes_nothing(step):
    loan, path, browser, data, says, done = step
    before = state(loan)
    response = browser.post(path, data=data)
    assert response.status_code == 200
    page = text(response)
    for words in says:
        assert words in page
    assert f'href="/prets/{loan.id}"' in page and "Non, revenir" in page
    assert state(loan) == before


def test_the_confirmed_post_acts(step):
    loan, path, browser, data, says, done = step
    response = browser.post(path, data={**data, **CONFIRMED})
    assert response.status_code == 303
    assert done(fresh(loan))


def test_the_reason_written_before_is_carried_to_the_confirmation(step):
    loan, path, browser, data, says, done = step
    page = text(browser.post(path, data=data))
    for name, value in data.items():
        assert f'name="{name}" value="{value}"' in page


def test_a_stranger_is_refused_at_both_steps(step, stranger, client_for):
    loan, path, browser, data, says, done = step
    before = state(loan)
    intruder = client_for(stranger)
    assert intruder.post(path, data=data).status_code == 403
    assert intruder.post(path, data={**data, **CONFIRMED}).status_code == 403
    assert state(loan) == before


def test_a_confirmed_post_without_csrf_token_fails(app, step):
    loan, path, browser, data, says, done = step
    before = state(loan)
    app.config["WTF_CSRF_ENABLED"] = True
    assert browser.post(path, data={**data, **CONFIRMED}).status_code == 400
    assert state(loan) == before


def test_the_borrower_is_asked_nothing_when_declining_their_own_request(
    owner, borrower, bike, client_for
):
    loan = requested(owner, borrower, bike)
    assert client_for(borrower).post(f"/prets/{loan.id}/refuser").status_code == 403
    assert fresh(loan).status == "requested"


def test_too_long_a_reason_is_shown_again_before_any_question(owner, borrower, bike, client_for):
    loan = requested(owner, borrower, bike)
    response = client_for(owner).post(
        f"/prets/{loan.id}/refuser", data={"decline-reason": "x" * 501}
    )
    assert response.status_code == 422
    assert "Oui, refuser" not in text(response)


def test_leaving_the_waiting_list_asks_first(owner, borrower, rival, bike, client_for):
    accepted(owner, borrower, bike)
    committed(waitlist.join_waitlist(rival, bike, on(1), on(2)))
    browser = client_for(rival)
    path = f"/prets/annonces/{bike.id}/liste-attente/quitter"
    page = text(browser.post(path))
    assert "Quitter la liste d’attente de « Vélo enfant 20 pouces » ?" in page
    assert "Vous ne recevrez plus d’e-mail" in page
    assert db.session.scalar(select(func.count()).select_from(WaitlistEntry)) == 1
    assert browser.post(path, data=CONFIRMED).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(WaitlistEntry)) == 0


def test_unblocking_a_period_asks_first_and_only_the_owner(owner, stranger, bike, client_for):
    period = committed(terms.add_blocked_period(owner, bike, on(3), on(4), "Révision"))
    path = f"/prets/periodes/{period.id}/supprimer"
    count = select(func.count()).select_from(BlockedPeriod)
    page = text(client_for(owner).post(path))
    assert "Ne plus bloquer la période du" in page
    assert "pourront de nouveau demander à emprunter" in page
    assert db.session.scalar(count) == 1
    assert client_for(stranger).post(path).status_code == 403
    assert client_for(stranger).post(path, data=CONFIRMED).status_code == 403
    assert db.session.scalar(count) == 1
    assert client_for(owner).post(path, data=CONFIRMED).status_code == 303
    assert db.session.scalar(count) == 0


def test_deleting_the_calendar_address_asks_first(borrower, client_for):
    browser = client_for(borrower)
    browser.post("/prets/calendrier/adresse")
    page = text(browser.post("/prets/calendrier/supprimer"))
    assert "Supprimer l’adresse de votre calendrier ?" in page
    assert "Vous n’avez pas encore d’adresse" not in text(browser.get("/prets/calendrier"))
    browser.post("/prets/calendrier/supprimer", data=CONFIRMED)
    assert "Vous n’avez pas encore d’adresse" in text(browser.get("/prets/calendrier"))


def test_the_loan_page_explains_refuse_and_cancel(owner, borrower, bike, client_for):
    loan = requested(owner, borrower, bike)
    page = text(client_for(owner).get(f"/prets/{loan.id}"))
    assert "Inès Emprunteuse reçoit une notification et les dates restent libres." in page
    assert 'aria-describedby="decline-hint"' in page and 'id="decline-hint"' in page
    assert "Les dates réservées sont libérées et Inès Emprunteuse reçoit une notification." in page


def hidden_fields(page: str, action: str) -> dict:
    """The hidden fields of the form posting to ``action``."""
    form = re.search(rf'<form method="post" action="{action}".*?</form>', page, re.S)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_with_csrf_on_the_reason_form_acts_through_the_confirmation_page(
    app, owner, borrower, bike, client_for
):
    loan = requested(owner, borrower, bike)
    lender = client_for(owner)
    app.config["WTF_CSRF_ENABLED"] = True
    detail = text(lender.get(f"/prets/{loan.id}"))
    token = re.search(r'name="decline-csrf_token" type="hidden" value="([^"]+)"', detail)[1]
    page = text(
        lender.post(
            f"/prets/{loan.id}/refuser",
            data={"decline-csrf_token": token, "decline-reason": "Déjà prêté"},
        )
    )
    fields = hidden_fields(page, f"/prets/{loan.id}/refuser")
    assert set(fields) == {"csrf_token", "decline-csrf_token", "decline-reason"}
    assert fresh(loan).status == "requested"
    response = lender.post(f"/prets/{loan.id}/refuser", data={**fields, **CONFIRMED})
    assert response.status_code == 303
    assert (fresh(loan).status, fresh(loan).reason) == ("declined", "Déjà prêté")
