"""A member's loans through the API: the same request, accept and decline as the pages, seen
afterwards on the pages; who may do what; bad input; two accepts at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sportressources.core.db import db
from sportressources.trade.loans import services, terms
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Loan
from tests.concurrency import _run_together
from tests.factories import committed, make_listing, make_user
from tests.fixtures.web import sign_in


@pytest.fixture
def lender(app):
    return make_user(email="lender@example.org", display_name="Olivier Prêteur")


@pytest.fixture
def borrower(app):
    return make_user(email="borrower@example.org", display_name="Inès Emprunteuse")


@pytest.fixture
def bike(lender):
    listing = make_listing(
        owner=lender, kind="loan", title="Vélo enfant 20 pouces", category="velos", size='20"'
    )
    committed(terms.set_terms(lender, listing, 1, 7, 5000))
    return listing


def days(offset: int) -> str:
    return (paris_today() + timedelta(days=offset)).isoformat()


def ask(client, headers, listing, **fields):
    body = {"start_date": days(3), "end_date": days(5), "message": "Pour la sortie du club."}
    body.update(fields)
    return client.post(f"/api/v1/listings/{listing.id}/loans", json=body, headers=headers)


def requested(borrower, listing, start=3, end=5) -> Loan:
    return committed(
        services.request_loan(
            borrower, listing, paris_today() + timedelta(start), paris_today() + timedelta(end)
        )
    )


# --- requesting ----------------------------------------------------------------------------------


def test_a_loan_requested_through_the_api_is_on_the_lenders_loans_page(
    app, client, bearer, lender, borrower, bike, outbox
):
    response = ask(client, bearer(borrower), bike)

    assert response.status_code == 201, response.json
    loan = response.json
    assert loan["status"] == "requested" and loan["side"] == "borrower"
    assert loan["other"] == "Olivier Prêteur" and loan["deposit_cents"] == 5000
    assert loan["start_date"] == days(3) and loan["message"] == "Pour la sortie du club."
    page = sign_in(app.test_client(), lender).get("/prets").get_data(as_text=True)
    assert "Inès Emprunteuse" in page and "Vélo enfant 20 pouces" in page
    assert len(outbox.to(lender.email)) == 1
    mine = client.get("/api/v1/me/loans", headers=bearer(borrower)).json
    assert [item["id"] for item in mine["borrowed"]] == [loan["id"]] and mine["lent"] == []
    theirs = client.get("/api/v1/me/loans", headers=bearer(lender)).json
    assert [item["id"] for item in theirs["lent"]] == [loan["id"]]
    assert theirs["lent"][0]["other"] == "Inès Emprunteuse"


def test_a_malicious_message_is_stored_as_text_and_shown_escaped(
    app, client, bearer, lender, borrower, bike
):
    script = "<script>alert('x')</script> & <b>gras</b>"

    response = ask(client, bearer(borrower), bike, message=script)

    assert response.status_code == 201
    assert response.json["message"] == script
    page = sign_in(app.test_client(), lender).get(f"/prets/{response.json['id']}")
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"start_date": None, "end_date": None}, "start_date", "Indiquez le premier jour du prêt."),
        ({"start_date": "demain"}, "start_date", "Indiquez une date, par exemple 27/03/2027."),
        ({"end_date": days(1)}, "end_date", "Le dernier jour ne peut pas précéder le premier."),
        ({"message": "x" * 1001}, "message", "Ce texte ne peut pas dépasser 1000 caractères."),
    ],
)
def test_bad_loan_requests_get_the_forms_french_message(
    app, client, bearer, borrower, bike, fields, field, message
):
    body = {"start_date": days(3), "end_date": days(5)}
    body.update(fields)
    body = {key: value for key, value in body.items() if value is not None}

    response = client.post(f"/api/v1/listings/{bike.id}/loans", json=body, headers=bearer(borrower))

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert message in response.json["errors"][field]
    assert db.session.query(Loan).count() == 0


@pytest.mark.parametrize(
    "body",
    [{"start_date": 20270327}, {"message": ["a"]}, {"borrow_as": "club"}, {"surprise": 1}, []],
)
def test_wrongly_typed_loan_requests_are_422_never_500(app, client, bearer, borrower, bike, body):
    response = client.post(f"/api/v1/listings/{bike.id}/loans", json=body, headers=bearer(borrower))

    assert response.status_code == 422
    assert db.session.query(Loan).count() == 0


def test_borrowing_as_an_organisation_one_is_not_in_is_refused_as_on_the_form(
    app, client, bearer, borrower, bike
):
    response = ask(client, bearer(borrower), bike, borrow_as=999)

    assert response.status_code == 422
    assert response.json["errors"]["borrow_as"] == [
        "Vous ne pouvez pas emprunter au nom de cette organisation : choisissez-en une de la liste."
    ]


def test_who_may_request_a_loan(app, client, bearer, lender, borrower, bike):
    gift = make_listing(owner=lender)

    assert ask(client, {}, bike).status_code == 401
    assert ask(client, bearer(lender), bike).status_code == 403
    assert ask(client, bearer(borrower), gift).status_code == 404
    missing = client.post("/api/v1/listings/987654/loans", json={}, headers=bearer(borrower))
    assert missing.status_code == 404
    assert db.session.query(Loan).count() == 0


def test_a_second_waiting_request_is_a_409_conflict(app, client, bearer, borrower, bike):
    assert ask(client, bearer(borrower), bike).status_code == 201

    again = ask(client, bearer(borrower), bike, start_date=days(10), end_date=days(11))

    assert again.status_code == 409
    assert again.json["detail"].startswith("Vous avez déjà une demande en attente")


# --- answering -----------------------------------------------------------------------------------


def test_the_lender_accepts_and_the_borrower_sees_it_on_the_loan_page(
    app, client, bearer, lender, borrower, bike
):
    loan = requested(borrower, bike)

    response = client.post(f"/api/v1/loans/{loan.id}/accept", headers=bearer(lender))

    assert response.status_code == 200, response.json
    assert response.json["status"] == "accepted" and response.json["side"] == "lender"
    page = sign_in(app.test_client(), borrower).get(f"/prets/{loan.id}").get_data(as_text=True)
    assert "Accepté : remise à faire" in page
    again = client.post(f"/api/v1/loans/{loan.id}/accept", headers=bearer(lender))
    assert again.status_code == 409


def test_only_the_lender_answers_a_request(app, client, bearer, lender, borrower, bike):
    loan = requested(borrower, bike)
    stranger = make_user()
    moderator = make_user(role="moderator")

    for who in (borrower, stranger, moderator):
        for action in ("accept", "decline"):
            response = client.post(f"/api/v1/loans/{loan.id}/{action}", headers=bearer(who))
            assert response.status_code == 403, (who, action)
    assert client.post(f"/api/v1/loans/{loan.id}/accept").status_code == 401
    assert client.post("/api/v1/loans/987654/accept", headers=bearer(lender)).status_code == 404
    db.session.refresh(loan)
    assert loan.status == "requested"


def test_the_lender_declines_with_a_reason_the_borrower_reads(
    app, client, bearer, lender, borrower, bike, outbox
):
    loan = requested(borrower, bike)

    response = client.post(
        f"/api/v1/loans/{loan.id}/decline",
        json={"reason": "Le vélo part en révision."},
        headers=bearer(lender),
    )

    assert response.status_code == 200
    assert response.json["status"] == "declined"
    assert response.json["reason"] == "Le vélo part en révision."
    page = sign_in(app.test_client(), borrower).get(f"/prets/{loan.id}").get_data(as_text=True)
    assert "Le vélo part en révision." in page


def test_too_long_a_reason_is_refused_and_the_request_still_waits(
    app, client, bearer, lender, borrower, bike
):
    loan = requested(borrower, bike)

    response = client.post(
        f"/api/v1/loans/{loan.id}/decline", json={"reason": "x" * 501}, headers=bearer(lender)
    )

    assert response.status_code == 422
    assert "reason" in response.json["errors"]
    db.session.refresh(loan)
    assert loan.status == "requested"


def test_two_accepts_of_competing_requests_at_once_book_exactly_one(
    app, bearer, lender, borrower, bike
):
    rival = make_user(display_name="Rémi Rival")
    loans = [requested(borrower, bike, 3, 5), requested(rival, bike, 4, 6)]
    headers = bearer(lender)
    clients = [app.test_client() for _ in loans]

    responses = _run_together(
        app,
        [
            lambda c=c, loan=loan: c.post(f"/api/v1/loans/{loan.id}/accept", headers=headers)
            for c, loan in zip(clients, loans, strict=True)
        ],
    )

    assert sorted(response.status_code for response in responses) == [200, 409]
    db.session.rollback()
    statuses = sorted(
        db.session.get(Loan, loan.id, populate_existing=True).status for loan in loans
    )
    assert statuses == ["accepted", "declined"]
    [lost] = [response for response in responses if response.status_code == 409]
    assert lost.mimetype == "application/problem+json" and lost.json["detail"]
