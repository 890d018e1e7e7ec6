"""Moderation: the cases moderators decide, the reports (notices) anyone can send, the statements
of reasons every restriction produces, appeals against them, sanctions on accounts, and the list of
forbidden words the automatic flags look for."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base, sql_values, utcnow
from sportressources.core.states import Stamp, StateMachine

if TYPE_CHECKING:
    from sportressources.accounts.models import User


class TargetType(enum.StrEnum):
    """What a case, a report or a statement is about."""

    LISTING = "listing"
    MESSAGE = "message"
    PROFILE = "profile"  # a member's public profile (target_id is the user's id)
    RATING = "rating"  # the comment of a rating (trade_ratings)
    ORGANISATION = "organisation"  # later: organisations to verify


class CaseReason(enum.StrEnum):
    """Why an item is in the queue."""

    NEW = "new"  # a listing submitted for the first time
    EDITED = "edited"  # a published listing edited substantively
    RESUBMITTED = "resubmitted"  # edited after a rejection or a request for changes
    REPORTED = "reported"  # one or more reports
    FLAGGED = "flagged"  # only automatic flags (e.g. a message)


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    CLOSED = "closed"  # the item left before a decision (withdrawn, deleted)


class Decision(enum.StrEnum):
    APPROVE = "approve"  # publish (new or edited listing) or keep (reported item)
    REJECT = "reject"  # a listing is not published
    REQUEST_CHANGES = "request_changes"  # the author must change it before it is published
    REMOVE = "remove"  # an item already public is taken down
    DISMISS = "dismiss"  # reports found unfounded: nothing changes


# Decisions that restrict what a member published: each gives a statement of reasons (DSA art. 17)
RESTRICTIVE_DECISIONS = frozenset({Decision.REJECT, Decision.REQUEST_CHANGES, Decision.REMOVE})

CASE_TRANSITIONS = {
    "decide": ({CaseStatus.OPEN}, CaseStatus.DECIDED),
    "close": ({CaseStatus.OPEN}, CaseStatus.CLOSED),
}


class ModerationCase(Base):
    """One item waiting for (or having had) a moderator's decision.

    At most one open case per item (a partial unique index): new reports and flags join it. A
    resubmission opens a new case that points to the previous one, so that its decision is shown.
    """

    __tablename__ = "moderation_cases"
    __table_args__ = (
        CheckConstraint(f"target_type IN ({sql_values(TargetType)})", name="target_type_valid"),
        CheckConstraint(f"reason IN ({sql_values(CaseReason)})", name="reason_valid"),
        CheckConstraint(f"status IN ({sql_values(CaseStatus)})", name="status_valid"),
        CheckConstraint(
            f"decision IS NULL OR decision IN ({sql_values(Decision)})", name="decision_valid"
        ),
        Index(
            "uq_moderation_cases_open_target",
            "target_type",
            "target_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_moderation_cases_status_opened", "status", "opened_at"),
        Index("ix_moderation_cases_target", "target_type", "target_id", "id"),
        Index("ix_moderation_cases_author", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    # Who wrote the item (listing owner, message sender, rater, the profile's member)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.OPEN.value)
    # Automatic flags that fired: [{"code": "contact_details", "detail": "06 12 …"}, …]
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    flag_count: Mapped[int] = mapped_column(default=0)
    report_count: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    previous_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_cases.id", ondelete="SET NULL")
    )
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    previous_case: Mapped[ModerationCase | None] = relationship(remote_side=[id])

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="moderation_case",
        states=CaseStatus,
        table=CASE_TRANSITIONS,
        stamps={
            "decide": Stamp(at="decided_at", by="decided_by_id"),
            "close": Stamp(at="decided_at"),
        },
    )

    def __repr__(self) -> str:
        return f"<ModerationCase {self.id} {self.target_type}:{self.target_id} {self.status}>"


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the item was restricted
    REJECTED = "rejected"  # the item stays as it was


REPORT_TRANSITIONS = {
    "uphold": ({ReportStatus.OPEN}, ReportStatus.UPHELD),
    "reject": ({ReportStatus.OPEN}, ReportStatus.REJECTED),
}


class Report(Base):
    """A notice (DSA art. 16): someone, signed in or not, says an item breaks the law or a rule.

    ``reason`` is a code of ``moderation.grounds``: « illegal:<kind> » or « rule:<number> ».
    """

    __tablename__ = "moderation_reports"
    __table_args__ = (
        CheckConstraint(f"target_type IN ({sql_values(TargetType)})", name="target_type_valid"),
        CheckConstraint(f"status IN ({sql_values(ReportStatus)})", name="status_valid"),
        CheckConstraint(
            "reporter_id IS NOT NULL OR (reporter_email IS NOT NULL AND reporter_name IS NOT NULL)",
            name="reporter_known",
        ),
        Index("ix_moderation_reports_target", "target_type", "target_id", "status"),
        Index("ix_moderation_reports_reporter", "reporter_id", "created_at"),
        Index("ix_moderation_reports_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_cases.id", ondelete="SET NULL"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_email: Mapped[str | None] = mapped_column(String(254))
    # Language of the acknowledgement and outcome emails sent to a visitor
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    reason: Mapped[str] = mapped_column(String(48))
    explanation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome_sent_at: Mapped[datetime | None]

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    case: Mapped[ModerationCase | None] = relationship()

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="report",
        states=ReportStatus,
        table=REPORT_TRANSITIONS,
        stamps={
            "uphold": Stamp(at="decided_at", by="decided_by_id"),
            "reject": Stamp(at="decided_at", by="decided_by_id"),
        },
    )


class Statement(Base):
    """A statement of reasons (DSA art. 17): what was decided about a member's item or account,
    on which facts and ground, whether automated means were used, and how to contest it.

    Field values follow the EU DSA Transparency Database (see ``moderation.dsa``): ``visibility``
    and ``account_decision`` hold its DECISION_* values, ``ground`` DECISION_GROUND_*, ``category``
    STATEMENT_CATEGORY_*, ``content_type`` CONTENT_TYPE_*, ``automated_decision``
    AUTOMATED_DECISION_*, ``source_type`` SOURCE_*.
    """

    __tablename__ = "moderation_statements"
    __table_args__ = (
        CheckConstraint(f"target_type IN ({sql_values(TargetType)})", name="target_type_valid"),
        Index("ix_moderation_statements_member", "member_id", "id"),
        Index("ix_moderation_statements_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The member whose item or account the decision restricts
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    # Our own decision: a Decision value, or warning / suspension / ban, or appeal_rejected /
    # appeal_granted for the statement that closes an appeal
    decision: Mapped[str] = mapped_column(String(24))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_cases.id", ondelete="SET NULL")
    )
    sanction_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_sanctions.id", ondelete="SET NULL")
    )
    # The statement an appeal contested, for the statement that rules on it
    appeal_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_statements.id", ondelete="SET NULL")
    )
    visibility: Mapped[str | None] = mapped_column(String(64))
    account_decision: Mapped[str | None] = mapped_column(String(64))
    ground: Mapped[str] = mapped_column(String(48))
    # The law for illegal content; the numbered rule of the terms of use otherwise (« 3.2 »)
    legal_ground: Mapped[str] = mapped_column(Text, default="")
    terms_rule: Mapped[str | None] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    facts: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    source_type: Mapped[str] = mapped_column(String(40))
    automated_detection: Mapped[bool] = mapped_column(default=False)
    automated_decision: Mapped[str] = mapped_column(String(48))
    # When the restriction ends (a suspension), if it does
    ends_at: Mapped[datetime | None]
    # The member may appeal until then (six months)
    appeal_until: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[User | None] = relationship(foreign_keys=[member_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    case: Mapped[ModerationCase | None] = relationship()
    sanction: Mapped[Sanction | None] = relationship(foreign_keys=[sanction_id])
    appeal_of: Mapped[Statement | None] = relationship(remote_side=[id])


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    REJECTED = "rejected"  # the decision stands
    GRANTED = "granted"  # the decision is reversed


APPEAL_TRANSITIONS = {
    "reject": ({AppealStatus.OPEN}, AppealStatus.REJECTED),
    "grant": ({AppealStatus.OPEN}, AppealStatus.GRANTED),
}


class Appeal(Base):
    """A member contests a statement (DSA art. 20): once per statement, within six months; a
    moderator other than the one who decided rules on it, and that ruling is a new statement."""

    __tablename__ = "moderation_appeals"
    __table_args__ = (
        UniqueConstraint("statement_id"),
        CheckConstraint(f"status IN ({sql_values(AppealStatus)})", name="status_valid"),
        Index("ix_moderation_appeals_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("moderation_statements.id"))
    appellant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    explanation: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=AppealStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ruled_at: Mapped[datetime | None]
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ruling_note: Mapped[str] = mapped_column(Text, default="")
    outcome_statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_statements.id", ondelete="SET NULL")
    )

    statement: Mapped[Statement] = relationship(foreign_keys=[statement_id])
    appellant: Mapped[User | None] = relationship(foreign_keys=[appellant_id])
    ruled_by: Mapped[User | None] = relationship(foreign_keys=[ruled_by_id])
    outcome_statement: Mapped[Statement | None] = relationship(foreign_keys=[outcome_statement_id])

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="appeal",
        states=AppealStatus,
        table=APPEAL_TRANSITIONS,
        stamps={
            "reject": Stamp(at="ruled_at", by="ruled_by_id"),
            "grant": Stamp(at="ruled_at", by="ruled_by_id"),
        },
    )


class SanctionKind(enum.StrEnum):
    WARNING = "warning"
    SUSPENSION = "suspension"  # until ends_at, then it ends by itself
    BAN = "ban"  # admins only; no end


class SanctionStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"  # a suspension whose period is over
    LIFTED = "lifted"  # lifted early by a moderator (or an appeal)


SANCTION_TRANSITIONS = {
    "end": ({SanctionStatus.ACTIVE}, SanctionStatus.ENDED),
    "lift": ({SanctionStatus.ACTIVE}, SanctionStatus.LIFTED),
}


class Sanction(Base):
    """A warning, a suspension or a ban of one member, with its statement of reasons.

    What a sanction blocks is mirrored on the account (``users.suspended_until``,
    ``users.banned_at``) so that signing in and the other packages check the account alone.
    """

    __tablename__ = "moderation_sanctions"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_values(SanctionKind)})", name="kind_valid"),
        CheckConstraint(f"status IN ({sql_values(SanctionStatus)})", name="status_valid"),
        CheckConstraint("kind <> 'suspension' OR ends_at IS NOT NULL", name="suspension_ends"),
        Index("ix_moderation_sanctions_member", "member_id", "status"),
        Index("ix_moderation_sanctions_status_ends", "status", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=SanctionStatus.ACTIVE.value)
    reason: Mapped[str] = mapped_column(Text)
    terms_rule: Mapped[str | None] = mapped_column(String(8))
    starts_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lift_reason: Mapped[str] = mapped_column(Text, default="")

    member: Mapped[User] = relationship(foreign_keys=[member_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="sanction",
        states=SanctionStatus,
        table=SANCTION_TRANSITIONS,
        stamps={
            "end": Stamp(at="ended_at"),
            "lift": (Stamp(at="ended_at"), Stamp(by="lifted_by_id")),
        },
    )


class ForbiddenWord(Base):
    """A word or phrase that flags a listing for the moderators (accents and case aside)."""

    __tablename__ = "moderation_forbidden_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(80), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
