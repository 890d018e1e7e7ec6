"""The transition helper on real models: an allowed move changes the status, stamps who and when
and leaves an audit row; a refused one changes nothing; with the guard on, nothing else writes."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sportressources.core.audit import AuditEntry, entries_for
from sportressources.core.db import db
from sportressources.core.errors import Conflict
from sportressources.core.states import (
    StateMachine,
    StatusWriteRefused,
    apply_transition,
    machine_of,
    state_changed,
)
from sportressources.listings.models import Listing, ListingStatus
from sportressources.trade.exchanges.models import ExchangeRequest
from sportressources.trade.loans.models import Loan
from sportressources.venues.models import Venue
from tests.factories import make_listing

MOMENT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_approving_a_listing_publishes_it_stamps_the_reviewer_and_is_audited(app, moderator):
    listing = make_listing(status="awaiting_review")

    entry = apply_transition(listing, "approve", actor=moderator, reason="Conforme", now=MOMENT)
    db.session.commit()
    db.session.expire_all()

    listing = db.session.get(Listing, listing.id)
    assert listing.status == "published"
    assert (listing.reviewed_by_id, listing.reviewed_at) == (moderator.id, MOMENT)
    assert listing.published_at == MOMENT
    submitted, stored = entries_for("listing", listing.id)
    assert submitted.action == "listing.submit"
    assert stored.id == entry.id
    assert (stored.action, stored.actor_id, stored.occurred_at) == (
        "listing.approve",
        moderator.id,
        MOMENT,
    )
    assert (stored.before, stored.after, stored.reason) == (
        "awaiting_review",
        "published",
        "Conforme",
    )
    assert stored.details is None


def test_a_second_approval_keeps_the_first_publication_date(app, moderator):
    listing = make_listing(status="published")
    first_published = listing.published_at
    later = MOMENT + timedelta(days=3)

    apply_transition(listing, "send_back_to_review", actor=listing.owner, now=MOMENT)
    apply_transition(listing, "approve", actor=moderator, now=later, details={"note": "ok"})
    db.session.commit()

    assert listing.published_at == first_published
    assert listing.reviewed_at == later
    entries = entries_for("listing", listing.id)[-2:]  # after the factory's submit and approve
    assert [(e.action, e.before, e.after, e.actor_id) for e in entries] == [
        ("listing.send_back_to_review", "published", "awaiting_review", listing.owner_id),
        ("listing.approve", "awaiting_review", "published", moderator.id),
    ]
    assert entries[1].details == {"note": "ok"}


def test_a_move_not_allowed_from_the_current_status_is_a_conflict_and_changes_nothing(
    app, moderator
):
    listing = make_listing(status="given")
    rows_before = audit_count()

    with pytest.raises(Conflict) as error:
        apply_transition(listing, "approve", actor=moderator)
    db.session.commit()
    db.session.expire_all()

    assert error.value.code == "invalid_transition"
    assert "pas possible dans l’état actuel" in str(error.value)
    listing = db.session.get(Listing, listing.id)
    assert listing.status == "given" and listing.reviewed_by_id != moderator.id
    assert audit_count() == rows_before


def test_an_action_the_model_does_not_declare_is_a_programming_error(app, moderator):
    listing = make_listing(status="published")
    rows_before = audit_count()
    with pytest.raises(ValueError, match="no action 'publish'"):
        apply_transition(listing, "publish", actor=moderator)
    assert audit_count() == rows_before


def test_each_transition_is_announced_to_receivers_of_its_model(app, moderator):
    listing = make_listing(status="awaiting_review")
    heard = []

    def receiver(sender, **kwargs):
        heard.append((sender, kwargs))

    with state_changed.connected_to(receiver, sender=Listing):
        apply_transition(listing, "reject", actor=moderator, reason="Photo floue")

    assert heard == [
        (
            Listing,
            {
                "obj": listing,
                "action": "reject",
                "before": "awaiting_review",
                "after": "rejected",
                "actor": moderator,
            },
        )
    ]


@pytest.fixture
def unguarded_listings(app):
    Listing.transitions.relax()
    yield
    Listing.transitions.enforce()


def test_with_the_guard_on_only_the_helper_writes_a_saved_listings_status(app, moderator):
    # A new listing takes its first status freely, in its constructor or before its first flush.
    listing = make_listing(status="awaiting_review")
    draft = Listing(status="draft")
    db.session.add(draft)
    draft.status = "awaiting_review"
    assert draft.status == "awaiting_review"
    db.session.expunge(draft)

    with pytest.raises(StatusWriteRefused):
        listing.status = "published"
    assert listing.status == "awaiting_review"

    apply_transition(listing, "approve", actor=moderator)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "published"


def test_without_the_guard_a_direct_write_passes(unguarded_listings):
    listing = make_listing(status="published")
    assert not Listing.transitions.enforced
    listing.status = "withdrawn"
    assert listing.status == "withdrawn"


@pytest.mark.parametrize("model", [Listing, ExchangeRequest, Loan, Venue])
def test_each_stateful_model_declares_a_machine_whose_stamps_name_real_columns(model):
    machine = machine_of(model)
    assert machine.model is model
    machine.check_columns()


def test_a_table_naming_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="flying"):
        StateMachine(
            target_type="listing",
            states=ListingStatus,
            table={"take_off": ({ListingStatus.PUBLISHED}, "flying")},
        )
