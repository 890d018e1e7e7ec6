"""Reports (DSA art. 16 notice and action): anyone may report a listing, a profile, a message or
a rating; reports join the item's case; reporters are acknowledged and told the outcome.

A report names what it is about (a ``Target``: what the reporter saw, who wrote it, the page
that shows it), a reason among the grounds (« illegal:fraud », « rule:3.4 ») and an explanation.
A member whose recent reports were all rejected is slowed down, and moderators see their record
next to each report: never silently ignored. Functions flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import LazyString, format_datetime, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from sportressources.accounts.models import User
from sportressources.accounts.services import normalise_email
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, DomainError, ValidationFailed
from sportressources.core.hooks import add_to_slot, partial
from sportressources.core.mail import external_url, send_mail
from sportressources.core.security import actor_of
from sportressources.core.signals import personal_data_requested
from sportressources.core.states import apply_transition
from sportressources.core.text import clean_line, clean_text
from sportressources.moderation import queue
from sportressources.moderation.grounds import ILLEGAL_KINDS, Ground, ground_for
from sportressources.moderation.models import (
    CaseReason,
    Decision,
    ModerationCase,
    Report,
    ReportStatus,
    Statement,
)
from sportressources.moderation.reports_queries import (
    ReporterRecord,
    export_reports,
    has_open_report,
    open_report_count,
    slowed_until,
)
from sportressources.moderation.reports_targets import (
    Target,
    can_report,
    load_targets,
    reason_label,
    target_name,
)
from sportressources.notifications.services import Email, register_kind, site_path, tell_member

EXPLANATION_MAX = 4000
NAME_MAX = 100
# Per client address, on the form's POST (Flask-Limiter); an instance may set its own
DEFAULT_RATE_LIMIT = "10 per minute;60 per hour"

RECEIVED, UPHELD, REJECTED = (
    "moderation_report_received",
    "moderation_report_upheld",
    "moderation_report_rejected",
)
# kind -> (email subject, in-app message); both lazy, written in the recipient's language
KINDS: dict[str, tuple[LazyString, LazyString]] = {
    RECEIVED: (
        _l("Votre signalement est bien reçu"),
        _l(
            "Votre signalement concernant « %(subject)s » est bien reçu : l’équipe de modération "
            "va l’examiner."
        ),
    ),
    UPHELD: (
        _l("Votre signalement a été retenu"),
        _l(
            "Votre signalement concernant « %(subject)s » a été retenu : l’équipe de modération "
            "a restreint ce contenu."
        ),
    ),
    REJECTED: (
        _l("Votre signalement n’a pas été retenu"),
        _l(
            "Votre signalement concernant « %(subject)s » n’a pas été retenu : le contenu reste "
            "en ligne."
        ),
    ),
}

# What the outcome email says was done, by the case's decision
OUTCOMES = {
    Decision.REMOVE.value: _l("Le contenu signalé a été retiré du site."),
    Decision.REJECT.value: _l("L’annonce signalée n’est pas publiée."),
    Decision.REQUEST_CHANGES.value: _l(
        "L’annonce signalée n’est plus visible tant que son auteur ne l’a pas corrigée."
    ),
}
UPHELD_OUTCOME = _l("Le contenu signalé a été restreint.")
REJECTED_OUTCOME = _l(
    "Après examen, l’équipe de modération a estimé que le contenu n’enfreint ni la loi ni les "
    "conditions d’utilisation : il reste en ligne."
)

# The form's messages, the same as the service's, so that the page and the service agree
REASON_MISSING = _l("Choisissez un motif dans la liste.")
EXPLANATION_MISSING = _l(
    "Expliquez ce qui pose problème : sans explication, l’équipe de modération ne peut pas "
    "examiner le signalement."
)
GOOD_FAITH_MISSING = _l("Cochez la déclaration de bonne foi pour envoyer le signalement.")
NAME_MISSING = _l("Indiquez votre nom.")
NAME_TOO_LONG = _l("Votre nom ne peut pas dépasser %(limit)s caractères.", limit=NAME_MAX)
EMAIL_MISSING = _l("Indiquez une adresse e-mail.")


class OwnItem(DomainError):
    code = "own_item"
    status = 403
    default_message = _l("Vous ne pouvez pas signaler ce que vous avez vous-même publié.")


class AlreadyReported(Conflict):
    code = "already_reported"
    default_message = _l(
        "Vous avez déjà signalé cet élément : l’équipe de modération l’examine et vous dira ce "
        "qu’elle a décidé."
    )


class SlowedDown(DomainError):
    """The reporter's recent reports were all rejected and they sent one less than a day ago."""

    code = "reports_slowed_down"
    status = 429

    def __init__(self, until: datetime, record: ReporterRecord):
        self.until = until
        super().__init__(
            _l(
                "Vos %(count)s derniers signalements ont tous été rejetés : vous pouvez en "
                "envoyer un par jour. Vous pourrez envoyer le prochain à partir du %(date)s.",
                count=record.decided,
                date=format_datetime(until, "short"),
            )
        )


