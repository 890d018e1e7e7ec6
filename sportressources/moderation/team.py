"""The moderation team: admins grant and withdraw the moderator role in the pages. Each change
is written in the audit log (« user.role_change », before and after, with its reason) and told to
the member. Admins are named on the command line (``flask users create-admin``), never here.
Functions flush, never commit."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.accounts.services import set_role
from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.mail import external_url
from sportressources.core.security import Role, actor_of
from sportressources.core.text import clean_text
from sportressources.moderation.policies import can_administer
from sportressources.notifications.services import Email, register_kind, site_path, tell_member

ROLE_CHANGE = "user.role_change"
REASON_MAX_LENGTH = 500

# kind -> (email subject, in-app message); lazy, written in the member's language
KINDS: dict[str, tuple[LazyString, LazyString]] = {
    "moderation_role_granted": (
        _l("Vous rejoignez l’équipe de modération"),
        _l("Vous faites désormais partie de l’équipe de modération."),
    ),
    "moderation_role_withdrawn": (
        _l("Vous quittez l’équipe de modération"),
        _l("Vous ne faites plus partie de l’équipe de modération."),
    ),
}


def register_kinds() -> None:
    """Declare the team's notice kinds to the notifications."""
    for kind, (_subject, message) in KINDS.items():
        register_kind(kind, message)


def can_change_role(actor, member: User | None) -> bool:
    """An admin grants or withdraws the moderator role of any member but themselves and other
    admins (an admin's role is changed on the command line)."""
    acting = actor_of(actor)
    return (
        can_administer(acting)
        and member is not None
        and not member.is_deleted
        and member.id != acting.user_id
        and member.role != Role.ADMIN.value
    )


def grant_moderator(actor, member_id: int, reason: str) -> User:
    """Make a member a moderator; see ``change_role``."""
    return change_role(actor, member_id, Role.MODERATOR, reason)


def withdraw_moderator(actor, member_id: int, reason: str) -> User:
    """Make a moderator a resident again; see ``change_role``."""
    return change_role(actor, member_id, Role.RESIDENT, reason)


def change_role(actor, member_id: int, role: Role, reason: str) -> User:
    """Give a member the moderator or the resident role, log it and tell them.

    The member's row is locked first, so that two admins acting at once log one change. Raises
    Forbidden (the actor is not an admin, or the member is themselves or an admin), NotFound (no
    such account, or a deleted one), Conflict (the member has that role already; an unconfirmed,
    suspended or banned account cannot become a moderator) and ValidationFailed (``reason``
    missing or longer than 500 characters).
    """
    acting = actor_of(actor)
    if not can_administer(acting):
        raise Forbidden(_l("Seuls les administrateurs gèrent l’équipe de modération."))
    member = db.session.scalars(
        select(User)
        .where(User.id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if member is None or member.is_deleted:
        raise NotFound(_l("Ce membre n’existe pas."))
    if member.id == acting.user_id:
        raise Forbidden(_l("Vous ne pouvez pas changer votre propre rôle."))
    if member.role == Role.ADMIN.value:
        raise Forbidden(_l("Le rôle d’un administrateur ne se change pas ici."))
    if member.role == role.value:
        raise Conflict(
            _l("Ce membre fait déjà partie de l’équipe de modération.")
            if role == Role.MODERATOR
            else _l("Ce membre ne fait déjà plus partie de l’équipe de modération.")
        )
    if role == Role.MODERATOR:
        _check_can_moderate(member)
    reason = clean_text(reason)
    if not reason:
        raise ValidationFailed(
            {"reason": _l("Indiquez la raison de ce changement : elle est écrite au journal.")}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            {"reason": _l("La raison ne peut pas dépasser %(max)s caractères.", max=500)}
        )
    before = member.role
    set_role(member, role)
    record_entry(
        ROLE_CHANGE,
        "user",
        member.id,
        actor=acting.user,
        before=before,
        after=role.value,
        reason=reason,
    )
    granted = role == Role.MODERATOR
    _tell(member, "moderation_role_granted" if granted else "moderation_role_withdrawn")
    return member


def _check_can_moderate(member: User) -> None:
    if member.email_confirmed_at is None:
        raise Conflict(_l("Ce membre n’a pas encore confirmé son adresse e-mail."))
    suspended = member.suspended_until is not None and member.suspended_until > utcnow()
    if member.banned_at is not None or suspended:
        raise Conflict(_l("Un membre suspendu ou exclu ne peut pas rejoindre l’équipe."))


def _tell(member: User, kind: str) -> None:
    subject, _message = KINDS[kind]
    granted = kind == "moderation_role_granted"
    tell_member(
        member,
        kind,
        site_path("moderation.home") if granted else "",
        email=Email(
            subject,
            "moderation/team_role",
            {
                "granted": granted,
                "home_url": external_url("moderation.home"),
                "terms_url": external_url("pages.terms"),
            },
        ),
    )
