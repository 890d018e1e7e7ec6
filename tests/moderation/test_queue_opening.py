"""A listing enters the moderation queue when it is submitted, edited or resubmitted, and leaves
it when withdrawn before a decision."""

from sportressources.core.db import db
from sportressources.listings import services
from sportressources.moderation.models import ModerationCase
from sportressources.moderation.queue import open_case_for
from tests.factories import make_listing


def _cases(listing):
    return db.session.scalars(
        db.select(ModerationCase)
        .where(ModerationCase.target_type == "listing", ModerationCase.target_id == listing.id)
        .order_by(ModerationCase.id)
    ).all()


def test_a_submitted_listing_waits_in_the_queue_once(app, resident):
    listing = make_listing(owner=resident, status="awaiting_review")
    case = open_case_for("listing", listing.id)
    assert case is not None and case.reason == "new" and case.author_id == resident.id
    assert len(_cases(listing)) == 1


def test_a_listing_withdrawn_before_review_leaves_the_queue(app, resident):
    listing = make_listing(owner=resident, status="awaiting_review")
    services.withdraw_listing(resident, listing)
    db.session.flush()
    assert open_case_for("listing", listing.id) is None
    assert [case.status for case in _cases(listing)] == ["closed"]
