"""A new message tells the recipient once per batch of unread messages: an in-app notice and an
email, both in their language, written in the message's transaction and dropped with it."""

from flask_babel import force_locale
from sqlalchemy import func, select

from sportressources.core.db import db
from sportressources.core.mail import OutgoingMail
from sportressources.messaging import services as messaging
from sportressources.notifications import services as notifications
from sportressources.notifications.models import Notification
from tests.factories import make_listing, make_user

TITLE = "Ballon de basket taille 7"


def notices_shown_to(user) -> list[tuple[str, str]]:
    with force_locale(user.locale):
        shown, _more = notifications.list_notifications(user)
        return [(item.message, item.notification.url) for item in shown]


def test_a_batch_of_messages_tells_the_owner_once_in_their_language(app, outbox):
    owner = make_user(email="owner@example.org", locale="en")
    asker = make_user(email="asker@example.org", display_name="Inès Intéressée")
    listing = make_listing(owner=owner, title=TITLE, category="ballons", size="7")
    conversation = messaging.start_conversation(asker, listing)
    for body in ("Bonjour !", "Est-il toujours disponible ?"):
        messaging.send_message(asker, conversation, body)
        db.session.commit()
    assert notices_shown_to(owner) == [
        (
            f"Inès Intéressée wrote to you about the listing “{TITLE}”.",
            f"/messages/{conversation.id}",
        )
    ]
    assert [mail.subject for mail in outbox.to(owner.email)] == [f"New message about “{TITLE}”"]


def test_a_rolled_back_message_tells_nobody(app, outbox):
    asker = make_user()
    conversation = messaging.start_conversation(asker, make_listing(title=TITLE))
    db.session.commit()
    messaging.send_message(asker, conversation, "Bonjour !")
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
