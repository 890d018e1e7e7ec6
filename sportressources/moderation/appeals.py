"""Appeals (DSA art. 20): a member contests a statement once, within six months; another
moderator rules, and the ruling is a new statement. Functions flush, never commit."""

from __future__ import annotations

from flask import Flask
from flask_babel import LazyString, force_locale, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.mail import external_url
from sportressources.core.states import apply_transition
from sportressources.core.templating import member_name
from sportressources.core.text import checked_text
from sportressources.moderation import decisions, sanctions, statements
from sportressources.moderation.models import (
    RESTRICTIVE_DECISIONS,
    Appeal,
    AppealStatus,
    SanctionKind,
    SanctionStatus,
    Statement,
)
from sportressources.moderation.policies import (
    can_administer,
    can_appeal,
    can_moderate,
    can_rule_on_appeal,
)
from sportressources.notifications.services import (
    Email,
    register_kind,
    site_path,
    tell_member,
)

EXPLANATION_MAX = 4000
# The note is the new statement's facts and, for a sanction, the reason it is lifted: at most
# what a sanction's reason and the Transparency Database's explanations hold
RULING_NOTE_MAX = 2000

# kind -> (email subject, in-app message)
KINDS: dict[str, tuple[LazyString, LazyString]] = {
    "moderation_appeal_received": (
        _l("Votre contestation est enregistrée"),
        _l(
            "Votre contestation de la décision concernant « %(subject)s » est enregistrée : un "
            "autre membre de l’équipe de modération va l’examiner."
        ),
    ),
}

OUTCOME_LABELS = {
    AppealStatus.OPEN.value: _l("en cours d’examen"),
    AppealStatus.REJECTED.value: _l("rejetée, la décision est maintenue"),
    AppealStatus.GRANTED.value: _l("acceptée, la décision est annulée"),
}


def register(app: Flask) -> None:
    """Wire this part into the app: the notice kind of an appeal's acknowledgement and what the
    templates ask (the appeals page is linked from the moderation home)."""

    for kind, (_subject, message) in KINDS.items():
        register_kind(kind, message)
    app.jinja_env.globals.update(
        open_appeal_count=open_appeal_count,
        appeal_outcome_labels=OUTCOME_LABELS,
        appeal_window_open=appeal_window_open,
    )


def open_appeal_count() -> int:
    """How many appeals wait for a ruling."""
    return db.session.scalar(
        select(func.count()).select_from(Appeal).where(Appeal.status == AppealStatus.OPEN.value)
    )


def appeal_of(statement: Statement) -> Appeal | None:
    """The appeal against ``statement``, if the member filed one."""
    return db.session.scalars(select(Appeal).where(Appeal.statement_id == statement.id)).first()


def appeal_window_open(statement: Statement, now=None) -> bool:
    """Whether the member is still in time to contest ``statement`` (six months)."""
    return statement.appeal_until is not None and (now or utcnow()) <= statement.appeal_until


