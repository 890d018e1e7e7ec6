"""Demo loans for ``make run``: signed in as a demo resident, a newcomer finds loans at each stage.

Every loan goes through the loan services, like members' clicks: the dates, the booking rules,
the check-lists, the emails to the outbox and the in-app notifications are the real ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.errors import DomainError
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.trade.loans import handovers, services, terms
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.checklists import checklist_for
from sportressources.trade.loans.models import Loan

# The two demo residents whose password the README gives: they see both sides of a loan
BORROWERS = ("camille@example.org", "yanis@example.org")


def _requested(owner: User, borrower: User, listing: Listing, today: date) -> Loan:
    terms.set_terms(owner, listing, 2, 21, 30_00)
    return services.request_loan(
        borrower,
        listing,
        today + timedelta(days=4),
        today + timedelta(days=10),
        "Bonjour, ce serait pour essayer avant de m'inscrire au club. Merci !",
    )


def _accepted(owner: User, borrower: User, listing: Listing, today: date) -> Loan:
    terms.set_terms(owner, listing, 1, 14, None)
    terms.add_blocked_period(
        owner,
        listing,
        today + timedelta(days=20),
        today + timedelta(days=27),
        "Vacances",
    )
    loan = services.request_loan(
        borrower,
        listing,
        today + timedelta(days=1),
        today + timedelta(days=3),
        "Pour le week-end, je peux passer en fin de journée.",
    )
    return services.accept_loan(owner, loan)


def _picked_up(owner: User, borrower: User, listing: Listing, today: date) -> Loan:
    terms.set_terms(owner, listing, 1, 30, 20_00)
    loan = services.request_loan(
        borrower, listing, today, today + timedelta(days=6), "Pour la semaine de stage, merci."
    )
    services.accept_loan(owner, loan)
    points = [code for code, _label in checklist_for(listing.category)]
    handovers.confirm_pickup(owner, loan, points, "Rien à signaler.")
    return handovers.confirm_pickup(borrower, loan, points)


def _returned(owner: User, borrower: User, listing: Listing, today: date) -> Loan:
    terms.set_terms(owner, listing, 1, 7, None)
    loan = services.request_loan(borrower, listing, today, today, "Juste pour la journée.")
    services.accept_loan(owner, loan)
    points = [code for code, _label in checklist_for(listing.category)]
    for side in (owner, borrower):
        handovers.confirm_pickup(side, loan, points)
    handovers.confirm_return(borrower, loan, points, "Rendu propre.")
    handovers.confirm_return(owner, loan, points, "Comme au départ.", deposit_kept_cents=0)
    services.rate_loan(owner, loan, 5, "Ponctuel et soigneux.")
    services.rate_loan(borrower, loan, 5, "Matériel en très bon état, merci !")
    return loan


SCENARIOS: tuple[Callable[[User, User, Listing, date], Loan], ...] = (
    _requested,
    _accepted,
    _picked_up,
    _returned,
)


def seed_demo_loans() -> str:
    """Loans at each stage between demo members, once: a second run adds nothing."""
    if db.session.scalar(select(func.count()).select_from(Loan)):
        return "des prêts existent déjà, rien à faire"
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(BORROWERS)))}
    borrowers = [users[email] for email in BORROWERS if email in users]
    if len(borrowers) < 2:
        return "pas de comptes de démonstration, rien à faire"
    resident_ids = {b.id for b in borrowers}
    # The demo residents' own items first, so that each also sees the lender's side
    listings = sorted(
        db.session.scalars(
            select(Listing)
            .where(
                Listing.kind == ListingKind.LOAN.value,
                Listing.status == ListingStatus.PUBLISHED.value,
            )
            .order_by(Listing.id)
        ),
        key=lambda listing: listing.owner_id not in resident_ids,
    )
    today = paris_today()
    made = []
    for number, scenario in enumerate(SCENARIOS):
        # Camille and Yanis take turns borrowing: each keeps room under the cap to try more
        borrower = borrowers[number % 2]
        for listing in [item for item in listings if item.owner_id != borrower.id]:
            try:  # a venue closed today, say: try the next item
                with db.session.begin_nested():
                    made.append(scenario(listing.owner, borrower, listing, today))
            except DomainError:
                continue
            listings.remove(listing)
            break
    return f"{len(made)} prêts de démonstration (demande, accepté, en cours, rendu et noté)"
