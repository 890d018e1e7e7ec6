"""Loans test fixtures: an owner and borrowers, loan listings (a bike, a kit of items), the
Europe/Paris moments tests travel to, and helpers that commit like a request does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sportressources.core.db import begin_write, db
from sportressources.trade.loans import terms
from tests.factories import committed, fresh, make_listing, make_user  # noqa: F401 (re-exported)

# A Saturday in March 2027, far enough that real time never interferes: services take ``now``.
NOW = datetime(2027, 3, 20, 9, 0, tzinfo=UTC)
TODAY = date(2027, 3, 20)


def day(offset: int) -> date:
    """TODAY plus ``offset`` days."""
    return TODAY + timedelta(days=offset)


def at(value: date, hour: int = 9) -> datetime:
    """An aware UTC moment on ``value`` (10:00 in Paris in winter, 11:00 in summer)."""
    return datetime(value.year, value.month, value.day, hour, tzinfo=UTC)


def write(action):
    """Run a service as a request would: in a write transaction, then commit."""
    begin_write()
    try:
        result = action()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


@pytest.fixture
def owner(app):
    return make_user(email="owner@example.org", display_name="Olivier Prêteur")


@pytest.fixture
def borrower(app):
    return make_user(email="borrower@example.org", display_name="Inès Emprunteuse")


def make_loan_listing(owner, title="Vélo enfant 20 pouces", category="velos", size='20"', **kw):
    return make_listing(owner=owner, kind="loan", title=title, category=category, size=size, **kw)


@pytest.fixture
def bike(owner):
    listing = make_loan_listing(owner)
    committed(terms.set_terms(owner, listing, 1, 7, 5000))
    return listing


@pytest.fixture
def kit(owner):
    """A fencing kit bundling a mask, a jacket and a foil, each also lent on its own."""
    items = [
        make_loan_listing(owner, title=title, category="protections", size="M", sport="escrime")
        for title in ("Masque d’escrime", "Veste d’escrime")
    ]
    items.append(
        make_loan_listing(owner, title="Fleuret", category="autre", size="", sport="escrime")
    )
    kit = make_loan_listing(
        owner, title="Kit d’escrime complet", category="autre", size="", sport="escrime"
    )
    committed(terms.set_terms(owner, kit, 1, 300, None, [item.id for item in items]))
    kit.items = items
    return kit
