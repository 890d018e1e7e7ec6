"""The public transparency report of one year (DSA art. 15 and 24): notices received by reason,
decisions by type and ground, median times to decide, appeals and their outcomes, the share of
automatic flags confirmed, sanctions by kind. A statement per figure, whatever the volume."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from sportressources.core.db import db
from sportressources.moderation.figures.dashboard import RESTRICTIVE_VALUES
from sportressources.moderation.figures.timing import (
    PARIS,
    median_seconds,
    paris_midnight,
    paris_today,
)
from sportressources.moderation.grounds import ILLEGAL_KINDS, ground_for, rule
from sportressources.moderation.models import (
    Appeal,
    AppealStatus,
    CaseStatus,
    Decision,
    ModerationCase,
    Report,
    ReportStatus,
    Sanction,
    SanctionKind,
    SanctionStatus,
    Statement,
)

# The first year the site could have moderated anything: older years are never asked about
FIRST_YEAR = 2024


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first moment of a Paris calendar year and of the next one, in UTC."""
    return paris_midnight(date(year, 1, 1)), paris_midnight(date(year + 1, 1, 1))


def years_with_data(now: datetime | None = None) -> list[int]:
    """The years the transparency report covers, latest first: from the year of the first
    notice, case, statement, appeal or sanction to the current year (the current year alone
    when there is nothing yet). One statement."""
    firsts = db.session.execute(
        select(
            select(func.min(Report.created_at)).scalar_subquery(),
            select(func.min(ModerationCase.opened_at)).scalar_subquery(),
            select(func.min(Statement.created_at)).scalar_subquery(),
            select(func.min(Appeal.created_at)).scalar_subquery(),
            select(func.min(Sanction.starts_at)).scalar_subquery(),
        )
    ).one()
    current = paris_today(now).year
    known = [moment.astimezone(PARIS).year for moment in firsts if moment is not None]
    first = max(FIRST_YEAR, min(known, default=current))
    return list(range(current, min(first, current) - 1, -1))


@dataclass(frozen=True)
class NoticeRow:
    """Notices received for one reason, and what became of them."""

    code: str
    label: str | LazyString
    upheld: int = 0
    rejected: int = 0
    pending: int = 0

    @property
    def received(self) -> int:
        return self.upheld + self.rejected + self.pending


@dataclass(frozen=True)
class Row:
    """One line of a table of counts."""

    label: str | LazyString
    count: int
    detail: str | LazyString = ""


@dataclass(frozen=True)
class SanctionRow:
    """Sanctions of one kind given in the period, and how many of them were lifted since."""

    label: str | LazyString
    given: int
    lifted: int


@dataclass(frozen=True)
class Transparency:
    """The transparency report of one year."""

    year: int
    notices: list[NoticeRow] = field(default_factory=list)
    decisions: list[Row] = field(default_factory=list)  # the queue's decisions, by type
    restrictions: list[Row] = field(default_factory=list)  # statements, by type and ground
    median_case_seconds: float | None = None
    decided_cases: int = 0
    median_notice_seconds: float | None = None
    decided_notices: int = 0
    appeals: list[Row] = field(default_factory=list)
    flagged_decided: int = 0
    flagged_confirmed: int = 0
    sanctions: list[SanctionRow] = field(default_factory=list)

    @property
    def notices_received(self) -> int:
        return sum(row.received for row in self.notices)

    @property
    def decisions_total(self) -> int:
        return sum(row.count for row in self.decisions)

    @property
    def restrictions_total(self) -> int:
        return sum(row.count for row in self.restrictions)

    @property
    def appeals_total(self) -> int:
        return sum(row.count for row in self.appeals)

    @property
    def sanctions_total(self) -> int:
        return sum(row.given for row in self.sanctions)

    @property
    def flag_share(self) -> float | None:
        """Of the decided cases that automatic flags had raised, the part that ended in a
        restriction (the flag was confirmed); None when no flagged case was decided."""
        if not self.flagged_decided:
            return None
        return self.flagged_confirmed / self.flagged_decided


