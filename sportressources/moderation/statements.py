"""Statements of reasons (DSA art. 17): written for every removal, rejection, request for
changes and sanction, shown on the member's account and emailed; read only by the member they
concern and by moderators. Functions flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.core.errors import NotFound
from sportressources.core.mail import external_url
from sportressources.core.security import actor_of
from sportressources.listings.models import Listing
from sportressources.moderation import dsa, grounds
from sportressources.moderation.grounds import Ground
from sportressources.moderation.models import (
    Appeal,
    Decision,
    ModerationCase,
    Sanction,
    SanctionKind,
    Statement,
    TargetType,
)
from sportressources.moderation.notices import KINDS
from sportressources.moderation.policies import can_moderate
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
    Decision.REJECT.value: dsa.VISIBILITY_DISABLED,
    Decision.REQUEST_CHANGES.value: dsa.VISIBILITY_DISABLED,
    Decision.REMOVE.value: dsa.VISIBILITY_REMOVED,
}
ACCOUNT = {
    SanctionKind.SUSPENSION.value: dsa.ACCOUNT_SUSPENDED,
    SanctionKind.BAN.value: dsa.ACCOUNT_TERMINATED,
}
SANCTION_DECISIONS = frozenset(kind.value for kind in SanctionKind)
APPEAL_REJECTED = "appeal_rejected"
APPEAL_GRANTED = "appeal_granted"

DECISION_LABELS = {
    "reject": _l("annonce refusée"),
    "request_changes": _l("modification demandée"),
    "remove": _l("contenu retiré"),
    "warning": _l("avertissement"),
    "suspension": _l("compte suspendu"),
    "ban": _l("compte fermé"),
    APPEAL_REJECTED: _l("contestation rejetée"),
    APPEAL_GRANTED: _l("contestation acceptée"),
}

# What a statement is about, for the member, when the item has no name of its own
TARGET_LABELS = {
    TargetType.LISTING.value: _l("votre annonce"),
    TargetType.MESSAGE.value: _l("votre message"),
    TargetType.PROFILE.value: _l("votre profil"),
    TargetType.RATING.value: _l("le commentaire de votre évaluation"),
    TargetType.ORGANISATION.value: _l("votre organisation"),
}


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
    an appeal passes ``appeal_of`` and ``appealable=False`` (one appeal per decision). Every DSA
    value stored is one the Transparency Database documents (ValueError otherwise: a
    programming error, such as an unknown ``target_type``).
    """
    now = utcnow()
    with force_locale("fr"):  # the record is kept in French, the language of the decision
        explanation = str(ground.label)
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
        content_type=CONTENT_TYPES.get(target_type, ""),
        facts=facts,
        explanation=explanation,
        source_type=dsa.SOURCE_ARTICLE_16 if from_report else dsa.SOURCE_VOLUNTARY,
        automated_detection=automated_detection,
        automated_decision=dsa.AUTOMATED_DECISION_NOT,  # a moderator always decides
        ends_at=ends_at,
        appeal_until=now + APPEAL_PERIOD if appealable else None,
        decided_by_id=getattr(moderator, "id", None),
        created_at=now,
    )
    _check_documented(statement)
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
                    "terms_url": terms_url(ground),
                    "appeal_of": appeal_of,
                    "statement_url": external_url(
                        "moderation.statement", statement_id=statement.id
                    ),
                },
            ),
            subject=subject,
        )
    return statement


def _check_documented(statement: Statement) -> None:
    documented = {
        "visibility": dsa.VISIBILITY_VALUES | {None},
        "account_decision": dsa.ACCOUNT_VALUES | {None},
        "ground": dsa.DECISION_GROUND_VALUES,
        "category": dsa.CATEGORIES,
        "content_type": dsa.CONTENT_TYPE_VALUES,
        "source_type": dsa.SOURCE_VALUES,
        "automated_decision": dsa.AUTOMATED_DECISION_VALUES,
    }
    for name, values in documented.items():
        value = getattr(statement, name)
        if value not in values:
            raise ValueError(f"statement {name} {value!r} is not a DSA Transparency Database value")


