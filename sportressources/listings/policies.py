"""Who may see and act on a listing. Pure predicates, used by services and templates alike.

Each takes the actor (``core.security.Actor``) or a user, who then acts for themselves.
"""

from __future__ import annotations

from sportressources.core.security import Role, actor_of, has_role
from sportressources.listings.models import VISIBLE_STATUSES, Listing
from sportressources.organisations.models import OrganisationStatus
from sportressources.organisations.queries import is_member, membership_of


def acts_for_owner(actor, listing: Listing) -> bool:
    """True for whoever stands on the owner's side of a listing: the member who owns it or, for
    an organisation's listing, any manager or volunteer of the organisation now (a former member
    loses access at once, its creator included). Every owner-side step of listings, exchanges,
    loans and messaging asks this, and only this."""
    acting = actor_of(actor)
    if not acting.is_member:
        return False
    if listing.organisation_id is not None:
        return is_member(acting.user_id, listing.organisation_id)
    return acting.user_id == listing.owner_id


def can_publish_for_organisation(actor, organisation_id: int) -> bool:
    """Managers and volunteers publish in the name of their organisation, unless it is closed."""
    acting = actor_of(actor)
    if not acting.is_member:
        return False
    membership = membership_of(acting.user_id, organisation_id)
    return (
        membership is not None and membership.organisation.status != OrganisationStatus.CLOSED.value
    )


def can_view_listing(actor, listing: Listing) -> bool:
    """Published and reserved listings are public; others only for their owner and moderators."""
    return (
        listing.status in VISIBLE_STATUSES
        or acts_for_owner(actor, listing)
        or can_review_listings(actor)
    )


def can_edit_listing(actor, listing: Listing) -> bool:
    """Only the owner edits, withdraws or closes a listing (moderators withdraw, see services)."""
    return acts_for_owner(actor, listing)


def can_review_listings(actor) -> bool:
    """Moderators and admins review listings before they are public."""
    return has_role(actor, Role.MODERATOR)


def can_contact_owner(actor, listing: Listing) -> bool:
    """A signed-in member other than the owner may write about a visible listing."""
    return (
        has_role(actor, Role.RESIDENT) and not acts_for_owner(actor, listing) and listing.is_visible
    )


def can_publish_listing(actor) -> bool:
    """Any signed-in member may publish a listing (the listing itself is checked on its own)."""
    return has_role(actor, Role.RESIDENT)


def can_keep_favourites(actor) -> bool:
    """Any signed-in member may keep listings as favourites."""
    return has_role(actor, Role.RESIDENT)
