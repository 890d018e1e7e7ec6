"""Reads for the review queue's pages: the open cases (flagged and reported ones first, then the
oldest), their items loaded a few queries per page whatever its length, the counts by kind and
by flag, and everything a moderator sees on one case."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import case as sql_case
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import joinedload, selectinload

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.listings import revisions
from sportressources.listings.models import Listing
from sportressources.messaging.models import Conversation, Message
from sportressources.moderation import decisions, flags
from sportressources.moderation.grounds import ILLEGAL_KINDS, TERMS_RULES, ground_for
from sportressources.moderation.models import (
    CaseReason,
    CaseStatus,
    ModerationCase,
    Report,
    ReportStatus,
    TargetType,
)
from sportressources.organisations.models import Organisation
from sportressources.trade.models import Rating

PAGE_SIZE = 20
# The kinds of item the queue filters on, in the order its filter shows them
KIND_LABELS: dict[str, LazyString] = {
    TargetType.LISTING: _l("Annonces"),
    TargetType.MESSAGE: _l("Messages"),
    TargetType.PROFILE: _l("Profils"),
    TargetType.RATING: _l("Avis"),
    TargetType.ORGANISATION: _l("Organisations"),
}
KIND_LABEL: dict[str, LazyString] = {
    TargetType.LISTING: _l("Annonce"),
    TargetType.MESSAGE: _l("Message"),
    TargetType.PROFILE: _l("Profil"),
    TargetType.RATING: _l("Avis"),
    TargetType.ORGANISATION: _l("Organisation"),
}
REASON_LABELS: dict[str, LazyString] = {
    CaseReason.NEW: _l("Nouvelle annonce"),
    CaseReason.EDITED: _l("Annonce modifiée après publication"),
    CaseReason.RESUBMITTED: _l("Renvoyée après une décision"),
    CaseReason.REPORTED: _l("Signalé"),
    CaseReason.FLAGGED: _l("Alerte automatique"),
}
DECISION_CHOICE_LABELS: dict[str, LazyString] = {
    "approve": _l("Publier l’annonce"),
    "request_changes": _l("Demander une modification à l’auteur"),
    "reject": _l("Refuser l’annonce"),
    "dismiss": _l("Conserver : aucune règle n’est enfreinte"),
    "remove": _l("Retirer le contenu"),
}
# An organisation's case is its verification
ORGANISATION_DECISION_CHOICE_LABELS: dict[str, LazyString] = {
    "approve": _l("Vérifier l’organisation : ses identifiants et son profil sont cohérents"),
    "reject": _l("Refuser la vérification (motif obligatoire, lu par les responsables)"),
    "dismiss": _l("Classer sans suite"),
}
ORGANISATION_REASON_LABELS: dict[str, LazyString] = {
    CaseReason.NEW: _l("Nouvelle organisation à vérifier"),
    CaseReason.EDITED: _l("Organisation vérifiée dont le nom ou les identifiants ont changé"),
    CaseReason.RESUBMITTED: _l("Organisation renvoyée après un refus"),
}
SANCTION_LABELS: dict[str, LazyString] = {
    "warning": _l("Avertissement"),
    "suspension": _l("Suspension"),
    "ban": _l("Fermeture du compte"),
}
SANCTION_STATUS_LABELS: dict[str, LazyString] = {
    "active": _l("en cours"),
    "ended": _l("terminée"),
    "lifted": _l("levée"),
}
FLAG_CODE_MAX = 40


@dataclass
class QueueItem:
    """One case as the queue shows it."""

    case: ModerationCase
    item: Any | None
    author: User | None
    flags: list[str] = field(default_factory=list)

    @property
    def lifted(self) -> bool:
        return bool(self.case.flag_count or self.case.report_count)


@dataclass
class QueuePage:
    items: list[QueueItem]
    page: int
    total: int
    has_prev: bool
    has_next: bool


def _has_flag(code: str):
    """SQL: the case's flags hold one of code ``code`` (a JSON list of objects)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return text(
            "CAST(moderation_cases.flags AS jsonb) @> CAST(:flag_filter AS jsonb)"
        ).bindparams(flag_filter=json.dumps([{"code": code}]))
    return text(
        "EXISTS (SELECT 1 FROM json_each(moderation_cases.flags) "
        "WHERE json_extract(json_each.value, '$.code') = :flag_filter)"
    ).bindparams(flag_filter=code)


