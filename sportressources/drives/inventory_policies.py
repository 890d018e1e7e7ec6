"""Who may see and change an organisation's inventory. Pure predicates, used by services and
templates alike.

Managers and volunteers of the organisation only, read from the database on each call: a member
removed a moment ago has lost access. The inventory of an organisation not verified yet (or
refused) works as any other: it may hold gear before a moderator checks it, and what it publishes
from it is reviewed like any listing. A closed organisation's inventory stays readable by its
members (for their records and exports) but no longer changes.
"""

from __future__ import annotations

from sportressources.core.security import actor_of
from sportressources.organisations.models import Organisation, OrganisationStatus
from sportressources.organisations.queries import is_member


def can_view_inventory(user, organisation: Organisation) -> bool:
    """Managers and volunteers of the organisation see its inventory, handouts and exports."""
    acting = actor_of(user)
    return acting.is_member and is_member(acting.user_id, organisation.id)


def can_manage_inventory(user, organisation: Organisation) -> bool:
    """Managers and volunteers change the inventory of their organisation unless it is closed."""
    return organisation.status != OrganisationStatus.CLOSED.value and can_view_inventory(
        user, organisation
    )
