"""Statements of reasons (DSA art. 17): written for every removal, rejection, request for
changes and sanction, shown on the member's account and emailed. Functions flush, never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.core.mail import external_url
from sportressources.moderation import dsa
from sportressources.moderation.grounds import Ground
from sportressources.moderation.models import ModerationCase, Sanction, Statement, TargetType
from sportressources.moderation.notices import KINDS
from sportressources.notifications.services import Email, site_path, tell_member

# DSA art. 20: a member may contest a decision for six months after being told of it
APPEAL_PERIOD = timedelta(days=183)

CONTENT_TYPES = {
    TargetType.LISTING.value: dsa.CONTENT_TYPE_PRODUCT,
    TargetType.MESSAGE.value: dsa.CONTENT_TYPE_TEXT,
    TargetType.PROFILE.value: dsa.CONTENT_TYPE_TEXT,
    TargetType.RATING.value: dsa.CONTENT_TYPE_TEXT,
    TargetType.ORGANISATION.value: dsa.CONTENT_TYPE_OTHER,
}

# Our decision -> what it does, in the database's words
VISIBILITY = {
    "reject": dsa.VISIBILITY_DISABLED,
    "request_changes": dsa.VISIBILITY_DISABLED,
    "remove": dsa.VISIBILITY_REMOVED,
}
ACCOUNT = {"suspension": dsa.ACCOUNT_SUSPENDED, "ban": dsa.ACCOUNT_TERMINATED}

DECISION_LABELS = {
    "reject": _l("annonce refusée"),
    "request_changes": _l("modification demandée"),
    "remove": _l("contenu retiré"),
    "warning": _l("avertissement"),
    "suspension": _l("compte suspendu"),
    "ban": _l("compte fermé"),
    "appeal_rejected": _l("contestation rejetée"),
    "appeal_granted": _l("contestation acceptée"),
}


def register(app: Flask) -> None:
    """Wire this part into the app (notice kinds, CLI commands, template slots, receivers)."""


def issue_statement(
    *,
    member,
    decision: str,
    target_type: str,
    target_id: int,
    ground: Ground,
    facts: str,
    moderator,
    subject: str,
    automated_detection: bool = False,
    from_report: bool = False,
    case: ModerationCase | None = None,
    sanction: Sanction | None = None,
    appeal_of: Statement | None = None,
    ends_at: datetime | None = None,
    appealable: bool = True,
) -> Statement:
    """Write the statement of reasons for a decision restricting ``member``, record it in the
    audit log and tell the member (notice and email with the reasons and how to contest).

    ``subject`` names the item for the member (a listing's title, « votre compte »). A ruling on
    an appeal passes ``appeal_of`` and ``appealable=False`` (one appeal per decision).
    """
    now = utcnow()
    statement = Statement(
        member_id=getattr(member, "id", None),
        target_type=target_type,
        target_id=target_id,
        decision=decision,
        case_id=case.id if case else None,
        sanction_id=sanction.id if sanction else None,
        appeal_of_id=appeal_of.id if appeal_of else None,
        visibility=VISIBILITY.get(decision),
        account_decision=ACCOUNT.get(decision),
        ground=dsa.DECISION_GROUND_ILLEGAL if ground.illegal else dsa.DECISION_GROUND_INCOMPATIBLE,
        legal_ground=ground.law if ground.illegal else "",
        terms_rule=ground.rule,
        category=ground.category,
        content_type=CONTENT_TYPES[target_type],
        facts=facts,
        explanation=str(ground.label),
        source_type=dsa.SOURCE_ARTICLE_16 if from_report else dsa.SOURCE_VOLUNTARY,
        automated_detection=automated_detection,
        automated_decision=dsa.AUTOMATED_DECISION_NOT,
        ends_at=ends_at,
        appeal_until=now + APPEAL_PERIOD if appealable else None,
        decided_by_id=getattr(moderator, "id", None),
        created_at=now,
    )
    db.session.add(statement)
    db.session.flush()
    record_entry(
        "statement.issue",
        "statement",
        statement.id,
        actor=moderator,
        after=decision,
        reason=facts,
        details={"target_type": target_type, "target_id": target_id, "ground": ground.code},
    )
    if member is not None:
        email_subject, _message = KINDS["moderation_statement"]
        tell_member(
            member,
            "moderation_statement",
            site_path("moderation.statement", statement_id=statement.id),
            email=Email(
                email_subject,
                "moderation/statement",
                {
                    "statement": statement,
                    # not « subject »: send_mail takes the email's subject under that name
                    "item": subject,
                    "decision_label": DECISION_LABELS.get(decision, decision),
                    "ground": ground,
                    "statement_url": external_url(
                        "moderation.statement", statement_id=statement.id
                    ),
                },
            ),
            subject=subject,
        )
    return statement
