"""Sanctions: warn, suspend for a period, ban; lift; end suspensions whose period is over; what a
sanction does to the member's listings, requests and loans. Functions flush, never commit.

A suspension or a ban is mirrored on the account (``users.suspended_until``, ``users.banned_at``):
signing in, the session loader and the lower packages' services read those marks alone
(``accounts.policies.is_restricted``). When one starts, the member's sessions end, their
published and reserved listings are hidden, their requests and loans not handed over yet are
cancelled (each counterpart told), and loans whose gear changed hands continue so that it can
come back. When the last one ends (by itself, at sign-in or by ``flask moderation
end-sanctions``) or is lifted, the listings hidden are shown again and the member told.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import click
from flask import Flask, current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.accounts.policies import is_restricted, is_suspended
from sportressources.accounts.restrictions import Restriction, until_label
from sportressources.core.audit import record_entry
from sportressources.core.dates import PARIS
from sportressources.core.db import db, transaction, utcnow
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.core.hooks import add_to_slot, partial
from sportressources.core.security import Role, actor_of
from sportressources.core.signals import account_restriction_requested, personal_data_requested
from sportressources.core.states import apply_transition, state_changed
from sportressources.core.tasks import SKIPPED, exclusive
from sportressources.core.text import clean_text
from sportressources.listings.models import Listing
from sportressources.moderation import grounds
from sportressources.moderation.cli import moderation_cli
from sportressources.moderation.members import active_sanctions, sanctions_of, statements_of
from sportressources.moderation.models import (
    Sanction,
    SanctionKind,
    SanctionStatus,
    TargetType,
)
from sportressources.moderation.policies import can_administer, can_moderate, can_sanction
from sportressources.moderation.sanction_effects import (
    KIND_LABELS,
    NOTICES,
    hide_listing_of_restricted_owner,
    release_member,
    restrict_member,
    tell_member_freed,
)
from sportressources.moderation.statements import issue_statement
from sportressources.notifications.services import register_kind, site_path

# The longest a suspension lasts; beyond, an admin closes the account
MAX_SUSPENSION = timedelta(days=366)
REASON_MAX = 2000
# Why the system ends a suspension, in the audit log
END_REASON = "suspension period over"

STATUS_LABELS = {
    SanctionStatus.ACTIVE.value: _l("En vigueur"),
    SanctionStatus.ENDED.value: _l("Terminée"),
    SanctionStatus.LIFTED.value: _l("Levée"),
}


def register(app: Flask) -> None:
    """Wire this part into the app (notice kinds, CLI commands, template slots, receivers)."""
    for kind, message in NOTICES.items():
        register_kind(kind, message)
    account_restriction_requested.connect(answer_restriction_request, weak=False)
    personal_data_requested.connect(export_sanctions, weak=False)
    state_changed.connect(hide_listing_of_restricted_owner, sender=Listing, weak=False)
    add_to_slot(app, "account.sections", partial("moderation/_sanctions_account.html"), order=20)
    app.jinja_env.globals.update(
        sanctions_of_member=sanctions_of,
        statements_of_sanctions=statements_of,
        sanction_kind_labels=KIND_LABELS,
        sanction_status_labels=STATUS_LABELS,
        sanction_until_label=until_label,
        can_lift_sanction=can_lift_sanction,
        can_sanction_member=can_sanction,
        account_is_suspended=is_suspended,
    )


def export_sanctions(user, **_extra) -> tuple[str, list]:
    """RGPD export: the member's warnings and sanctions, with what the member was told (the
    moderators who decided are not named)."""

    def iso(value):
        return value.isoformat() if value is not None else None

    return "sanctions", [
        {
            "kind": sanction.kind,
            "status": sanction.status,
            "rule": sanction.terms_rule,
            "reason": sanction.reason,
            "starts_at": iso(sanction.starts_at),
            "ends_at": iso(sanction.ends_at),
            "ended_at": iso(sanction.ended_at),
            "lift_reason": sanction.lift_reason,
        }
        for sanction in sanctions_of(user)
    ]


def can_lift_sanction(actor, sanction: Sanction) -> bool:
    """A moderator lifts a warning or a suspension of anyone but themselves; only admins lift a
    ban (as only they ban)."""
    acting = actor_of(actor)
    if not can_moderate(acting) or acting.user_id == sanction.member_id:
        return False
    return sanction.kind != SanctionKind.BAN.value or can_administer(acting)


# --- deciding -----------------------------------------------------------------------------------


def warn_member(actor, member, reason: str, rule: str, *, now: datetime | None = None):
    """Warn ``member`` for breaking a rule of the terms of use: the warning is kept in their
    history and they get its statement of reasons; nothing else changes.

    Raises Forbidden (see ``can_sanction``), ValidationFailed (``reason`` missing or over 2,000
    characters, ``rule`` not a rule number of the terms), Conflict (a deleted account).
    """
    return _impose(actor, member, SanctionKind.WARNING, reason, rule, None, now)


def suspend_member(actor, member, until, reason: str, rule: str, *, now: datetime | None = None):
    """Suspend ``member`` until ``until``: a date (the suspension lasts through that day, Paris
    time) or an aware datetime, in the future and at most a year away.

    The member cannot sign in until then, their sessions end, their listings are hidden, their
    requests and loans not handed over yet are cancelled (counterparts told); they get the
    statement of reasons. Raises Forbidden, ValidationFailed (``until``, ``reason``, ``rule``),
    Conflict (already suspended or banned, a deleted account).
    """
    return _impose(actor, member, SanctionKind.SUSPENSION, reason, rule, until, now)


def ban_member(actor, member, reason: str, rule: str, *, now: datetime | None = None):
    """Close ``member``'s account (admins only), with the effects of a suspension and no end.

    Raises Forbidden (not an admin, see ``can_sanction``), ValidationFailed (``reason``,
    ``rule``), Conflict (already banned, a deleted account).
    """
    return _impose(actor, member, SanctionKind.BAN, reason, rule, None, now)


def _require_can_sanction(actor, member, kind: str) -> None:
    if can_sanction(actor, member, kind):
        return
    acting = actor_of(actor)
    if not can_moderate(acting):
        raise Forbidden(_l("Seule l’équipe de modération peut sanctionner un membre."))
    if acting.user_id == member.id:
        raise Forbidden(_l("Vous ne pouvez pas vous sanctionner vous-même."))
    if member.role == Role.ADMIN.value:
        raise Forbidden(_l("Un administrateur ne peut pas être sanctionné."))
    raise Forbidden(_l("Seul un administrateur peut fermer un compte."))


def _end_of(until) -> datetime | None:
    """The moment a suspension ends: after the whole day for a date (Paris time)."""
    if isinstance(until, datetime):
        return until.astimezone(UTC) if until.tzinfo is not None else None
    if isinstance(until, date):
        try:
            return datetime.combine(until + timedelta(days=1), time(0), PARIS).astimezone(UTC)
        except OverflowError:
            return datetime.max.replace(tzinfo=UTC)
    return None


def _checked_reason(reason: str, field: str, errors: dict) -> str:
    text = clean_text(reason if isinstance(reason, str) else "")
    if not text:
        errors[field] = _l("Expliquez ce qui motive cette décision : le membre le lira.")
    elif len(text) > REASON_MAX:
        errors[field] = _l(
            "Ce texte ne peut pas dépasser %(limit)s caractères (il en compte %(count)s).",
            limit=REASON_MAX,
            count=len(text),
        )
    return text


def _checked(kind: str, reason, rule, until, now: datetime):
    errors: dict = {}
    text = _checked_reason(reason, "reason", errors)
    number = rule.removeprefix("rule:") if isinstance(rule, str) else ""
    ground = grounds.ground_for(f"rule:{number}") if number else None
    if ground is None:
        errors["rule"] = _l(
            "Choisissez la règle des conditions d’utilisation qui n’est pas respectée."
        )
    ends_at = None
    if kind == SanctionKind.SUSPENSION:
        ends_at = _end_of(until)
        if ends_at is None:
            errors["until"] = _l("Indiquez jusqu’à quel jour le compte est suspendu.")
        elif ends_at <= now:
            errors["until"] = _l("La fin de la suspension doit être dans le futur.")
        elif ends_at > now + MAX_SUSPENSION:
            errors["until"] = _l(
                "Une suspension dure au plus un an : au-delà, un administrateur ferme le compte."
            )
    if errors:
        raise ValidationFailed(errors)
    return text, ground, ends_at


def _lock_member(member) -> User:
    """Lock the member's row until commit and reload it: two sanctions decided at once on one
    member run one after the other (SQLite serialises writers already)."""
    return db.session.scalars(
        select(User)
        .where(User.id == member.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _refuse_overlap(member, kind: str) -> None:
    for sanction in active_sanctions(member):
        if sanction.kind == SanctionKind.BAN.value and kind != SanctionKind.WARNING:
            raise Conflict(_l("Ce compte est déjà fermé."))
        if sanction.kind == SanctionKind.SUSPENSION.value and kind == SanctionKind.SUSPENSION:
            raise Conflict(
                _l(
                    "Ce membre est déjà suspendu jusqu’au %(until)s : levez cette suspension "
                    "avant d’en décider une autre.",
                    until=until_label(sanction.ends_at),
                )
            )


def _impose(actor, member, kind: SanctionKind, reason, rule, until, now) -> Sanction:
    now = now or utcnow()
    moderator = actor_of(actor).user
    _require_can_sanction(actor, member, kind)
    text, ground, ends_at = _checked(kind, reason, rule, until, now)
    member = _lock_member(member)
    if member.is_deleted:
        raise Conflict(_l("Ce compte a été supprimé : il ne peut plus être sanctionné."))
    _refuse_overlap(member, kind)
    sanction = Sanction(
        member_id=member.id,
        kind=kind.value,
        status=SanctionStatus.ACTIVE.value,
        reason=text,
        terms_rule=ground.rule,
        starts_at=now,
        ends_at=ends_at,
        created_by_id=moderator.id,
    )
    db.session.add(sanction)
    db.session.flush()
    record_entry(
        "sanction.create",
        "sanction",
        sanction.id,
        actor=moderator,
        after=sanction.status,
        reason=text,
        details={
            "kind": kind.value,
            "member_id": member.id,
            "rule": ground.rule,
            "ends_at": ends_at.isoformat() if ends_at else None,
        },
        now=now,
    )
    if kind != SanctionKind.WARNING:
        restrict_member(member, moderator, now)
    with force_locale(member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = gettext("votre compte")
    issue_statement(
        member=member,
        decision=kind.value,
        target_type=TargetType.PROFILE.value,
        target_id=member.id,
        ground=ground,
        facts=text,
        moderator=moderator,
        subject=subject,
        sanction=sanction,
        ends_at=ends_at,
    )
    return sanction


# --- ending and lifting -------------------------------------------------------------------------


def lift_sanction(actor, sanction: Sanction, reason: str, *, now: datetime | None = None) -> None:
    """Lift an active sanction early (a moderator's decision or a granted appeal).

    The account is freed (unless another sanction is still in force), the listings the sanction
    hid are shown again and the member is told, with ``reason``. Requests and loans cancelled
    stay cancelled. Raises Forbidden (see ``can_lift_sanction``), ValidationFailed on
    ``reason`` (required, 2,000 characters at most), Conflict (no longer in force).
    """
    now = now or utcnow()
    if not can_lift_sanction(actor, sanction):
        acting = actor_of(actor)
        if not can_moderate(acting):
            raise Forbidden(_l("Seule l’équipe de modération peut lever une sanction."))
        if acting.user_id == sanction.member_id:
            raise Forbidden(_l("Vous ne pouvez pas lever une sanction qui vous vise."))
        raise Forbidden(_l("Seul un administrateur peut rouvrir un compte fermé."))
    errors: dict = {}
    text = _checked_reason(reason, "reason", errors)
    if errors:
        raise ValidationFailed(errors)
    moderator = actor_of(actor).user
    member = _lock_member(sanction.member)
    # Locked too: a suspension ended by the scheduled job meanwhile is not lifted as well
    db.session.refresh(sanction, with_for_update=True)
    if sanction.status != SanctionStatus.ACTIVE.value:
        raise Conflict(
            _l("Cette sanction n’est plus en vigueur : elle a pris fin ou a déjà été levée.")
        )
    sanction.lift_reason = text
    apply_transition(sanction, "lift", actor=moderator, reason=text, now=now)
    if sanction.kind != SanctionKind.WARNING.value:
        release_member(member, moderator, now)
    tell_member_freed(member, sanction, "moderation_sanction_lifted", now)


def end_expired_sanctions(now: datetime | None = None, member=None) -> int:
    """End the suspensions whose period is over (of one ``member``, or all); returns how many.

    Each member is freed (unless another sanction is still in force), their hidden listings
    shown again, and told. The rows are locked as they are read, so that two runs at once end
    each suspension once (FOR UPDATE on PostgreSQL; the caller's write transaction on SQLite).
    """
    now = now or utcnow()
    query = select(Sanction).where(
        Sanction.status == SanctionStatus.ACTIVE.value,
        Sanction.kind == SanctionKind.SUSPENSION.value,
        Sanction.ends_at <= now,
    )
    if member is not None:
        query = query.where(Sanction.member_id == member.id)
    expired = db.session.scalars(
        query.order_by(Sanction.id)
        .with_for_update(of=Sanction)
        .execution_options(populate_existing=True)
    ).all()
    for sanction in expired:
        apply_transition(sanction, "end", actor=None, reason=END_REASON, now=now)
    for sanction in expired:
        freed = db.session.get(User, sanction.member_id)
        release_member(freed, None, now)
        tell_member_freed(freed, sanction, "moderation_sanction_ended", now)
    return len(expired)


# --- signing in and the scheduled job -----------------------------------------------------------


def answer_restriction_request(sender, now: datetime | None = None, **_extra):
    """Receiver of ``account_restriction_requested``: end the member's suspensions whose period
    is over, then describe the sanction still in force (a ban first), or None."""
    if "moderation" not in current_app.blueprints:
        return None  # an app built without moderation (in tests)
    end_expired_sanctions(now, member=sender)
    if not is_restricted(sender, now):
        return None
    active = active_sanctions(sender)
    bans = [s for s in active if s.kind == SanctionKind.BAN.value]
    suspensions = [s for s in active if s.kind == SanctionKind.SUSPENSION.value]
    if not (bans or suspensions):
        return None
    sanction = bans[0] if bans else max(suspensions, key=lambda s: s.ends_at)
    statement = statements_of([sanction]).get(sanction.id)
    return Restriction(
        kind=sanction.kind,
        until=sanction.ends_at,
        reason=sanction.reason,
        statement_url=(
            site_path("moderation.statement", statement_id=statement.id) if statement else None
        ),
    )


@exclusive("moderation.end_sanctions")
def end_sanctions_job() -> str:
    """End the suspensions whose period is over (the beat runs it hourly); a summary."""
    with transaction():
        count = end_expired_sanctions()
    return f"{count} suspension(s) terminée(s)."


@moderation_cli.command("end-sanctions")
def end_sanctions_command() -> None:
    """End the suspensions whose period is over, for a scheduled job (safe to run often)."""
    click.echo(end_sanctions_job() or SKIPPED)
