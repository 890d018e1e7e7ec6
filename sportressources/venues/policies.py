"""Who may see and change what in the territory layer. Pure predicates, no side effect.

Each takes the actor (``core.security.Actor``) or a user, who then acts for themselves.
"""

from __future__ import annotations

from sportressources.core.security import Role, actor_of, has_role
from sportressources.venues.models import Venue, VenueStatus


def can_manage_venues(actor) -> bool:
    """Moderators and admins create, edit and review venues."""
    return has_role(actor, Role.MODERATOR)


def can_propose_venue(actor) -> bool:
    """Any signed-in member may propose a venue; it stays hidden until reviewed."""
    return has_role(actor, Role.RESIDENT)


def can_view_venue(actor, venue: Venue) -> bool:
    """Published venues are public; a proposal is seen by its author and by moderators."""
    if venue.status == VenueStatus.PUBLISHED.value:
        return True
    if can_manage_venues(actor):
        return True
    acting = actor_of(actor)
    return acting.is_member and venue.proposed_by_id == acting.user_id
