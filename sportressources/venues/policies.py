"""Who may see and change what in the territory layer. Pure predicates, no side effect."""

from __future__ import annotations

from sportressources.core.security import Role, has_role
from sportressources.venues.models import Venue, VenueStatus


def can_manage_venues(user) -> bool:
    """Moderators and admins create, edit and review venues."""
    return has_role(user, Role.MODERATOR)


def can_propose_venue(user) -> bool:
    """Any signed-in member may propose a venue; it stays hidden until reviewed."""
    return has_role(user, Role.RESIDENT)


def can_view_venue(user, venue: Venue) -> bool:
    """Published venues are public; a proposal is seen by its author and by moderators."""
    if venue.status == VenueStatus.PUBLISHED.value:
        return True
    if can_manage_venues(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and venue.proposed_by_id == getattr(user, "id", None)
    )
