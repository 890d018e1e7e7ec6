"""Deciding a case: approve, reject, request changes, remove or dismiss, applied to the item
(listing, message, profile, rating comment) through its own package's services, first decision
wins. Functions flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_babel import LazyString, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import NoResultFound

from sportressources.accounts import profile
from sportressources.accounts.models import User
from sportressources.core.audit import entries_for
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.states import apply_transition, state_changed
from sportressources.core.templating import member_name
from sportressources.core.text import clean_text
from sportressources.listings import review as listing_review
from sportressources.listings import revisions
from sportressources.listings import services as listing_services
from sportressources.listings.models import Listing, ListingStatus
from sportressources.messaging import services as messaging
from sportressources.messaging.models import Message
from sportressources.moderation import queue, reports, statements
from sportressources.moderation.grounds import Ground, ground_for
from sportressources.moderation.models import (
    RESTRICTIVE_DECISIONS,
    CaseStatus,
    Decision,
    ModerationCase,
    Statement,
    TargetType,
)
from sportressources.moderation.policies import can_moderate
from sportressources.organisations import services as organisations
from sportressources.organisations.models import Organisation, OrganisationStatus
from sportressources.organisations.queries import managers_of
from sportressources.trade import ratings
from sportressources.trade.models import Rating

NOTE_MAX = 2000
SUBJECT_MAX = 80

# What a decision did, in the words a moderator reads it (« Déjà traité par … : annonce refusée »)
DECISION_LABELS: dict[str, LazyString] = {
    Decision.APPROVE: _l("annonce publiée"),
    Decision.REJECT: _l("annonce refusée"),
    Decision.REQUEST_CHANGES: _l("modification demandée"),
    Decision.REMOVE: _l("contenu retiré"),
    Decision.DISMISS: _l("contenu conservé, sans suite"),
}
LISTING_REMOVED = _l("annonce retirée")
# An organisation's case is a verification, not a content decision: its own words
ORGANISATION_DECISION_LABELS: dict[str, LazyString] = {
    Decision.APPROVE: _l("organisation vérifiée"),
    Decision.REJECT: _l("vérification refusée"),
    Decision.DISMISS: _l("dossier classé sans suite"),
}

_PENDING = (Decision.APPROVE, Decision.REQUEST_CHANGES, Decision.REJECT)
_PUBLIC = (Decision.DISMISS, Decision.REMOVE)
# Whether an item is still public, so that removing it means something
_STILL_SHOWN = {
    TargetType.LISTING: lambda listing: Listing.transitions.allows(listing.status, "remove"),
    TargetType.MESSAGE: lambda message: message.removed_at is None,
    TargetType.PROFILE: lambda member: (
        not member.is_deleted and member.display_name != profile.neutral_name(member)
    ),
    TargetType.RATING: lambda rating: bool(rating.comment) and rating.comment_removed_at is None,
}


def register(app: Flask) -> None:
    """Wire this part into the app: a listing decided outside the queue leaves it."""
    state_changed.connect(close_case_decided_elsewhere, sender=Listing, weak=False)


def decision_label(case_or_decision, target_type: str | None = None) -> str:
    """What a decision did, for people: « annonce refusée », « contenu retiré »…"""
    decision = getattr(case_or_decision, "decision", case_or_decision)
    target_type = getattr(case_or_decision, "target_type", target_type)
    if decision == Decision.REMOVE and target_type == TargetType.LISTING:
        return str(LISTING_REMOVED)
    if target_type == TargetType.ORGANISATION and decision in ORGANISATION_DECISION_LABELS:
        return str(ORGANISATION_DECISION_LABELS[decision])
    label = DECISION_LABELS.get(decision) or statements.DECISION_LABELS.get(decision)
    return str(label) if label is not None else str(decision or "")


# --- what a case is about ---------------------------------------------------------------------

_MODELS: dict[str, type] = {
    TargetType.LISTING: Listing,
    TargetType.MESSAGE: Message,
    TargetType.PROFILE: User,
    TargetType.RATING: Rating,
    TargetType.ORGANISATION: Organisation,
}


def item_of(case: ModerationCase) -> Any | None:
    """The listing, message, member or rating a case is about; None once it is gone."""
    model = _MODELS.get(case.target_type)
    return db.session.get(model, case.target_id) if model is not None else None


def author_of(target_type: str, item) -> User | None:
    """Who wrote the item: a listing's owner, a message's sender, the member of a profile, the
    member who gave a rating."""
    if item is None:
        return None
    if target_type == TargetType.LISTING:
        return item.owner
    if target_type == TargetType.MESSAGE:
        return item.sender
    if target_type == TargetType.PROFILE:
        return item
    if target_type == TargetType.RATING:
        return item.rater
    if target_type == TargetType.ORGANISATION:
        managers = managers_of(item.id)
        return managers[0] if managers else None
    return None


def allowed_decisions(case: ModerationCase, item) -> tuple[Decision, ...]:
    """The decisions a moderator may take on an open case, as its item stands now.

    A listing awaiting review is published, sent back for changes or refused; a public item
    (a published listing, a message, a member's name, a rating's comment) is kept or removed.
    An item that is gone, or already restricted, can only be dismissed.
    """
    if case.status != CaseStatus.OPEN.value:
        return ()
    if item is None:
        return (Decision.DISMISS,)
    if case.target_type == TargetType.LISTING and item.status == ListingStatus.AWAITING_REVIEW:
        return _PENDING
    if case.target_type == TargetType.LISTING and revisions.pending_revision(item) is not None:
        # A change to a public listing: publish it or not; the listing itself may still go
        return (*_PENDING, Decision.REMOVE)
    if case.target_type == TargetType.ORGANISATION:
        if item.status == OrganisationStatus.PENDING.value:
            return (Decision.APPROVE, Decision.REJECT)
        return (Decision.DISMISS,)
    still_shown = _STILL_SHOWN.get(case.target_type)
    if still_shown is not None and still_shown(item):
        return _PUBLIC
    return (Decision.DISMISS,)


def subject_of(target_type: str, item) -> str:
    """How the statement names the item for its author: a listing's title, the start of a
    message or a comment, the removed name."""
    if target_type == TargetType.LISTING:
        text = item.title
    elif target_type == TargetType.MESSAGE:
        text = item.body
    elif target_type == TargetType.PROFILE:
        text = item.display_name
    elif target_type == TargetType.RATING:
        text = item.comment
    elif target_type == TargetType.ORGANISATION:
        text = item.name
    else:
        text = ""
    text = " ".join(text.split())
    return text if len(text) <= SUBJECT_MAX else text[: SUBJECT_MAX - 1] + "…"


# --- deciding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    decision: Decision
    note: str
    ground: Ground | None


def _already_decided(case: ModerationCase) -> Conflict:
    when = format_datetime(case.decided_at, "d MMMM y, HH:mm") if case.decided_at else ""
    if case.status == CaseStatus.CLOSED.value:
        return Conflict(
            _l(
                "Ce dossier est clos depuis le %(date)s : l’élément a quitté la file avant "
                "une décision.",
                date=when,
            ),
            code="case_closed",
        )
    decider = member_name(case.decided_by) if case.decided_by_id else _l("l’équipe de modération")
    return Conflict(
        _l(
            "Déjà traité par %(name)s le %(date)s : %(decision)s.",
            name=decider,
            date=when,
            decision=decision_label(case),
        ),
        code="already_decided",
    )


def check_decision(
    decision: str | None,
    note: str | None,
    ground_code: str | None,
    *,
    needs_ground: bool = True,
) -> Checked:
    """The decision, the note (the facts, cleaned) and the ground, checked as a whole.

    A restrictive decision (reject, request changes, remove) needs the facts (at most 2000
    characters) and, unless ``needs_ground`` is false (an organisation's verification, which
    judges no content), a ground of ``moderation.grounds``. Raises ValidationFailed naming
    ``decision``, ``note`` and ``ground``, all the faults at once.
    """
    errors: dict[str, LazyString] = {}
    try:
        chosen = Decision(decision or "")
    except ValueError:
        chosen = None
        errors["decision"] = _l("Choisissez une décision dans la liste.")
    note = clean_text(note if isinstance(note, str) else "")
    if len(note) > NOTE_MAX:
        errors["note"] = _l(
            "Ce texte ne peut pas dépasser %(limit)s caractères (il en compte %(count)s).",
            limit=NOTE_MAX,
            count=len(note),
        )
    ground = ground_for(ground_code) if isinstance(ground_code, str) and ground_code else None
    if chosen in RESTRICTIVE_DECISIONS:
        if not note:
            errors["note"] = _l(
                "Décrivez les faits : l’auteur les lira dans l’exposé des motifs de la décision."
            )
        if ground is None and needs_ground:
            errors["ground"] = _l(
                "Choisissez le motif : une règle des conditions d’utilisation ou un type de "
                "contenu illicite."
            )
    elif ground_code and ground is None:
        errors["ground"] = _l("Choisissez un motif dans la liste.")
    if errors:
        raise ValidationFailed(errors)
    return Checked(chosen, note, ground)


def decide(actor, case_id: int, decision: str, note: str = "", ground_code: str = "") -> Any:
    """Take a decision on an open case and apply it to its item; returns the case.

    The case row is locked first: of two moderators deciding at once, the second waits and then
    gets a Conflict naming who decided, what and when; nothing is applied twice. A restrictive
    decision writes a statement of reasons (which tells the author); the case's reports are
    settled (upheld when the item was restricted) and their authors told.

    Raises Forbidden (not a moderator), NotFound (no such case), Conflict (already decided or
    closed, or the item changed meanwhile), ValidationFailed (``decision`` not possible for this
    item, ``note`` missing or too long, ``ground`` missing or unknown).
    """
    if not can_moderate(actor):
        raise Forbidden(_l("Seule l’équipe de modération peut décider."))
    _lock_listing_first(case_id)
    try:
        case = queue.lock_case(case_id)
    except NoResultFound:
        raise NotFound(_l("Ce dossier de modération n’existe pas.")) from None
    if case.status != CaseStatus.OPEN.value:
        raise _already_decided(case)
    verification = case.target_type == TargetType.ORGANISATION
    checked = check_decision(decision, note, ground_code, needs_ground=not verification)
    item = item_of(case)
    if checked.decision not in allowed_decisions(case, item):
        raise ValidationFailed(
            {"decision": _l("Cette décision n’est pas possible pour cet élément dans son état.")}
        )
    # The case first: the listing's own transitions then find no open case to close
    case.decision = checked.decision.value
    case.decision_note = checked.note
    details: dict[str, Any] = {"decision": checked.decision.value}
    if checked.ground is not None:
        details["ground"] = checked.ground.code
    apply_transition(case, "decide", actor=actor, reason=checked.note or None, details=details)
    restrictive = checked.decision in RESTRICTIVE_DECISIONS
    if item is not None:
        subject = subject_of(case.target_type, item)
        _apply(actor, case, item, checked)
        # Refusing a verification restricts no content: the managers read the reason in the
        # notice and email of organisations.refuse_organisation, not in a statement of reasons
        if restrictive and not verification:
            statements.issue_statement(
                member=author_of(case.target_type, item),
                decision=checked.decision.value,
                target_type=case.target_type,
                target_id=case.target_id,
                ground=checked.ground,
                facts=checked.note,
                moderator=actor,
                subject=subject,
                automated_detection=bool(case.flags),
                from_report=bool(case.report_count),
                case=case,
            )
    reports.settle_reports(case, upheld=restrictive, actor=actor)
    db.session.flush()
    return case


def _lock_listing_first(case_id: int) -> None:
    """Lock a listing case's listing before the case, in the order its owner's edit takes them
    (listing, then its pending change, then the case it joins), so that they never deadlock."""
    peek = db.session.get(ModerationCase, case_id)
    if peek is not None and peek.target_type == TargetType.LISTING:
        listing = db.session.get(Listing, peek.target_id)
        if listing is not None:
            listing_services.lock_listing(listing)


def _apply(actor, case: ModerationCase, item, checked: Checked) -> None:
    decision, note = checked.decision, checked.note
    if decision == Decision.DISMISS:
        return
    target = case.target_type
    if target == TargetType.LISTING and decision in _PENDING and item.status != "awaiting_review":
        # A change to a public listing (allowed_decisions): the listing keeps its public version
        # unless the change is approved
        if decision == Decision.APPROVE:
            listing_review.approve_revision(actor, item, note)
        else:
            listing_review.refuse_revision(actor, item, note)
    elif target == TargetType.LISTING:
        apply = {
            Decision.APPROVE: listing_review.approve_listing,
            Decision.REJECT: listing_review.reject_listing,
            Decision.REQUEST_CHANGES: listing_review.request_changes,
            Decision.REMOVE: listing_review.remove_listing,
        }[decision]
        apply(actor, item, note)
    elif target == TargetType.MESSAGE:
        messaging.remove_message(actor, item, note)
    elif target == TargetType.PROFILE:
        profile.reset_display_name(actor, item, note, details={"case_id": case.id})
    elif target == TargetType.RATING:
        ratings.remove_comment(actor, item, note)
    elif target == TargetType.ORGANISATION:
        if decision == Decision.APPROVE:
            organisations.verify_organisation(actor, item, note)
        elif decision == Decision.REJECT:
            organisations.refuse_organisation(actor, item, note)


# --- undoing (an appeal was granted) ------------------------------------------------------------


def reverse_decision(actor, statement: Statement) -> None:
    """Undo what a statement's content decision did (an appeal was granted): put the listing,
    message, profile name or rating comment back as it was.

    What changed since is respected: a listing edited and sent back to review, withdrawn or
    closed stays as it is, and so does a name the member changed. Sanctions are lifted by
    ``sanctions.lift_sanction``, not here. Every change leaves an audit row.
    """
    if statement.decision not in {d.value for d in RESTRICTIVE_DECISIONS}:
        return
    model = _MODELS.get(statement.target_type)
    item = db.session.get(model, statement.target_id) if model is not None else None
    if item is None:
        return
    reason = str(_l("Contestation acceptée"))
    target = statement.target_type
    if target == TargetType.LISTING:
        if listing_review.can_reinstate(item):
            listing_review.reinstate_listing(actor, item, "")
    elif target == TargetType.MESSAGE:
        messaging.restore_message(actor, item, reason)
    elif target == TargetType.PROFILE:
        name = _removed_name(item, statement.case_id)
        if name:
            profile.restore_display_name(actor, item, name, reason)
    elif target == TargetType.RATING:
        ratings.restore_comment(actor, item, reason)
    db.session.flush()


def _removed_name(member: User, case_id: int | None) -> str | None:
    """The name removed by the decision of ``case_id`` (or else the last one removed)."""
    removals = [
        entry.details or {}
        for entry in entries_for("user", member.id)
        if entry.action == profile.NAME_RESET
    ]
    for details in reversed(removals):
        if case_id is not None and details.get("case_id") == case_id:
            return details.get("display_name")
    return removals[-1].get("display_name") if removals else None


# --- receivers ---------------------------------------------------------------------------------

_DECIDING_ACTIONS = frozenset({"approve", "reject", "request_changes", "remove"})


def close_case_decided_elsewhere(sender, obj=None, action=None, actor=None, **_):
    """A listing approved, refused or removed outside the queue (a script, the factories of the
    tests) leaves the queue: its open case is closed, so that nobody decides it twice."""
    if action not in _DECIDING_ACTIONS:
        return
    case = queue.open_case_for(TargetType.LISTING, obj.id)
    if case is not None:
        apply_transition(case, "close", actor=actor, reason=f"listing {action} outside the queue")