def valid_flag_code(code: str | None) -> str | None:
    """A flag code as the filter accepts it (lower-case letters, digits, underscores)."""
    if not code or len(code) > FLAG_CODE_MAX:
        return None
    return code if all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in code) else None


def _open_cases(kind: str | None, flag: str | None):
    query = select(ModerationCase).where(ModerationCase.status == CaseStatus.OPEN.value)
    if kind:
        query = query.where(ModerationCase.target_type == kind)
    if flag:
        query = query.where(_has_flag(flag))
    return query


def queue_page(kind: str | None = None, flag: str | None = None, page: int = 1) -> QueuePage:
    """A page of open cases: flagged or reported first, then the oldest first.

    ``kind`` keeps one kind of item (a TargetType value), ``flag`` the cases a flag of that code
    fired on. Items, authors, photos and previous decisions are loaded in a few queries.
    """
    lifted = sql_case(
        (or_(ModerationCase.flag_count > 0, ModerationCase.report_count > 0), 0), else_=1
    )
    query = (
        _open_cases(kind, flag)
        .options(
            joinedload(ModerationCase.author),
            joinedload(ModerationCase.previous_case).joinedload(ModerationCase.decided_by),
        )
        .order_by(lifted, ModerationCase.opened_at, ModerationCase.id)
    )
    result = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False, max_per_page=100)
    cases = list(result.items)
    items = load_items(cases)
    return QueuePage(
        items=[
            QueueItem(
                case=case,
                item=items.get((case.target_type, case.target_id)),
                author=case.author,
                flags=[flags.explain(flag) for flag in case.flags or []],
            )
            for case in cases
        ],
        page=result.page,
        total=result.total or 0,
        has_prev=result.has_prev,
        has_next=result.has_next,
    )


def load_items(cases: list[ModerationCase]) -> dict[tuple[str, int], Any]:
    """The items of ``cases`` by (target type, id): one query per kind of item."""
    wanted: dict[str, set[int]] = {}
    for case in cases:
        wanted.setdefault(case.target_type, set()).add(case.target_id)
    found: dict[tuple[str, int], Any] = {}
    loaders = {
        TargetType.LISTING: lambda ids: (
            select(Listing)
            .where(Listing.id.in_(ids))
            .options(
                selectinload(Listing.photos), joinedload(Listing.commune), joinedload(Listing.owner)
            )
        ),
        TargetType.MESSAGE: lambda ids: (
            select(Message)
            .where(Message.id.in_(ids))
            .options(
                joinedload(Message.sender),
                joinedload(Message.conversation).joinedload(Conversation.listing),
                joinedload(Message.conversation).joinedload(Conversation.owner),
                joinedload(Message.conversation).joinedload(Conversation.interested),
            )
        ),
        TargetType.PROFILE: lambda ids: (
            select(User).where(User.id.in_(ids)).options(joinedload(User.home_commune))
        ),
        TargetType.RATING: lambda ids: (
            select(Rating)
            .where(Rating.id.in_(ids))
            .options(joinedload(Rating.rater), joinedload(Rating.ratee))
        ),
        TargetType.ORGANISATION: lambda ids: (
            select(Organisation)
            .where(Organisation.id.in_(ids))
            .options(joinedload(Organisation.commune))
        ),
    }
    for target_type, ids in wanted.items():
        loader = loaders.get(target_type)
        if loader is None:
            continue
        for item in db.session.scalars(loader(sorted(ids))).unique():
            found[(target_type, item.id)] = item
    return found


def counts_by_kind() -> dict[str, int]:
    """Open cases per kind of item."""
    rows = db.session.execute(
        select(ModerationCase.target_type, func.count())
        .where(ModerationCase.status == CaseStatus.OPEN.value)
        .group_by(ModerationCase.target_type)
    ).all()
    return {target_type: count for target_type, count in rows}


def flag_options(kind: str | None = None) -> list[tuple[str, str, int]]:
    """The flags that fired on open cases (of ``kind``): (code, explanation, cases), most
    frequent first."""
    counter: Counter[str] = Counter()
    query = select(ModerationCase.flags).where(
        ModerationCase.status == CaseStatus.OPEN.value, ModerationCase.flag_count > 0
    )
    if kind:
        query = query.where(ModerationCase.target_type == kind)
    for case_flags in db.session.scalars(query):
        counter.update({flag.get("code") for flag in case_flags or [] if flag.get("code")})
    return [
        (code, flag_label(code), count)
        for code, count in sorted(counter.items(), key=lambda pair: (-pair[1], pair[0]))
        if valid_flag_code(code)
    ]


