"""Seeded activity for the impact figures, with dates set by hand so that each month, commune
and zone holds figures one can count on paper (see ``seeded``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sportressources.core.db import db
from sportressources.core.states import apply_transition
from sportressources.drives.models import Handout
from sportressources.trade.exchanges.models import ExchangeRequest
from sportressources.trade.loans.models import Loan
from tests.drives.inventory_helpers import make_drive, receive_items
from tests.factories import make_listing, make_organisation, make_user

LENS, LIEVIN, CARVIN = "62498", "62510", "62215"
BEFORE = datetime(2025, 12, 15, 10, tzinfo=UTC)  # listings are published before the period


def moment(month: int, day: int = 10) -> datetime:
    return datetime(2026, month, day, 14, tzinfo=UTC)


def listing(kind="gift", category="chaussures", commune=LENS, owner=None, **fields):
    item = make_listing(owner=owner, kind=kind, category=category, commune_insee=commune, **fields)
    item.published_at = BEFORE
    db.session.commit()
    return item


def completed_exchange(item, requester=None, at=None) -> ExchangeRequest:
    """A gift or sale handed over at ``at``, as the exchange services leave it."""
    row = ExchangeRequest(
        listing_id=item.id,
        requester_id=(requester or make_user()).id,
        status="completed",
        decided_at=at,
        completed_at=at,
    )
    db.session.add(row)
    db.session.commit()
    return row


def returned_loan(item, borrower=None, at=None) -> Loan:
    """A loan brought back at ``at``."""
    row = Loan(
        listing_id=item.id,
        borrower_id=(borrower or make_user()).id,
        lender_id=item.owner_id,
        status="returned",
        start_date=at.date(),
        end_date=at.date(),
        picked_up_at=at,
        returned_at=at,
    )
    db.session.add(row)
    db.session.commit()
    return row


def seed_activity() -> dict:
    """Three months of activity:

    - January, Lens: 3 gifts of shoes and 1 sale of a ball at 5 €, 8 distinct people;
    - January, Liévin (same zone): 2 gifts of shoes between 4 people, a small cell;
    - February, Carvin (another zone): 2 listings lent 3 times (2 lenders, 3 borrowers);
    - February, Lens: a club's drive, 2 items collected; March, Lens: 1 of them handed out.
    """
    for _ in range(3):
        completed_exchange(listing(), at=moment(1))
    completed_exchange(
        listing(kind="sale", category="ballons", price_cents=500, size="4"), at=moment(1, 20)
    )
    for _ in range(2):
        completed_exchange(listing(commune=LIEVIN), at=moment(1))
    first = listing(kind="loan", category="velos", commune=CARVIN, size='26"')
    second = listing(kind="loan", category="velos", commune=CARVIN, size='26"')
    returned_loan(first, at=moment(2, 5))
    returned_loan(first, at=moment(2, 20))
    returned_loan(second, at=moment(2, 12))
    club = make_organisation(commune_insee=LENS)
    drive = make_drive(club)
    drive.starts_on, drive.ends_on = date(2026, 2, 10), date(2026, 2, 20)
    items = receive_items(club, quantity=2, drive=drive)
    for item in items:
        item.received_at = moment(2, 15)
    apply_transition(items[0], "hand_out", actor=None)
    items[0].left_at = moment(3)
    db.session.add(
        Handout(
            organisation_id=club.id,
            inventory_item_id=items[0].id,
            recipient="Bénéficiaire 1",
            age_band="11-14",
            handed_at=moment(3),
        )
    )
    db.session.commit()
    return {"club": club, "drive": drive}


@pytest.fixture
def seeded(app):
    return seed_activity()
