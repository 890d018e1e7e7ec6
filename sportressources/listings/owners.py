"""Who stands on the owner's side of a listing, to tell them of an event or show them by name:
the member who owns it or, for an organisation's listing, the organisation and its members.

The rules for an organisation's gear (issue 12), in one place:

- ``listings.policies.acts_for_owner`` decides who acts on the owner's side, for listings,
  exchanges, loans and messaging alike: any current manager or volunteer, read from the
  database on each call, so that a former member (the listing's creator included) loses access
  at once. ``Listing.owner_id`` and ``Loan.lender_id`` stay the member who created the listing;
  they only name who published it and carry the ratings' foreign key.
- Who a listing is published for is chosen once, at creation; it never moves between a member
  and an organisation (its requests, loans and conversations stay with the same side).
- « My listings », « loans I lend », « requests received », the inbox and the calendar feed
  include the organisations' for their current members (``managed_by``), each marked with the
  organisation's name.
- Every member but the one who acted is told of an event on the owner's side
  (``owner_side_members``).
- A borrower's or requester's rating of an organisation's handling counts for the
  organisation (``trade.reputation.organisation_ratings``), never in the creator's own record;
  the organisation rates the other member once, by any of its members.
"""

from __future__ import annotations

from sqlalchemy import false, select, union_all
from sqlalchemy.orm import joinedload

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.templating import member_name
from sportressources.listings.models import VISIBLE_STATUSES, Listing
from sportressources.organisations.models import Membership
from sportressources.organisations.queries import member_ids


def owner_side_members(listing: Listing, exclude=None) -> list[User]:
    """Who to tell of an event on the owner's side of ``listing``: its owner or, for an
    organisation's listing, every current manager and volunteer once (a former member, its
    creator included, no longer). Never ``exclude`` (the member who acted) nor a deleted
    account."""
    excluded = getattr(exclude, "id", None)
    if listing.organisation_id is None:
        users = [listing.owner]
    else:
        ids = [i for i in dict.fromkeys(member_ids(listing.organisation_id)) if i != excluded]
        users = (
            list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))
            if ids
            else []
        )
    return [user for user in users if user.id != excluded and not user.is_deleted]


def owner_name(listing: Listing) -> str:
    """The name shown for the owner's side: the organisation's, or the member's."""
    if listing.organisation_id is not None and listing.organisation is not None:
        return listing.organisation.name
    return member_name(listing.owner)


def managed_by(user_id: int | None):
    """SQL condition on ``Listing``: the listings ``user_id`` acts for the owner of, i.e. their
    own (not published for an organisation) and those of every organisation they are a member
    of now. For « my listings », « loans I lend », « requests received », the inbox."""
    if user_id is None:
        return false()
    # Ids from two index lookups (owner; organisations), not an OR: with an OR both databases
    # read every listing (a quarter of a second at a million)
    return Listing.id.in_(
        union_all(
            select(Listing.id).where(
                Listing.owner_id == user_id, Listing.organisation_id.is_(None)
            ),
            select(Listing.id).where(
                Listing.organisation_id.in_(
                    select(Membership.organisation_id).where(Membership.user_id == user_id)
                )
            ),
        )
    )


def organisation_listings(organisation_id: int) -> list[Listing]:
    """The visible listings (published or reserved) of an organisation, newest first, with
    their commune loaded: its gifts, sales and lendable items, for its public page."""
    return list(
        db.session.scalars(
            select(Listing)
            .where(
                Listing.organisation_id == organisation_id,
                Listing.status.in_(VISIBLE_STATUSES),
            )
            .options(joinedload(Listing.commune), joinedload(Listing.organisation))
            .order_by(Listing.id.desc())
        )
    )