def register(app: Flask) -> None:
    """Wire this part into the app (notice kinds, CLI commands, template slots, receivers)."""
    app.config.setdefault("RATELIMIT_REPORT", DEFAULT_RATE_LIMIT)
    for kind, (_subject, message) in KINDS.items():
        register_kind(kind, message)
    app.jinja_env.globals.update(
        can_report=can_report,
        report_reason_label=reason_label,
        report_target_name=target_name,
        open_report_count=open_report_count,
    )
    personal_data_requested.connect(export_reports)
    for slot, template in (
        ("listing.sections", "moderation/_report_listing.html"),
        ("profile.actions", "moderation/_report_profile.html"),
        ("message.actions", "moderation/_report_message.html"),
        ("rating.actions", "moderation/_report_rating.html"),
    ):
        add_to_slot(app, slot, partial(template), order=90)


# --- who may report ----------------------------------------------------------------------------


def refusal(actor, target: Target, email: str | None = None) -> DomainError | None:
    """Why ``actor`` may not report ``target`` now, or None: OwnItem for what they wrote,
    AlreadyReported while a report of theirs on it is open, SlowedDown for a reporter whose
    recent reports were all rejected and who sent one less than a day ago. A visitor is known
    by the address they give (``email``, normalised)."""
    acting = actor_of(actor)
    if not can_report(acting, target.author_id):
        return OwnItem()
    reporter_id = acting.user_id
    if reporter_id is None and not email:
        return None
    if has_open_report(reporter_id, email, target.type, target.id):
        return AlreadyReported()
    waiting = slowed_until(reporter_id, email)
    if waiting is not None:
        return SlowedDown(*waiting)
    return None


# --- sending a report --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    """What the reporter filled in; ``name`` and ``email`` only matter for a visitor."""

    reason: str
    explanation: str
    good_faith: bool
    name: str = ""
    email: str = ""
    locale: str = "fr"


def _checked(acting, data: ReportData) -> tuple[Ground, str, str, str]:
    errors: dict[str, Any] = {}
    ground = ground_for(data.reason or "")
    if ground is None:
        errors["reason"] = REASON_MISSING
    explanation = clean_text(data.explanation)
    if not explanation:
        errors["explanation"] = EXPLANATION_MISSING
    elif len(explanation) > EXPLANATION_MAX:
        errors["explanation"] = _l(
            "Ce texte ne peut pas dépasser %(limit)s caractères (il en compte %(count)s).",
            limit=EXPLANATION_MAX,
            count=len(explanation),
        )
    if not data.good_faith:
        errors["good_faith"] = GOOD_FAITH_MISSING
    name = email = ""
    if not acting.is_member:
        name = clean_line(data.name)
        if not name:
            errors["name"] = NAME_MISSING
        elif len(name) > NAME_MAX:
            errors["name"] = NAME_TOO_LONG
        try:
            email = normalise_email(data.email or "")
        except ValidationFailed as error:
            errors.update(error.fields)
    if errors:
        raise ValidationFailed(errors)
    return ground, explanation, name, email


def _join_case(target: Target) -> ModerationCase:
    """The item's open case, locked until commit and counting one more report; opened if none.

    Taking the lock before anything is checked makes two reports of one item at the same moment
    run one after the other: both are counted, and a second report by the same person finds
    the first. Where two reports open the case at once (PostgreSQL), the second joins it.
    """
    case = queue.open_case_for(target.type, target.id)
    if case is not None:
        queue.lock_case(case.id)
    try:
        with db.session.begin_nested():
            return queue.open_case(
                target.type,
                target.id,
                author_id=target.author_id,
                reason=CaseReason.REPORTED,
                reports=1,
            )
    except IntegrityError:
        opened = queue.open_case_for(target.type, target.id)
        if opened is not None:
            queue.lock_case(opened.id)
        return queue.open_case(
            target.type,
            target.id,
            author_id=target.author_id,
            reason=CaseReason.REPORTED,
            reports=1,
        )


