"""What a suspension or a ban does, and undoes when it ends: the account's marks, the member's
sessions, listings, requests and loans, and what the member and each counterpart are told.
For ``moderation.sanctions``; functions flush, never commit."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.accounts.policies import is_restricted
from sportressources.accounts.sessions import revoke_all_sessions
from sportressources.core.db import db
from sportressources.core.mail import external_url
from sportressources.core.states import apply_transition
from sportressources.core.templating import member_name
from sportressources.listings.models import VISIBLE_STATUSES, Listing, ListingStatus
from sportressources.moderation.members import active_sanctions
from sportressources.moderation.models import Sanction, SanctionKind
from sportressources.notifications.services import Email, site_path, tell_member
from sportressources.trade.exchanges.services import cancel_requests_of_restricted_member
from sportressources.trade.loans.restrictions import settle_loans_of_restricted_member

# Why the system hides or shows listings, in the audit log
HIDE_REASON = "owner suspended or banned"
UNHIDE_REASON = "owner's sanction over"

KIND_LABELS = {
    SanctionKind.WARNING.value: _l("Avertissement"),
    SanctionKind.SUSPENSION.value: _l("Suspension"),
    SanctionKind.BAN.value: _l("Fermeture du compte"),
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


# --- what a suspension or a ban does ------------------------------------------------------------


def mirror_sanctions(member) -> None:
    """Set the account's marks from the sanctions in force."""
    active = active_sanctions(member)
    ends = [s.ends_at for s in active if s.kind == SanctionKind.SUSPENSION.value]
    bans = [s.starts_at for s in active if s.kind == SanctionKind.BAN.value]
    member.suspended_until = max(ends) if ends else None
    member.banned_at = min(bans) if bans else None
    db.session.flush()


def restrict_member(member, moderator, now: datetime) -> None:
    """A suspension or a ban starts: the account is marked, every session ended, the member's
    requests and loans not handed over yet cancelled, their published and reserved listings
    hidden; each counterpart is told what happens to their booking."""
    mirror_sanctions(member)
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


def release_member(member, actor, now: datetime) -> None:
    """After a sanction ended or was lifted: the marks follow what is left in force and, once
    nothing restricts the member, their hidden listings are shown again."""
    mirror_sanctions(member)
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
        page = ("exchanges.detail", {"request_id": request.id})
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


def tell_member_freed(member, sanction: Sanction, kind: str, now: datetime) -> None:
    """Tell the member their suspension is over (``moderation_sanction_ended``) or a sanction
    was lifted (``moderation_sanction_lifted``), and whether another one still holds."""
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
