"""Pickup and return: each side confirms with the category's check-list, notes and an optional
photo; both confirmations make the loan active, then returned (damage, deposit kept recorded).

Functions flush and never commit; the other party is told at each confirmation. Like every step,
they lock the listing's row first (see ``services``).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from sportressources.accounts.policies import is_restricted
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, ValidationFailed
from sportressources.core.mail import external_url
from sportressources.core.states import apply_transition
from sportressources.core.text import checked_text
from sportressources.trade.loans import waitlist
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.checklists import checklist_for
from sportressources.trade.loans.models import Handover, HandoverStage, Loan, LoanStatus, Party
from sportressources.trade.loans.notices import tell
from sportressources.trade.loans.rules import (
    free_bookings,
    lock_loan,
    other_party,
    other_side_members,
    require_side,
    status_conflict,
)

NOTES_MAX = 1000


def _checked_checklist(loan: Loan, ticked: list[str] | None) -> dict[str, bool]:
    points = [code for code, _label in checklist_for(loan.listing.category)]
    chosen = set(ticked or [])
    if not chosen <= set(points):
        raise ValidationFailed({"checklist": _l("Cochez seulement les points de la liste.")})
    return {code: code in chosen for code in points}


def _record(loan: Loan, stage: str, side: str, actor, values: dict) -> Handover:
    handover = Handover(
        loan_id=loan.id, stage=stage, party=side, user_id=actor.id, created_at=utcnow(), **values
    )
    try:
        with db.session.begin_nested():
            db.session.add(handover)
    except IntegrityError as exc:
        raise Conflict(_l("Vous avez déjà confirmé cette étape.")) from exc
    return handover


def _confirmed(loan: Loan, stage: str, side: str) -> bool:
    return db.session.scalar(
        select(
            exists().where(
                Handover.loan_id == loan.id, Handover.stage == stage, Handover.party == side
            )
        )
    )


def confirm_pickup(
    actor,
    loan: Loan,
    checklist: list[str] | None = None,
    notes: str = "",
    photo_key: str | None = None,
    now: datetime | None = None,
) -> Loan:
    """One party confirms the gear changed hands, ticking the category's check-list, with notes
    and an optional photo; once both have, the loan is active.

    From the loan's first day to its last (Europe/Paris). Raises Forbidden (not a party),
    Conflict (loan not accepted, too early or too late, already confirmed), ValidationFailed
    (check-list point unknown, notes over 1,000 characters).
    """
    side = require_side(actor, loan)
    text = checked_text(notes, "notes", NOTES_MAX)
    lock_loan(loan)
    if loan.status != LoanStatus.ACCEPTED.value:
        if loan.status == LoanStatus.REQUESTED.value:
            raise Conflict(_l("Le propriétaire n’a pas encore accepté ce prêt."))
        raise status_conflict(loan)
    today = paris_today(now)
    if today < loan.start_date:
        raise Conflict(
            _l(
                "Le prêt commence le %(date)s : vous confirmerez la remise ce jour-là.",
                date=format_date(loan.start_date, "long"),
            )
        )
    if today > loan.end_date:
        raise Conflict(
            _l(
                "La période de ce prêt est passée sans remise : le propriétaire peut signaler "
                "l’absence, ou l’un de vous annuler le prêt."
            )
        )
    if _confirmed(loan, HandoverStage.PICKUP, side):
        raise Conflict(_l("Vous avez déjà confirmé cette étape."))
    values = {"checklist": _checked_checklist(loan, checklist), "notes": text}
    _record(loan, HandoverStage.PICKUP, side, actor, {**values, "photo_key": photo_key})
    other_side = Party.BORROWER if side == Party.LENDER else Party.LENDER
    started = _confirmed(loan, HandoverStage.PICKUP, other_side)
    if started:
        apply_transition(loan, "start", actor=actor, now=now)
    db.session.flush()
    for member in other_side_members(loan, side, actor):
        tell(member, "loan_started" if started else "pickup_confirmed", loan, actor=actor)
    return loan


def confirm_return(
    actor,
    loan: Loan,
    checklist: list[str] | None = None,
    notes: str = "",
    photo_key: str | None = None,
    damage_report: str = "",
    deposit_kept_cents: int | None = None,
    now: datetime | None = None,
) -> Loan:
    """One party confirms the gear came back, with the same check-list, notes, an optional photo
    and damage report; the owner also records how much of the deposit they kept (0: all given
    back; keeping any needs a damage report). Once both have confirmed, the loan is returned, its
    remaining days freed and the waiting list told; so it is at once when the other party is
    suspended or banned, and cannot sign in to confirm.

    Raises Forbidden (not a party), Conflict (gear never picked up, loan not active, already
    confirmed), ValidationFailed (check-list, texts over 1,000 characters, deposit amount).
    """
    side = require_side(actor, loan)
    errors: dict = {}
    texts = {}
    for field, value in (("notes", notes), ("damage_report", damage_report)):
        try:
            texts[field] = checked_text(value, field, NOTES_MAX)
        except ValidationFailed as error:
            errors.update(error.fields)
    lock_loan(loan)
    if loan.status != LoanStatus.ACTIVE.value:
        if loan.status in (LoanStatus.REQUESTED.value, LoanStatus.ACCEPTED.value):
            raise Conflict(
                _l(
                    "Ce matériel n’a pas encore été remis à l’emprunteur : il ne peut pas être "
                    "rendu."
                )
            )
        raise status_conflict(loan)
    if side == Party.LENDER and loan.deposit_cents:
        kept = deposit_kept_cents or 0
        if not 0 <= kept <= loan.deposit_cents:
            errors["deposit_kept"] = _l(
                "Indiquez un montant entre 0 et %(deposit)s €.",
                deposit=_euros(loan.deposit_cents),
            )
        elif kept and not texts.get("damage_report"):
            errors["damage_report"] = _l(
                "Vous gardez une partie de la caution : décrivez le dommage qui le justifie."
            )
    if errors:
        raise ValidationFailed(errors)
    if _confirmed(loan, HandoverStage.RETURN, side):
        raise Conflict(_l("Vous avez déjà confirmé cette étape."))
    values = {
        "checklist": _checked_checklist(loan, checklist),
        "photo_key": photo_key,
        **texts,
    }
    _record(loan, HandoverStage.RETURN, side, actor, values)
    if side == Party.LENDER and loan.deposit_cents:
        loan.deposit_kept_cents = deposit_kept_cents or 0
    other_side = Party.BORROWER if side == Party.LENDER else Party.LENDER
    finished = _confirmed(loan, HandoverStage.RETURN, other_side) or is_restricted(
        other_party(loan, side)
    )
    freed: list[int] = []
    if finished:
        apply_transition(loan, "return", actor=actor, now=now)
        loan.extension_end_date = None
        freed = free_bookings(loan)
    db.session.flush()
    for member in other_side_members(loan, side, actor):
        tell(
            member,
            "loan_returned" if finished else "return_confirmed",
            loan,
            actor=actor,
            rate_url=_rate_url(loan),
        )
    if finished:
        waitlist.release(freed, now)
    return loan


def _euros(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole}" if rest == 0 else f"{whole},{rest:02d}"


def _rate_url(loan: Loan) -> str:
    return external_url("loans.rate", loan_id=loan.id)