def terms_url(ground: Ground) -> str | None:
    """The absolute URL of a rule on the terms page (« …/conditions-utilisation#regle-3-4 »),
    None for illegal content."""
    if ground.anchor is None:
        return None
    return f"{external_url('pages.terms')}#{ground.anchor}"


# --- reading statements ---------------------------------------------------------------------------


def can_read_statement(actor, statement: Statement) -> bool:
    """The member a statement concerns and moderators read it; nobody else knows it exists."""
    acting = actor_of(actor)
    if not acting.is_member:
        return False
    return can_moderate(acting) or (
        statement.member_id is not None and statement.member_id == acting.user_id
    )


def statement_for(actor, statement_id: int) -> Statement:
    """The statement ``statement_id`` as ``actor`` may read it.

    Raises NotFound for an unknown statement and for one the actor may not read, alike.
    """
    statement = db.session.get(Statement, statement_id)
    if statement is None or not can_read_statement(actor, statement):
        raise NotFound()
    return statement


def statements_of(member, limit: int | None = None) -> list[Statement]:
    """The statements concerning ``member``, newest first (at most ``limit``)."""
    query = (
        select(Statement)
        .where(Statement.member_id == member.id)
        .order_by(Statement.created_at.desc(), Statement.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def ground_of(statement: Statement) -> Ground:
    """The ground a statement relied on: its rule of the terms, or the kind of illegal content
    whose legal reference it cites (« illegal:other » when none matches)."""
    if statement.terms_rule:
        ground = grounds.ground_for(f"rule:{statement.terms_rule}")
        if ground is not None:
            return ground
    for ground in grounds.ILLEGAL_KINDS:
        if ground.law == statement.legal_ground and ground.category == statement.category:
            return ground
    return grounds.GROUNDS["illegal:other"]


def is_sanction(statement: Statement) -> bool:
    """A warning, a suspension or a ban (the others restrict a listing, a message…)."""
    return statement.decision in SANCTION_DECISIONS


def subject_of(statement: Statement) -> str | LazyString:
    """What the statement is about, for the member: a listing's title, « votre compte »…"""
    return summaries([statement])[0].subject


def decision_label(statement: Statement) -> str | LazyString:
    """What was decided, in a few words (« annonce refusée »)."""
    return DECISION_LABELS.get(statement.decision, statement.decision)


@dataclass(frozen=True)
class Summary:
    """A statement with what its pages show beside it."""

    statement: Statement
    subject: str | LazyString
    ground: Ground
    label: str | LazyString
    appeal: Appeal | None


def summaries(rows: Sequence[Statement]) -> list[Summary]:
    """Each statement with its subject, ground, label and appeal, in three queries whatever
    their number (the statements given, their listings, their appeals)."""
    listing_ids = {
        row.target_id
        for row in rows
        if row.target_type == TargetType.LISTING.value and not is_sanction(row)
    }
    titles: dict[int, str] = {}
    if listing_ids:
        query = select(Listing.id, Listing.title).where(Listing.id.in_(listing_ids))
        titles = {listing_id: title for listing_id, title in db.session.execute(query)}
    appeals: dict[int, Appeal] = {}
    if rows:
        query = select(Appeal).where(Appeal.statement_id.in_([row.id for row in rows]))
        appeals = {appeal.statement_id: appeal for appeal in db.session.scalars(query)}
    result = []
    for row in rows:
        if is_sanction(row):
            subject = _l("votre compte")
        elif row.target_type == TargetType.LISTING.value and row.target_id in titles:
            subject = titles[row.target_id]
        else:
            subject = TARGET_LABELS.get(row.target_type, row.target_type)
        result.append(
            Summary(row, subject, ground_of(row), decision_label(row), appeals.get(row.id))
        )
    return result
