"""Items in the review queue, as the real services put them there: a listing submitted, and a
published listing, a message, a profile or a rating reported by a member."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from sportressources.core.audit import AuditEntry
from sportressources.core.db import db, utcnow
from sportressources.messaging import services as messaging
from sportressources.moderation import queue
from sportressources.moderation.models import ModerationCase, Report, Statement
from sportressources.notifications.models import Notification
from sportressources.trade.exchanges import services as exchanges
from tests.factories import committed, make_listing, make_user

FACTS = "La description donne un numéro de téléphone : 06 12 34 56 78."
GROUND = "rule:3.4"


def submitted_listing(owner, **fields):
    """A listing its owner sent to review, and the open case it waits in. The owner's account is
    made older than the « recent account » flag's window, so that no automatic flag fires unless
    the listing's text raises one."""
    settled = utcnow() - timedelta(days=90)
    if owner.created_at > settled:
        owner.created_at = settled
    listing = make_listing(owner=owner, status="awaiting_review", **fields)
    return listing, queue.open_case_for("listing", listing.id)


def reported(target_type: str, target_id: int, author, reason: str = "rule:5.1", reporter=None):
    """The open case of an item a member reported (the report joins the case)."""
    reporter = reporter or make_user(display_name="Rita Signale")
    case = queue.open_case(
        target_type, target_id, author_id=author.id, reason="reported", reports=1
    )
    db.session.add(
        Report(
            target_type=target_type,
            target_id=target_id,
            case_id=case.id,
            reporter_id=reporter.id,
            reason=reason,
            explanation="Ce contenu enfreint les règles.",
            status="open",
        )
    )
    return committed(case)


def message_between(sender, owner, body: str = "Tu es vraiment un escroc, je vais te retrouver."):
    """A message ``sender`` wrote to ``owner`` about one of their listings."""
    listing = make_listing(owner=owner, title="Raquette de tennis")
    conversation = committed(messaging.start_conversation(sender, listing))
    return committed(messaging.send_message(sender, conversation, body))


def rating_of(rater, ratee, comment: str = "Menteur et voleur, à fuir absolument.", score=1):
    """``rater``'s rating of ``ratee`` after a gift ``ratee`` gave them, through the services."""
    gift = make_listing(owner=ratee, title="Maillot de handball")
    request = committed(exchanges.request_item(rater, gift))
    committed(exchanges.accept_request(ratee, request))
    committed(exchanges.confirm_handover(rater, request))
    committed(exchanges.confirm_handover(ratee, request))
    return committed(exchanges.rate(rater, request, score, comment))


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def statements_of(case) -> list[Statement]:
    return list(db.session.scalars(select(Statement).where(Statement.case_id == case.id)))


def decide_rows(case) -> int:
    return count(
        AuditEntry,
        AuditEntry.action == "moderation_case.decide",
        AuditEntry.target_id == case.id,
    )


def notices_of(user, kind: str | None = None) -> int:
    conditions = [Notification.user_id == user.id]
    if kind:
        conditions.append(Notification.kind == kind)
    return count(Notification, *conditions)


def reload(case) -> ModerationCase:
    db.session.rollback()
    return db.session.get(ModerationCase, case.id, populate_existing=True)
