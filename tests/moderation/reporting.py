"""Helpers of the reports tests: an item of each kind to report, the form a reporter fills in,
and what the database holds afterwards."""

from __future__ import annotations

from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.states import apply_transition
from sportressources.messaging import services as messaging
from sportressources.moderation.models import ModerationCase, Report
from sportressources.moderation.reports import settle_reports
from sportressources.trade.exchanges import services as exchanges
from tests.factories import committed, make_listing

LISTING_TITLE = "Raquette de tennis Babolat"
MESSAGE_BODY = "Paie-moi d’abord par virement, sinon tant pis pour toi."
RATING_COMMENT = "Arnaqueur, il m’a insulté à la remise."
EXPLANATION = "L’annonce donne un numéro de téléphone et renvoie vers un autre site."
VISITOR = {"name": "Valérie Visiteuse", "email": "Valerie@Example.org"}


def listing_by(owner, **fields):
    return make_listing(owner=owner, title=LISTING_TITLE, **fields)


def message_from(sender, to, body: str = MESSAGE_BODY):
    """A message ``sender`` (the listing's owner) wrote to ``to`` about a listing of theirs."""
    listing = make_listing(owner=sender, title="Ballon de handball")
    conversation = committed(messaging.start_conversation(to, listing))
    return committed(messaging.send_message(sender, conversation, body))


def rating_by(rater, ratee, comment: str = RATING_COMMENT, score: int = 1):
    """``rater`` gave a gift to ``ratee`` and rated them afterwards."""
    gift = make_listing(owner=rater, title="Casque de vélo enfant")
    request = committed(exchanges.request_item(ratee, gift, ""))
    committed(exchanges.accept_request(rater, request))
    committed(exchanges.confirm_handover(ratee, request))
    committed(exchanges.confirm_handover(rater, request))
    return committed(exchanges.rate(rater, request, score, comment))


def report_form(visitor: bool = False, **overrides) -> dict:
    data = {"reason": "rule:3.4", "explanation": EXPLANATION, "good_faith": "y"}
    if visitor:
        data.update(VISITOR)
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def reports_on(target_type: str, target_id: int) -> list[Report]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.target_type == target_type, Report.target_id == target_id)
            .order_by(Report.id)
        )
    )


def all_reports() -> list[Report]:
    db.session.rollback()
    return list(db.session.scalars(select(Report).order_by(Report.id)))


def decide(case: ModerationCase, decision: str, moderator, *, upheld: bool) -> list[Report]:
    """What the decisions part does once a moderator decided a case: the case is decided, then
    its reports are settled; committed."""
    case.decision = decision
    apply_transition(case, "decide", actor=moderator)
    return committed(settle_reports(case, upheld=upheld, actor=moderator))