CASE_DECISION_LABELS: dict[str, LazyString] = {
    Decision.APPROVE.value: _l("Approuvé (publié ou maintenu)"),
    Decision.REJECT.value: _l("Annonce refusée"),
    Decision.REQUEST_CHANGES.value: _l("Modification demandée"),
    Decision.REMOVE.value: _l("Contenu retiré"),
    Decision.DISMISS.value: _l("Signalements écartés, contenu maintenu"),
}
STATEMENT_DECISION_LABELS: dict[str, LazyString] = {
    Decision.REJECT.value: _l("Annonce refusée"),
    Decision.REQUEST_CHANGES.value: _l("Modification demandée"),
    Decision.REMOVE.value: _l("Contenu retiré"),
    SanctionKind.WARNING.value: _l("Avertissement"),
    SanctionKind.SUSPENSION.value: _l("Compte suspendu"),
    SanctionKind.BAN.value: _l("Compte fermé"),
}
APPEAL_LABELS: dict[str, LazyString] = {
    AppealStatus.REJECTED.value: _l("Décision maintenue"),
    AppealStatus.GRANTED.value: _l("Décision annulée"),
    AppealStatus.OPEN.value: _l("En cours d’examen"),
}
SANCTION_LABELS: dict[str, LazyString] = {
    SanctionKind.WARNING.value: _l("Avertissements"),
    SanctionKind.SUSPENSION.value: _l("Suspensions de compte"),
    SanctionKind.BAN.value: _l("Fermetures de compte"),
}
_LAWS = {ground.law: ground for ground in ILLEGAL_KINDS if ground.law}


def ground_label(code: str) -> str | LazyString:
    """A report reason or a decision ground as the public reads it: « Règle 3.4 : … » or
    « Contenu illicite : … »; an unknown code as it is."""
    ground = ground_for(code)
    if ground is None:
        return code
    if ground.illegal:
        return _l("Contenu illicite : %(label)s", label=ground.label)
    return _l("Règle %(rule)s : %(label)s", rule=ground.rule, label=ground.label)


def _statement_ground(terms_rule: str | None, legal_ground: str | None) -> str | LazyString:
    if terms_rule:
        try:
            return ground_label(rule(terms_rule).code)
        except KeyError:
            return _l("Règle %(rule)s", rule=terms_rule)
    illegal = _LAWS.get(legal_ground or "")
    return ground_label(illegal.code if illegal else "illegal:other")


def _notices(start: datetime, end: datetime) -> list[NoticeRow]:
    rows = db.session.execute(
        select(Report.reason, Report.status, func.count())
        .where(Report.created_at >= start, Report.created_at < end)
        .group_by(Report.reason, Report.status)
    ).all()
    per_reason: dict[str, dict[str, int]] = defaultdict(dict)
    names = {
        ReportStatus.UPHELD.value: "upheld",
        ReportStatus.REJECTED.value: "rejected",
        ReportStatus.OPEN.value: "pending",
    }
    for reason, status, number in rows:
        per_reason[reason][names[status]] = number
    notices = [NoticeRow(code, ground_label(code), **counts) for code, counts in per_reason.items()]
    return sorted(notices, key=lambda row: (-row.received, row.code))


def _case_decisions(start: datetime, end: datetime) -> list[Row]:
    rows = db.session.execute(
        select(ModerationCase.decision, func.count())
        .where(
            ModerationCase.status == CaseStatus.DECIDED.value,
            ModerationCase.decided_at >= start,
            ModerationCase.decided_at < end,
        )
        .group_by(ModerationCase.decision)
    ).all()
    counts = dict(rows)
    return [
        Row(label, counts[decision])
        for decision, label in CASE_DECISION_LABELS.items()
        if counts.get(decision)
    ]