def submit_report(actor, target: Target, data: ReportData) -> Report:
    """Record a report of ``target`` (from ``find_target``), put the item in the moderation
    queue (joining its open case) and acknowledge it: notice and email for a member, email in
    the page's language for a visitor; flushes.

    A visitor gives a name and an email address (DSA art. 16(2)(c)); everyone gives a reason
    among the grounds, an explanation of at most EXPLANATION_MAX characters and a statement of
    good faith (art. 16(2)(d)). Raises ValidationFailed naming the fields at fault, then what
    ``refusal`` returns (OwnItem, AlreadyReported, SlowedDown).
    """
    acting = actor_of(actor)
    ground, explanation, name, email = _checked(acting, data)
    case = _join_case(target)
    refused = refusal(acting, target, email=email or None)
    if refused is not None:
        raise refused  # the request rolls back: the case is left as it was
    languages = current_app.config["LANGUAGES"]
    report = Report(
        target_type=target.type,
        target_id=target.id,
        case_id=case.id,
        reporter_id=acting.user_id,
        reporter_name=name or None,
        reporter_email=email or None,
        locale=data.locale if data.locale in languages else languages[0],
        reason=ground.code,
        explanation=explanation,
        status=ReportStatus.OPEN.value,
        created_at=utcnow(),
    )
    db.session.add(report)
    db.session.flush()
    _acknowledge(report, target)
    return report


def _page_url(target: Target) -> str:
    url = external_url(target.endpoint, **target.values)
    return f"{url}#{target.anchor}" if target.anchor else url


def _acknowledge(report: Report, target: Target) -> None:
    subject, _message = KINDS[RECEIVED]
    context = {
        "report": report,
        "target_type": target.type,
        "label": target.label,
        "item_url": _page_url(target),
    }
    if report.reporter_id is not None:
        member = db.session.get(User, report.reporter_id)
        tell_member(
            member,
            RECEIVED,
            site_path(target.endpoint, **target.values),
            email=Email(
                subject,
                "moderation/reports_received",
                {**context, "name": member.display_name},
            ),
            subject=target.label,
        )
    else:
        send_mail(
            report.reporter_email,
            subject,
            "moderation/reports_received",
            locale=report.locale,
            **context,
            name=report.reporter_name,
        )


# --- the outcome -------------------------------------------------------------------------------


def settle_reports(case: ModerationCase, *, upheld: bool, actor) -> list[Report]:
    """Close the open reports of a decided case (upheld when the item was restricted) and tell
    each reporter the outcome.

    Every open report on the case's item is settled, through the Report transitions (uphold or
    reject, an audit row each). A member gets a notice and an email, a visitor an email in the
    language they reported in; each says what was decided in plain French (and the ground, once
    the case has its statement of reasons: call this after ``issue_statement``), and
    ``outcome_sent_at`` is set. A reporter whose account is gone is told nothing. ``actor`` is
    the deciding moderator (a user or an Actor). Flushes; returns the reports settled.
    """
    reports = db.session.scalars(
        select(Report)
        .where(
            Report.status == ReportStatus.OPEN.value,
            or_(
                Report.case_id == case.id,
                and_(Report.target_type == case.target_type, Report.target_id == case.target_id),
            ),
        )
        .order_by(Report.id)
        .options(selectinload(Report.reporter))
    ).all()
    if not reports:
        return []
    target = load_targets(case.target_type, [case.target_id]).get(case.target_id)
    label = target.label if target is not None else gettext("élément supprimé")
    statement = db.session.scalar(
        select(Statement).where(Statement.case_id == case.id).order_by(Statement.id.desc())
    )
    ground = ground_for(_ground_code(statement)) if upheld and statement is not None else None
    moderator = actor_of(actor).user  # a user or an Actor
    now = utcnow()
    for report in reports:
        apply_transition(
            report, "uphold" if upheld else "reject", actor=moderator, reason=case.decision or None
        )
        if _tell_outcome(report, case, upheld, label, ground):
            report.outcome_sent_at = now
    db.session.flush()
    return reports


def _ground_code(statement: Statement) -> str:
    if statement.terms_rule:
        return f"rule:{statement.terms_rule}"
    return next(
        (g.code for g in ILLEGAL_KINDS if g.law and g.law == statement.legal_ground),
        "illegal:other",
    )


def _tell_outcome(
    report: Report, case: ModerationCase, upheld: bool, label: str, ground: Ground | None
) -> bool:
    kind = UPHELD if upheld else REJECTED
    subject, _message = KINDS[kind]
    outcome = OUTCOMES.get(case.decision or "", UPHELD_OUTCOME) if upheld else REJECTED_OUTCOME
    context = {
        "report": report,
        "target_type": report.target_type,
        "label": label,
        "upheld": upheld,
        "outcome": outcome,
        "ground": ground,
    }
    if report.reporter_id is not None:
        member = report.reporter
        if member is None or member.is_deleted:
            return False
        tell_member(
            member,
            kind,
            email=Email(
                subject, "moderation/reports_outcome", {**context, "name": member.display_name}
            ),
            subject=label,
        )
        return True
    if not report.reporter_email:
        return False
    send_mail(
        report.reporter_email,
        subject,
        "moderation/reports_outcome",
        locale=report.locale,
        **context,
        name=report.reporter_name,
    )
    return True
