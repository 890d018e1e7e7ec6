"""What a person may do for an organisation. Pure predicates, no side effect.

Acting for an organisation comes from a membership (manager or volunteer), read from the
database at each call: a member removed a moment ago has no access left. A site role gives none,
except that moderators see organisations still being verified, and verify them. Each predicate
takes a user or a ``core.security.Actor``.
"""

from __future__ import annotations

from sportressources.accounts.policies import is_restricted
from sportressources.core.security import Role, actor_of, has_role
from sportressources.organisations.models import Organisation, OrganisationStatus
from sportressources.organisations.queries import membership_of


def _membership(user, organisation: Organisation | None):
    acting = actor_of(user)
    if organisation is None or not acting.is_member or is_restricted(acting.user):
        return None
    if organisation.status == OrganisationStatus.CLOSED.value:
        return None
    return membership_of(acting.user_id, organisation.id)


def can_create_organisation(user) -> bool:
    """Any signed-in member not suspended nor banned may create an organisation (and manage it)."""
    acting = actor_of(user)
    return acting.is_member and not is_restricted(acting.user)


def can_act_for_organisation(user, organisation: Organisation | None) -> bool:
    """Managers and volunteers act for their organisation (listings, loans, drives, messages),
    as long as it is not closed and their account is not restricted."""
    return _membership(user, organisation) is not None


def can_manage_organisation(user, organisation: Organisation | None) -> bool:
    """Managers edit the profile and the logo, invite, change roles and remove members."""
    membership = _membership(user, organisation)
    return membership is not None and membership.is_manager


def can_run_drives(user, organisation: Organisation | None) -> bool:
    """Members of a verified organisation open and run collection drives for it."""
    return (
        organisation is not None
        and organisation.is_verified
        and can_act_for_organisation(user, organisation)
    )


def can_leave_organisation(user, organisation: Organisation | None) -> bool:
    """Any member may leave (the service refuses it to the last manager)."""
    return _membership(user, organisation) is not None


def can_verify_organisation(user) -> bool:
    """Moderators verify or refuse organisations."""
    return has_role(user, Role.MODERATOR)


def can_view_organisation(user, organisation: Organisation | None) -> bool:
    """A verified organisation's page is public; one still pending, refused or closed is seen
    only by its members and by moderators."""
    if organisation is None:
        return False
    if organisation.is_verified:
        return True
    if can_verify_organisation(user):
        return True
    acting = actor_of(user)
    return acting.is_member and membership_of(acting.user_id, organisation.id) is not None
