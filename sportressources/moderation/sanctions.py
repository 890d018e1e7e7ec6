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
from sportressources.accounts.restrictions import PARIS, Restriction, until_label
from sportressources.accounts.sessions import revoke_all_sessions
from sportressources.core.audit import record_entry
from sportressources.core.db import db, transaction, utcnow
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.core.hooks import add_to_slot, partial
from sportressources.core.mail import external_url
from sportressources.core.security import Role, actor_of
from sportressources.core.signals import account_restriction_requested
from sportressources.core.states import apply_transition, state_changed
from sportressources.core.templating import member_name
from sportressources.core.text import clean_text
from sportressources.listings.models import VISIBLE_STATUSES, Listing, ListingStatus
from sportressources.moderation import grounds
from sportressources.moderation.cli import moderation_cli
from sportressources.moderation.models import (
    Sanction,
    SanctionKind,
    SanctionStatus,
    Statement,
    TargetType,
)
from sportressources.moderation.policies import can_administer, can_moderate, can_sanction
from sportressources.moderation.statements import issue_statement
from sportressources.notifications.services import Email, register_kind, site_path, tell_member
from sportressources.trade.exchanges.services import cancel_requests_of_restricted_member
from sportressources.trade.loans.services import settle_loans_of_restricted_member

# The longest a suspension lasts; beyond, an admin closes the account
MAX_SUSPENSION = timedelta(days=366)
REASON_MAX = 2000
# Why the system hides, shows or ends, in the audit log
HIDE_REASON = "owner suspended or banned"
UNHIDE_REASON = "owner's sanction over"
END_REASON = "suspension period over"

KIND_LABELS = {
    SanctionKind.WARNING.value: _l("Avertissement"),
    SanctionKind.SUSPENSION.value: _l("Suspension"),
    SanctionKind.BAN.value: _l("Fermeture du compte"),
}
STATUS_LABELS = {
    SanctionStatus.ACTIVE.value: _l("En vigueur"),
    SanctionStatus.ENDED.value: _l("Terminée"),
    SanctionStatus.LIFTED.value: _l("Levée"),
}

# Notice kind -> in-app message (lazy, written in the reader's language)
NOTICES = {
    "moderation_booking_cancelled": _l(
        "« %(title)s » : la demande ou la réservation avec %(actor)s est annulée, car son compte "
        "n’est plus actif."
    ),
    "moderation_loan_continues": _l(
        "« %(title)s » : le compte de %(actor)s n’est plus actif, mais le prêt continue pour que "
        "le matériel soit rendu. Voici comment le terminer."
    ),
    "moderation_sanction_ended": _l(
        "Votre suspension est terminée : vous pouvez de nouveau vous connecter, et vos annonces "
        "sont de nouveau visibles."
    ),
    "moderation_sanction_lifted": _l(
        "L’équipe de modération a levé une sanction qui vous concernait : %(sanction)s."
    ),
}


def register(app: Flask) -> None:
    """Wire this part into the app (notice kinds, CLI commands, template slots, receivers)."""
    for kind, message in NOTICES.items():
        register_kind(kind, message)
    account_restriction_requested.connect(answer_restriction_request, weak=False)
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


# --- reading ------------------------------------------------------------------------------------


def sanctions_of(member) -> list[Sanction]:
    """Every sanction of ``member``, the latest first."""
    return list(
        db.session.scalars(
            select(Sanction).where(Sanction.member_id == member.id).order_by(Sanction.id.desc())
        )
    )


def active_sanctions(member) -> list[Sanction]:
    """The sanctions of ``member`` in force, oldest first."""
    return list(
        db.session.scalars(
            select(Sanction)
            .where(
                Sanction.member_id == member.id,
                Sanction.status == SanctionStatus.ACTIVE.value,
            )
            .order_by(Sanction.id)
        )
    )


def statements_of(sanctions: list[Sanction]) -> dict[int, Statement]:
    """The statement of reasons of each sanction, by sanction id (one query)."""
    ids = [sanction.id for sanction in sanctions]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Statement)
        .where(Statement.sanction_id.in_(ids), Statement.appeal_of_id.is_(None))
        .order_by(Statement.id)
    )
    found: dict[int, Statement] = {}
    for statement in rows:
        found.setdefault(statement.sanction_id, statement)
    return found


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
        _restrict(member, moderator, now)
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


# --- what a suspension or a ban does ------------------------------------------------------------


def _mirror(member) -> None:
    """Set the account's marks from the sanctions in force."""
    active = active_sanctions(member)
    ends = [s.ends_at for s in active if s.kind == SanctionKind.SUSPENSION.value]
    bans = [s.starts_at for s in active if s.kind == SanctionKind.BAN.value]
    member.suspended_until = max(ends) if ends else None
    member.banned_at = min(bans) if bans else None
    db.session.flush()


