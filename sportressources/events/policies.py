"""Who may add, change and remove sporting events. Pure predicates, no side effect."""

from __future__ import annotations

from sportressources.accounts.policies import is_restricted
from sportressources.core.security import Role, actor_of, has_role
from sportressources.organisations.models import MemberRole, Membership, Organisation
from sportressources.organisations.policies import can_manage_organisation


def organisations_for_events(user) -> list[Organisation]:
    """The verified organisations ``user`` manages, in whose name they may add events."""
    from sqlalchemy import select

    from sportressources.core.db import db

    acting = actor_of(user)
    if not acting.is_member or is_restricted(acting.user):
        return []
    query = (
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(
            Membership.user_id == acting.user_id,
            Membership.role == MemberRole.MANAGER.value,
        )
        .order_by(Organisation.name)
    )
    return [o for o in db.session.scalars(query) if o.is_verified]


def can_manage_all_events(user) -> bool:
    """Admins add and edit any event, with or without an organiser."""
    return has_role(user, Role.ADMIN)


def can_add_events(user) -> bool:
    """Admins, and managers of a verified organisation, add events."""
    return can_manage_all_events(user) or bool(organisations_for_events(user))


def can_edit_event(user, event) -> bool:
    """Admins edit any event; a manager of its verified organiser edits the organiser's events."""
    if can_manage_all_events(user):
        return True
    organisation = event.organisation
    return (
        organisation is not None
        and organisation.is_verified
        and can_manage_organisation(user, organisation)
    )


def can_remove_event(user, event=None) -> bool:
    """Moderators and admins remove an event (a mistake, a spam, a duplicate)."""
    return has_role(user, Role.MODERATOR)
