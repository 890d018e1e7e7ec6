"""Publishing a listing tells its owner once: an in-app notice and an email, both in their
language, written in the review's transaction and dropped with it. (A refusal tells them through
moderation's statement of reasons: tests/moderation/test_queue_decisions.py.)"""

from flask_babel import force_locale
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.core.mail import OutgoingMail
from sportressources.listings import review
from sportressources.notifications import services as notifications
from sportressources.notifications.models import Notification
from tests.factories import make_listing, make_user

TITLE = "Ballon de handball taille 2"


def notices_shown_to(user) -> list[tuple[str, str]]:
    with force_locale(user.locale):
        shown, _more = notifications.list_notifications(user)
        return [(item.message, item.notification.url) for item in shown]


def test_publishing_tells_the_owner_once(app, moderator, outbox):
    owner = make_user(email="owner@example.org")
    listing = make_listing(owner=owner, title=TITLE, status="awaiting_review")
    review.approve_listing(moderator, listing)
    db.session.commit()
    assert notices_shown_to(owner) == [
        (
            f"Votre annonce « {TITLE} » est publiée : tout le monde peut la voir.",
            f"/annonces/{listing.id}",
        )
    ]
    assert [mail.subject for mail in outbox.to(owner.email)] == ["Votre annonce est publiée"]


def test_a_rolled_back_review_tells_nobody(app, moderator, outbox):
    listing = make_listing(title=TITLE, status="awaiting_review")
    review.approve_listing(moderator, listing)
    assert counts() == (1, 1)  # written in the action's transaction...
    db.session.rollback()
    assert counts() == (0, 0)  # ...and gone with it
    assert len(outbox) == 0


def counts() -> tuple[int, int]:
    """Notices and queued emails, as the current transaction sees them."""
    return (
        db.session.scalar(select(func.count()).select_from(Notification)),
        db.session.scalar(select(func.count()).select_from(OutgoingMail)),
    )
