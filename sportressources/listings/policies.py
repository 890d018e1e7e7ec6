"""Who may see and act on a listing. Pure predicates, used by services and templates alike."""

from __future__ import annotations

from sportressources.core.security import Role, has_role
from sportressources.listings.models import VISIBLE_STATUSES, Listing


def _is_owner(user, listing: Listing) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and getattr(user, "id", None) == listing.owner_id
    )


def can_view_listing(user, listing: Listing) -> bool:
    """Published and reserved listings are public; others only for their owner and moderators."""
    return (
        listing.status in VISIBLE_STATUSES or _is_owner(user, listing) or can_review_listings(user)
    )


def can_edit_listing(user, listing: Listing) -> bool:
    """Only the owner edits, withdraws or closes a listing (moderators withdraw, see services)."""
    return _is_owner(user, listing)


def can_review_listings(user) -> bool:
    """Moderators and admins review listings before they are public."""
    return has_role(user, Role.MODERATOR)


def can_contact_owner(user, listing: Listing) -> bool:
    """A signed-in member other than the owner may write about a visible listing."""
    return has_role(user, Role.RESIDENT) and not _is_owner(user, listing) and listing.is_visible
