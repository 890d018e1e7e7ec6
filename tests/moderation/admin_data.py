"""Moderation records for the admin pages' tests, built with the models and moved through their
statuses by ``apply_transition`` (which stamps and logs them as the services would), at chosen
moments. Each function commits what it creates."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sportressources.core.db import db
from sportressources.core.states import apply_transition
from sportressources.moderation import dsa
from sportressources.moderation.grounds import ground_for
from sportressources.moderation.models import (
    Appeal,
    ModerationCase,
    Report,
    Sanction,
    Statement,
)

PARIS = ZoneInfo("Europe/Paris")
_targets = itertools.count(1000)


def paris(*args) -> datetime:
    """A moment given in Paris time, as the aware UTC datetime the columns hold."""
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def make_case(
    *,
    opened_at: datetime,
    decided_at: datetime | None = None,
    decision: str | None = None,
    moderator=None,
    flags: tuple[str, ...] = (),
    author=None,
    target_type: str = "listing",
    target_id: int | None = None,
    reason: str = "new",
) -> ModerationCase:
    case = ModerationCase(
        target_type=target_type,
        target_id=target_id if target_id is not None else next(_targets),
        author_id=getattr(author, "id", None),
        reason=reason,
        status="open",
        flags=[{"code": code, "detail": ""} for code in flags],
        flag_count=len(flags),
        report_count=0,
        opened_at=opened_at,
    )
    db.session.add(case)
    db.session.flush()
    if decided_at is not None:
        case.decision = decision
        apply_transition(case, "decide", actor=moderator, now=decided_at)
    db.session.commit()
    return case


def make_report(
    *,
    reason: str,
    created_at: datetime,
    outcome: str | None = None,
    decided_at: datetime | None = None,
    moderator=None,
    reporter=None,
    target_id: int | None = None,
) -> Report:
    report = Report(
        target_type="listing",
        target_id=target_id if target_id is not None else next(_targets),
        reporter_id=getattr(reporter, "id", None),
        reporter_name=None if reporter else "Visiteur",
        reporter_email=None if reporter else "visiteur@example.org",
        reason=reason,
        explanation="Voir l’annonce.",
        status="open",
        created_at=created_at,
    )
    db.session.add(report)
    db.session.flush()
    if outcome is not None:
        apply_transition(report, outcome, actor=moderator, now=decided_at)
    db.session.commit()
    return report


def make_statement(
    *,
    decision: str,
    ground: str,
    created_at: datetime,
    member=None,
    moderator=None,
    target_type: str = "listing",
) -> Statement:
    found = ground_for(ground)
    statement = Statement(
        member_id=getattr(member, "id", None),
        target_type=target_type,
        target_id=next(_targets),
        decision=decision,
        ground=dsa.DECISION_GROUND_ILLEGAL if found.illegal else dsa.DECISION_GROUND_INCOMPATIBLE,
        legal_ground=found.law if found.illegal else "",
        terms_rule=found.rule,
        category=found.category,
        content_type=dsa.CONTENT_TYPE_PRODUCT,
        facts="Les faits.",
        explanation=str(found.label),
        source_type=dsa.SOURCE_VOLUNTARY,
        automated_detection=False,
        automated_decision=dsa.AUTOMATED_DECISION_NOT,
        appeal_until=created_at + timedelta(days=183),
        decided_by_id=getattr(moderator, "id", None),
        created_at=created_at,
    )
    db.session.add(statement)
    db.session.commit()
    return statement


def make_appeal(
    statement: Statement,
    *,
    created_at: datetime,
    outcome: str | None = None,
    ruled_at: datetime | None = None,
    moderator=None,
) -> Appeal:
    appeal = Appeal(
        statement_id=statement.id,
        appellant_id=statement.member_id,
        explanation="Je conteste.",
        status="open",
        created_at=created_at,
    )
    db.session.add(appeal)
    db.session.flush()
    if outcome is not None:
        apply_transition(appeal, outcome, actor=moderator, now=ruled_at)
    db.session.commit()
    return appeal


def make_sanction(
    member,
    *,
    kind: str,
    starts_at: datetime,
    moderator=None,
    lifted_at: datetime | None = None,
) -> Sanction:
    sanction = Sanction(
        member_id=member.id,
        kind=kind,
        status="active",
        reason="Règle 5.1",
        terms_rule="5.1",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=7) if kind == "suspension" else None,
        created_by_id=getattr(moderator, "id", None),
    )
    db.session.add(sanction)
    db.session.flush()
    if lifted_at is not None:
        apply_transition(sanction, "lift", actor=moderator, now=lifted_at)
    db.session.commit()
    return sanction