def _restrictions(start: datetime, end: datetime) -> list[Row]:
    rows = db.session.execute(
        select(Statement.decision, Statement.terms_rule, Statement.legal_ground, func.count())
        .where(
            Statement.created_at >= start,
            Statement.created_at < end,
            Statement.decision.in_(list(STATEMENT_DECISION_LABELS)),
        )
        .group_by(Statement.decision, Statement.terms_rule, Statement.legal_ground)
    ).all()
    merged: dict[tuple[str, str], int] = defaultdict(int)
    labels: dict[tuple[str, str], str | LazyString] = {}
    for decision, terms_rule, legal_ground, number in rows:
        ground = _statement_ground(terms_rule, legal_ground)
        key = (decision, str(ground))
        merged[key] += number
        labels[key] = ground
    order = list(STATEMENT_DECISION_LABELS)
    return [
        Row(STATEMENT_DECISION_LABELS[decision], number, detail=labels[(decision, ground)])
        for (decision, ground), number in sorted(
            merged.items(), key=lambda item: (order.index(item[0][0]), -item[1], item[0][1])
        )
    ]


def _appeals(start: datetime, end: datetime) -> list[Row]:
    rows = db.session.execute(
        select(Appeal.status, func.count())
        .where(Appeal.created_at >= start, Appeal.created_at < end)
        .group_by(Appeal.status)
    ).all()
    counts = dict(rows)
    return [Row(label, counts.get(status, 0)) for status, label in APPEAL_LABELS.items()]


def _flags(start: datetime, end: datetime) -> tuple[int, int]:
    restrictive = ModerationCase.decision.in_(sorted(RESTRICTIVE_VALUES))
    row = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((restrictive, 1), else_=0)), 0)).where(
            ModerationCase.status == CaseStatus.DECIDED.value,
            ModerationCase.decided_at >= start,
            ModerationCase.decided_at < end,
            ModerationCase.flag_count > 0,
        )
    ).one()
    return int(row[0]), int(row[1])


def _sanctions(start: datetime, end: datetime) -> list[SanctionRow]:
    rows = db.session.execute(
        select(Sanction.kind, Sanction.status, func.count())
        .where(Sanction.starts_at >= start, Sanction.starts_at < end)
        .group_by(Sanction.kind, Sanction.status)
    ).all()
    given: dict[str, int] = defaultdict(int)
    lifted: dict[str, int] = defaultdict(int)
    for kind, status, number in rows:
        given[kind] += number
        if status == SanctionStatus.LIFTED.value:
            lifted[kind] += number
    return [
        SanctionRow(label, given.get(kind, 0), lifted.get(kind, 0))
        for kind, label in SANCTION_LABELS.items()
    ]


def transparency(year: int) -> Transparency:
    """The transparency report of a Paris calendar year: notices received by reason and what
    became of them, the queue's decisions by type, the statements of reasons by decision and
    ground, the median time to decide a case and a notice, appeals and their outcomes, the share
    of automatic flags confirmed, sanctions by kind. Eight statements, whatever the volume."""
    start, end = year_bounds(year)
    median_case, decided_cases = median_seconds(
        ModerationCase.opened_at,
        ModerationCase.decided_at,
        ModerationCase.status == CaseStatus.DECIDED.value,
        ModerationCase.decided_at >= start,
        ModerationCase.decided_at < end,
    )
    median_notice, decided_notices = median_seconds(
        Report.created_at,
        Report.decided_at,
        Report.status != ReportStatus.OPEN.value,
        Report.decided_at >= start,
        Report.decided_at < end,
    )
    flagged_decided, flagged_confirmed = _flags(start, end)
    return Transparency(
        year=year,
        notices=_notices(start, end),
        decisions=_case_decisions(start, end),
        restrictions=_restrictions(start, end),
        median_case_seconds=median_case,
        decided_cases=decided_cases,
        median_notice_seconds=median_notice,
        decided_notices=decided_notices,
        appeals=_appeals(start, end),
        flagged_decided=flagged_decided,
        flagged_confirmed=flagged_confirmed,
        sanctions=_sanctions(start, end),
    )