def _restrict(member, moderator, now: datetime) -> None:
    _mirror(member)
    revoke_all_sessions(member)
    requests = cancel_requests_of_restricted_member(member)
    for listing in db.session.scalars(
        select(Listing)
        .where(Listing.owner_id == member.id, Listing.status.in_(VISIBLE_STATUSES))
        .order_by(Listing.id)
    ).all():
        apply_transition(listing, "hide", actor=moderator, reason=HIDE_REASON, now=now)
    cancelled, continuing = settle_loans_of_restricted_member(member, now)
    for request in requests:
        _tell_exchange_cancelled(member, request)
    for loan in cancelled:
        _tell_loan(member, loan, "moderation_booking_cancelled")
    for loan in continuing:
        _tell_loan(member, loan, "moderation_loan_continues")


def _release(member, actor, now: datetime) -> None:
    """After a sanction ended or was lifted: the marks follow what is left in force and, once
    nothing restricts the member, their hidden listings are shown again."""
    _mirror(member)
    if is_restricted(member, now):
        return
    for listing in db.session.scalars(
        select(Listing)
        .where(Listing.owner_id == member.id, Listing.status == ListingStatus.HIDDEN.value)
        .order_by(Listing.id)
    ).all():
        apply_transition(listing, "unhide", actor=actor, reason=UNHIDE_REASON, now=now)


def hide_listing_of_restricted_owner(sender, obj=None, after=None, actor=None, **_extra) -> None:
    """Receiver of ``state_changed`` for listings: one of a suspended or banned member that
    becomes public (approved while they are suspended, reinstated on appeal) is hidden at
    once."""
    if "moderation" not in current_app.blueprints:
        return  # an app built without moderation (in tests): no sanction applies
    if after in VISIBLE_STATUSES and is_restricted(obj.owner):
        apply_transition(obj, "hide", actor=actor, reason=HIDE_REASON)


def _tell_exchange_cancelled(member, request) -> None:
    listing = request.listing
    if request.requester_id == member.id:
        counterpart, role = listing.owner, "owner"
        page = ("exchanges.listing_requests", {"listing_id": listing.id})
    else:
        counterpart, role = request.requester, "requester"
        page = ("exchanges.my_requests", {})
    _tell_counterpart(counterpart, "moderation_booking_cancelled", page, member, listing, role)


def _tell_loan(member, loan, kind: str) -> None:
    if loan.borrower_id == member.id:
        counterpart, role = loan.lender, "lender"
    else:
        counterpart, role = loan.borrower, "borrower"
    page = ("loans.detail", {"loan_id": loan.id})
    _tell_counterpart(counterpart, kind, page, member, loan.listing, role, loan=loan)


def _tell_counterpart(counterpart, kind, page, member, listing, role, loan=None) -> None:
    """Tell the other party of a request or a loan what happens to it, by notice and email
    (``templates/email/moderation/sanction_<what>.txt``); ``page`` is (endpoint, values)."""
    endpoint, values = page
    if kind == "moderation_booking_cancelled":
        subject = _l("Réservation annulée : « %(title)s »", title=listing.title)
    else:
        subject = _l("Le prêt de « %(title)s » continue", title=listing.title)
    tell_member(
        counterpart,
        kind,
        site_path(endpoint, **values),
        email=Email(
            subject,
            f"moderation/sanction_{kind.removeprefix('moderation_')}",
            {
                "listing": listing,
                "loan": loan,
                "role": role,
                "other_name": member_name(member),
                "page_url": external_url(endpoint, **values),
                "search_url": external_url("listings.search"),
                "contact_email": current_app.config["CONTACT_EMAIL"],
            },
        ),
        title=listing.title,
        actor_id=member.id,
    )


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
    db.session.refresh(sanction)
    if sanction.status != SanctionStatus.ACTIVE.value:
        raise Conflict(
            _l("Cette sanction n’est plus en vigueur : elle a pris fin ou a déjà été levée.")
        )
    sanction.lift_reason = text
    apply_transition(sanction, "lift", actor=moderator, reason=text, now=now)
    if sanction.kind != SanctionKind.WARNING.value:
        _release(member, moderator, now)
    _tell_member_freed(member, sanction, "moderation_sanction_lifted", now)


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
        _release(freed, None, now)
        _tell_member_freed(freed, sanction, "moderation_sanction_ended", now)
    return len(expired)


def _tell_member_freed(member, sanction: Sanction, kind: str, now: datetime) -> None:
    with force_locale(member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        label = str(KIND_LABELS[sanction.kind]).lower()
    subject = (
        _l("Votre suspension est terminée")
        if kind == "moderation_sanction_ended"
        else _l("Une sanction est levée")
    )
    tell_member(
        member,
        kind,
        site_path("accounts.account"),
        email=Email(
            subject,
            f"moderation/sanction_{kind.removeprefix('moderation_sanction_')}",
            {
                "sanction": sanction,
                "kind_label": KIND_LABELS[sanction.kind],
                "still_restricted": is_restricted(member, now),
                "login_url": external_url("accounts.login"),
                "account_url": external_url("accounts.account"),
            },
        ),
        sanction=label,
    )


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


@moderation_cli.command("end-sanctions")
def end_sanctions_command() -> None:
    """End the suspensions whose period is over, for a scheduled job (safe to run often)."""
    with transaction():
        count = end_expired_sanctions()
    click.echo(f"{count} suspension(s) terminée(s).")