def file_appeal(actor, statement: Statement, explanation: str) -> Appeal:
    """The member a statement concerns contests it, with an explanation; flushes.

    One appeal per statement, within six months of it (``statement.appeal_until``); a ruling on
    an appeal cannot be contested again on the site. Records the appeal in the audit log and
    tells the member it is registered. Raises NotFound (a statement the actor may not read),
    Forbidden (a moderator reading someone else's), Conflict (not contestable, too late,
    already contested) or ValidationFailed on ``explanation`` (empty, over 4000 characters).
    """
    if not statements.can_read_statement(actor, statement):
        raise NotFound()
    if not can_appeal(actor, statement):
        raise Forbidden(_l("Seul le membre concerné par une décision peut la contester."))
    if statement.appeal_until is None:
        raise Conflict(
            _l(
                "Cette décision répond déjà à une contestation : elle ne peut pas être contestée "
                "à nouveau sur le site."
            ),
            code="not_appealable",
        )
    if appeal_of(statement) is not None:
        raise Conflict(
            _l("Vous avez déjà contesté cette décision : une seule contestation est possible."),
            code="already_appealed",
        )
    if not appeal_window_open(statement):
        raise Conflict(
            _l(
                "Le délai de six mois pour contester cette décision a pris fin le %(date)s.",
                date=format_date(statement.appeal_until, "long"),
            ),
            code="appeal_too_late",
        )
    explanation = checked_text(explanation, "explanation", EXPLANATION_MAX)
    if not explanation:
        raise ValidationFailed(
            {"explanation": _l("Expliquez pourquoi vous contestez cette décision.")}
        )
    member = statement.member
    appeal = Appeal(
        statement_id=statement.id,
        appellant_id=member.id,
        explanation=explanation,
        status=AppealStatus.OPEN.value,
        created_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(appeal)
            db.session.flush()
    except IntegrityError:
        # Another request filed one a moment ago (one appeal per statement, by constraint)
        raise Conflict(
            _l("Vous avez déjà contesté cette décision : une seule contestation est possible."),
            code="already_appealed",
        ) from None
    record_entry(
        "appeal.file",
        "appeal",
        appeal.id,
        actor=member,
        after=AppealStatus.OPEN.value,
        reason=explanation,
        details={"statement_id": statement.id},
    )
    with force_locale(member.locale or "fr"):
        subject = str(statements.subject_of(statement))
    email_subject, _message = KINDS["moderation_appeal_received"]
    tell_member(
        member,
        "moderation_appeal_received",
        site_path("moderation.statement", statement_id=statement.id),
        email=Email(
            email_subject,
            "moderation/appeal_received",
            {
                "appeal": appeal,
                "statement": statement,
                "item": subject,
                "decision_label": statements.decision_label(statement),
                "statement_url": external_url("moderation.statement", statement_id=statement.id),
            },
        ),
        subject=subject,
    )
    return appeal


def open_appeals() -> list[Appeal]:
    """Appeals waiting for a ruling, oldest first, with their statements and members loaded."""
    return list(
        db.session.scalars(
            select(Appeal)
            .where(Appeal.status == AppealStatus.OPEN.value)
            .options(
                selectinload(Appeal.appellant),
                selectinload(Appeal.statement).selectinload(Statement.decided_by),
            )
            .order_by(Appeal.created_at, Appeal.id)
        )
    )


def appeal_for_moderator(actor, appeal_id: int) -> Appeal:
    """An appeal as a moderator sees it; Forbidden for others, NotFound for an unknown id."""
    if not can_moderate(actor):
        raise Forbidden()
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound()
    return appeal


def why_cannot_rule(actor, appeal: Appeal) -> LazyString | None:
    """Why ``actor`` may not rule on ``appeal`` (for the page), None if they may."""
    if not can_moderate(actor):
        return _l("Seule l’équipe de modération examine les contestations.")
    if not can_rule_on_appeal(actor, appeal):
        return _l(
            "Vous avez pris la décision contestée : un autre membre de l’équipe de modération "
            "doit examiner cette contestation."
        )
    statement = appeal.statement
    if statement.member_id is not None and statement.member_id == getattr(actor, "id", None):
        return _l(
            "Cette contestation est la vôtre : un autre membre de l’équipe de modération doit "
            "l’examiner."
        )
    if statement.decision == SanctionKind.BAN.value and not can_administer(actor):
        # Only admins close an account, and only they may reopen it
        return _l("Seul un administrateur examine la contestation d’une fermeture de compte.")
    return None


def _lock(appeal: Appeal) -> Appeal:
    # Until commit (SQLite runs one writer at a time): of two moderators ruling at once, the
    # second sees the first's ruling
    return db.session.scalars(
        select(Appeal)
        .where(Appeal.id == appeal.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def rule_on_appeal(actor, appeal: Appeal, grant: bool, note: str) -> Statement:
    """A moderator other than the one who decided, and other than the member, rules on an
    open appeal; flushes.

    Granting reverses the decision: a sanction still active is lifted
    (``sanctions.lift_sanction``), a content decision undone (``decisions.reverse_decision``).
    Either way the ruling is a new statement, emailed to the member, that cannot be contested
    on the site. The first ruling wins. Raises Forbidden (not a moderator, the moderator who
    took the contested decision, the member who appeals, a moderator for a ban: admins only),
    Conflict (already ruled: says by whom and how) or ValidationFailed on ``note`` (empty,
    over 2000 characters).
    """
    reason = why_cannot_rule(actor, appeal)
    if reason is not None:
        raise Forbidden(reason)
    note = checked_text(note, "note", RULING_NOTE_MAX)
    if not note:
        raise ValidationFailed({"note": _l("Expliquez votre décision au membre.")})
    appeal = _lock(appeal)
    if appeal.status != AppealStatus.OPEN.value:
        raise Conflict(
            _l(
                "Cette contestation a déjà été examinée par %(name)s : %(outcome)s.",
                name=member_name(appeal.ruled_by),
                outcome=OUTCOME_LABELS[appeal.status],
            ),
            code="appeal_already_ruled",
        )
    statement = appeal.statement
    appeal.ruling_note = note
    apply_transition(appeal, "grant" if grant else "reject", actor=actor, reason=note)
    if grant:
        _reverse(actor, statement, note)
    member = statement.member
    with force_locale(getattr(member, "locale", None) or "fr"):
        subject = str(statements.subject_of(statement))
    outcome = statements.issue_statement(
        member=member,
        decision=statements.APPEAL_GRANTED if grant else statements.APPEAL_REJECTED,
        target_type=statement.target_type,
        target_id=statement.target_id,
        ground=statements.ground_of(statement),
        facts=note,
        moderator=actor,
        subject=subject,
        case=statement.case,
        sanction=statement.sanction,
        appeal_of=statement,
        appealable=False,
    )
    appeal.outcome_statement_id = outcome.id
    db.session.flush()
    return outcome


def _reverse(actor, statement: Statement, note: str) -> None:
    """Undo what the contested decision did, through the part that did it."""
    sanction = statement.sanction
    if sanction is not None:
        if sanction.status == SanctionStatus.ACTIVE.value:
            sanctions.lift_sanction(actor, sanction, note)
    elif statement.decision in RESTRICTIVE_DECISIONS:
        decisions.reverse_decision(actor, statement)