def flag_label(code: str) -> str:
    """The short name of a flag (``flags.LABELS``), or its code when it has none."""
    label = getattr(flags, "LABELS", {}).get(code)
    return str(label) if label is not None else code


def open_case_count() -> int:
    """How many cases wait for a decision (the badge of the menu)."""
    return db.session.scalar(
        select(func.count())
        .select_from(ModerationCase)
        .where(ModerationCase.status == CaseStatus.OPEN.value)
    )


# --- one case ----------------------------------------------------------------------------------


@dataclass
class CaseView:
    """Everything the page of one case shows, but the author's history."""

    case: ModerationCase
    item: Any | None
    author: User | None
    flags: list[str]
    reports: list[Report]
    allowed: tuple[str, ...]
    earlier: list[ModerationCase]
    # A change to a public listing waiting for review: what it changes, field by field
    changes: list[revisions.FieldChange] = field(default_factory=list)


def case_view(case: ModerationCase) -> CaseView:
    """The case, its item, the explained flags, its reports (open ones first), the decisions it
    allows now and the item's earlier decided cases (newest first)."""
    item = decisions.item_of(case)
    reports = list(
        db.session.scalars(
            select(Report)
            .where(Report.case_id == case.id)
            .options(joinedload(Report.reporter))
            .order_by(sql_case((Report.status == ReportStatus.OPEN.value, 0), else_=1), Report.id)
        )
    )
    earlier = list(
        db.session.scalars(
            select(ModerationCase)
            .where(
                ModerationCase.target_type == case.target_type,
                ModerationCase.target_id == case.target_id,
                ModerationCase.status == CaseStatus.DECIDED.value,
                ModerationCase.id != case.id,
            )
            .options(joinedload(ModerationCase.decided_by))
            .order_by(ModerationCase.id.desc())
            .limit(10)
        )
    )
    return CaseView(
        case=case,
        item=item,
        author=decisions.author_of(case.target_type, item) or case.author,
        flags=[flags.explain(flag) for flag in case.flags or []],
        reports=reports,
        allowed=tuple(d.value for d in decisions.allowed_decisions(case, item)),
        earlier=earlier,
        changes=_pending_changes(case, item),
    )


def _pending_changes(case: ModerationCase, item) -> list[revisions.FieldChange]:
    if case.target_type != TargetType.LISTING or item is None or case.status != "open":
        return []
    revision = revisions.pending_revision(item)
    return revisions.changes(item, revision) if revision is not None else []


def ground_groups() -> list[tuple[LazyString, list[tuple[str, str]]]]:
    """The grounds a decision may rest on, grouped for the form's select."""
    return [
        (
            _l("Règles des conditions d’utilisation"),
            [(g.code, f"{g.rule} – {g.label}") for g in TERMS_RULES],
        ),
        (_l("Contenu illicite"), [(g.code, str(g.label)) for g in ILLEGAL_KINDS]),
    ]


def reason_label(case: ModerationCase) -> str:
    """Why a case is in the queue, in the words of its kind of item."""
    if case.target_type == TargetType.ORGANISATION and case.reason in ORGANISATION_REASON_LABELS:
        return str(ORGANISATION_REASON_LABELS[case.reason])
    label = REASON_LABELS.get(case.reason)
    return str(label) if label is not None else case.reason


def decision_choice_labels(target_type: str | None) -> dict[str, LazyString]:
    """The labels of the decisions offered on a case of ``target_type``."""
    if target_type == TargetType.ORGANISATION:
        return {**DECISION_CHOICE_LABELS, **ORGANISATION_DECISION_CHOICE_LABELS}
    return DECISION_CHOICE_LABELS


def report_reason_label(code: str) -> str:
    """A report's reason as moderators read it: the rule with its number, or the illegal kind."""
    ground = ground_for(code)
    if ground is None:
        return code
    if ground.rule:
        return str(_l("Règle %(rule)s : %(label)s", rule=ground.rule, label=ground.label))
    return str(_l("Contenu illicite : %(label)s", label=ground.label))
