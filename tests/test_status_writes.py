"""A model's status is written by the transition helper only, and every transition of listings,
exchanges and loans driven through the real services leaves exactly one audit row."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sportressources.core.audit import entries_for
from sportressources.core.states import StatusWriteRefused
from sportressources.listings import review as listing_review
from sportressources.listings import services as listings
from sportressources.listings.models import Listing
from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.exchanges.models import ExchangeRequest
from sportressources.trade.loans import handovers, terms
from sportressources.trade.loans import services as loans
from sportressources.trade.loans.checklists import checklist_for
from sportressources.trade.loans.models import Loan
from sportressources.venues.models import Venue
from tests.factories import committed, make_listing, make_user
from tests.listings.helpers import listing_data
from tests.trade.loans.conftest import NOW, at, day, make_loan_listing

PACKAGE = Path(__file__).resolve().parents[1] / "sportressources"
HELPER = PACKAGE / "core" / "states.py"


# --- only the helper writes a status --------------------------------------------------------------


def test_the_running_app_refuses_a_direct_status_write(app):
    assert all(model.transitions.enforced for model in (Listing, ExchangeRequest, Loan, Venue))
    listing = make_listing(status="published")

    with pytest.raises(StatusWriteRefused):
        listing.status = "withdrawn"

    assert listing.status == "published"


def _updates_status(call: ast.Call) -> bool:
    """``update(...)....values(status=...)``: a bulk write the guard cannot see."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "values"):
        return False
    if not any(keyword.arg == "status" for keyword in call.keywords):
        return False
    return any(
        isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "update"
        for node in ast.walk(call.func.value)
    )


def status_writes(source: str) -> list[int]:
    """Lines of ``source`` that assign a ``status`` attribute (plainly, in a tuple, augmented,
    by ``setattr``) or set it in a bulk ``update(...).values(...)``; constructors may name it."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr == "status":
                        lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            named_setattr = (
                getattr(node.func, "id", None) == "setattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == "status"
            )
            if named_setattr or _updates_status(node):
                lines.append(node.lineno)
    return lines


def test_the_scan_finds_each_kind_of_direct_write():
    source = """
listing.status = "published"
request.status, other = "declined", 1
loan.status += ""
setattr(venue, "status", "rejected")
db.session.execute(update(Loan).where(Loan.id == 1).values(status="expired", reason=""))
Listing(status="draft")
db.session.execute(insert(Listing).values(status="draft"))
db.session.execute(update(Booking).values(end_date=day))
"""
    assert status_writes(source) == [2, 3, 4, 5, 6]


def test_no_module_but_the_helper_writes_a_status():
    found = {
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in PACKAGE.rglob("*.py")
        if path != HELPER
        for line in status_writes(path.read_text(encoding="utf-8"))
    }
    assert found == set()


# --- one audit row per transition -----------------------------------------------------------------


def trail(target_type: str, obj) -> list[tuple]:
    return [
        (entry.action, entry.before, entry.after, entry.actor_id, entry.reason)
        for entry in entries_for(target_type, obj.id)
    ]


def test_a_listing_given_through_an_exchange_leaves_one_row_per_step(app, moderator):
    owner, asker, rival, late = (make_user() for _ in range(4))
    listing = committed(listings.create_listing(owner, listing_data(), submit=False))
    committed(listings.update_listing(owner, listing, listing_data(), submit=True))
    committed(listing_review.approve_listing(moderator, listing))
    chosen = committed(exchanges.request_item(asker, listing))
    passed_over = committed(exchanges.request_item(rival, listing))
    refused = committed(exchanges.request_item(late, listing))
    committed(exchanges.decline_request(owner, refused, "Déjà promis à quelqu’un."))
    committed(exchanges.accept_request(owner, chosen))
    committed(exchanges.confirm_handover(asker, chosen))
    committed(exchanges.confirm_handover(owner, chosen))

    assert trail("listing", listing) == [
        ("listing.submit", "draft", "awaiting_review", owner.id, None),
        ("listing.approve", "awaiting_review", "published", moderator.id, None),
        ("listing.reserve", "published", "reserved", owner.id, None),
        ("listing.mark_given", "reserved", "given", owner.id, None),
    ]
    assert trail("exchange_request", chosen) == [
        ("exchange_request.accept", "pending", "accepted", owner.id, None),
        ("exchange_request.complete", "accepted", "completed", owner.id, None),
    ]
    assert trail("exchange_request", passed_over) == [
        ("exchange_request.decline", "pending", "declined", owner.id, None),
    ]
    assert trail("exchange_request", refused) == [
        ("exchange_request.decline", "pending", "declined", owner.id, "Déjà promis à quelqu’un."),
    ]


def test_a_rejected_listing_leaves_its_submission_and_the_reason(app, moderator):
    owner = make_user()
    listing = committed(listings.create_listing(owner, listing_data()))
    committed(listing_review.reject_listing(moderator, listing, "Photo floue."))

    assert trail("listing", listing) == [
        ("listing.submit", "draft", "awaiting_review", owner.id, None),
        ("listing.reject", "awaiting_review", "rejected", moderator.id, "Photo floue."),
    ]


def test_loans_lent_cancelled_and_expired_leave_one_row_per_step(app):
    owner, borrower, hesitant, forgotten = (make_user() for _ in range(4))
    bike = make_loan_listing(owner)
    committed(terms.set_terms(owner, bike, 1, 7, 5000))
    point = [checklist_for(bike.category)[0][0]]

    lent = committed(loans.request_loan(borrower, bike, day(1), day(2), now=NOW))
    committed(loans.accept_loan(owner, lent, now=NOW))
    committed(handovers.confirm_pickup(owner, lent, point, now=at(day(1))))
    committed(handovers.confirm_pickup(borrower, lent, point, now=at(day(1))))
    committed(handovers.confirm_return(borrower, lent, point, now=at(day(2))))
    committed(handovers.confirm_return(owner, lent, now=at(day(2))))
    cancelled = committed(loans.request_loan(hesitant, bike, day(4), day(5), now=NOW))
    committed(loans.cancel_loan(hesitant, cancelled, "Empêchement.", now=NOW))
    expired = committed(loans.request_loan(forgotten, bike, day(8), day(9), now=NOW))
    assert committed(loans.expire_requests(at(day(9)))) == 1

    assert trail("loan", lent) == [
        ("loan.accept", "requested", "accepted", owner.id, None),
        ("loan.start", "accepted", "active", borrower.id, None),
        ("loan.return", "active", "returned", owner.id, None),
    ]
    assert trail("loan", cancelled) == [
        ("loan.cancel", "requested", "cancelled", hesitant.id, "Empêchement."),
    ]
    assert trail("loan", expired) == [("loan.expire", "requested", "expired", None, None)]
