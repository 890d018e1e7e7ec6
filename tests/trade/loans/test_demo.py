"""The demo loans of ``flask data init --demo`` (``make run``): one at each stage, made once."""

from __future__ import annotations

from markupsafe import escape
from sqlalchemy import func, select

from sportressources.accounts.demo import DEMO_PASSWORD
from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.trade.loans import services
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Loan
from sportressources.trade.models import Rating
from tests.fixtures.web import sign_in


def loans() -> list[Loan]:
    return list(db.session.scalars(select(Loan).order_by(Loan.id)))


def resident(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_demo_data_holds_a_loan_at_each_stage_once(app, client, outbox):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["data", "init", "--demo"])

    assert first.exit_code == 0, first.output
    assert "4 prêts de démonstration" in first.output
    db.session.rollback()
    made = loans()
    assert [loan.status for loan in made] == ["requested", "accepted", "active", "returned"]
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 2
    camille, yanis = resident("camille@example.org"), resident("yanis@example.org")
    # both demo residents of the README borrow, and the requests reached their lenders by email
    assert {loan.borrower_id for loan in made} == {camille.id, yanis.id}
    for loan in made:
        assert outbox.to(loan.lender.email), loan
    # each keeps room under the cap of simultaneous loans to try the workflow themselves
    for member in (camille, yanis):
        services.ensure_can_borrow(member, paris_today())
    page = sign_in(client, camille, DEMO_PASSWORD).get("/prets").get_data(as_text=True)
    for loan in made:
        if camille.id in (loan.borrower_id, loan.lender_id):
            assert str(escape(loan.listing.title)) in page

    second = runner.invoke(args=["data", "init", "--demo"])

    assert second.exit_code == 0, second.output
    assert "des prêts existent déjà" in second.output
    db.session.rollback()
    assert len(loans()) == 4


def test_no_demo_loans_without_the_demo_accounts(app):
    result = app.test_cli_runner().invoke(args=["data", "init", "--no-demo"])

    assert result.exit_code == 0, result.output
    assert "prêts de démonstration" not in result.output
    assert loans() == []
