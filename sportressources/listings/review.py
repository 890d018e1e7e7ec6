"""What a moderator's decision does to a listing: publish it, refuse it, ask its owner for a
change, take it down, or put it back (an appeal was granted). The queue, the reasons and the
statement of reasons are moderation's; these functions change the listing only, each through
its transition (which writes the audit row). Functions flush and never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden
from sportressources.core.mail import external_url
from sportressources.core.signals import listing_closing
from sportressources.core.states import apply_transition
from sportressources.core.text import clean_text
from sportressources.listings import revisions, services
from sportressources.listings.models import Listing, ListingRevision
from sportressources.listings.notices import KINDS
from sportressources.listings.owners import owner_side_members
from sportressources.listings.policies import can_review_listings
from sportressources.notifications.services import Email, site_path, tell_member

NOT_A_MODERATOR = _l("Seule l’équipe de modération peut examiner les annonces.")


def _check(actor) -> None:
    if not can_review_listings(actor):
        raise Forbidden(NOT_A_MODERATOR)


def _moderate(actor, listing: Listing, action: str, note: str) -> None:
    _check(actor)
    note = clean_text(note)
    apply_transition(listing, action, actor=actor, reason=note or None)
    listing.review_note = note


def approve_listing(actor, listing: Listing, note: str = "") -> None:
    """Publish a listing awaiting review and tell its owner (notice and email).

    Raises Forbidden (not a moderator) or Conflict (no longer awaiting review).
    """
    _moderate(actor, listing, "approve", note)
    listing.review_note = ""
    subject, _message = KINDS["listing_published"]
    email = Email(
        subject,
        "listings/listing_reviewed",
        {
            "listing": listing,
            "accepted": True,
            "listing_url": external_url("listings.detail", listing_id=listing.id),
        },
    )
    for member in owner_side_members(listing, exclude=actor):
        tell_member(
            member,
            "listing_published",
            site_path("listings.detail", listing_id=listing.id),
            email=email,
            title=listing.title,
        )


def reject_listing(actor, listing: Listing, note: str) -> None:
    """Refuse a listing awaiting review; ``note`` (the reason) stays on it for its owner, who may
    edit it and send it again. Moderation tells the owner through the statement of reasons.

    Raises Forbidden or Conflict (no longer awaiting review).
    """
    _moderate(actor, listing, "reject", note)


def request_changes(actor, listing: Listing, note: str) -> None:
    """Ask the owner of a listing awaiting review to change it (``note`` says what) before it is
    published; the owner edits it and sends it again. Raises Forbidden or Conflict."""
    _moderate(actor, listing, "request_changes", note)


def remove_listing(actor, listing: Listing, note: str) -> None:
    """Take down a listing awaiting review or public; its open requests and loans not started
    are cancelled as when it is withdrawn (their authors told).

    Raises Forbidden, or Conflict (already closed, or the item is out on loan).
    """
    _check(actor)
    listing_closing.send(listing, actor=actor)
    _moderate(actor, listing, "remove", note)


def reinstate_listing(actor, listing: Listing, note: str = "") -> None:
    """Publish again a listing that was removed, refused or sent back for changes (an appeal
    against that decision was granted). Raises Forbidden or Conflict."""
    _moderate(actor, listing, "reinstate", note)
    listing.review_note = ""


def can_reinstate(listing: Listing) -> bool:
    """Whether the listing is still as a moderator's decision left it (not edited and sent back,
    withdrawn or closed since), so that putting it back makes sense."""
    return Listing.transitions.allows(listing.status, "reinstate")


# --- a change to a public listing (listings.revisions) -------------------------------------------


def _pending(listing: Listing) -> ListingRevision:
    services.lock_listing(listing)  # before the revision, as update_listing does
    revision = revisions.pending_revision(listing, lock=True)
    if revision is None:
        raise Conflict(
            _l("Aucune modification de cette annonce n’attend de relecture."),
            code="no_pending_revision",
        )
    return revision


def approve_revision(actor, listing: Listing, note: str = "") -> ListingRevision:
    """Copy the pending change of a public listing onto it (its photos included) and tell its
    owner's side; the listing stays public throughout.

    Raises Forbidden (not a moderator) or Conflict (no change pending any more).
    """
    _check(actor)
    revision = _pending(listing)
    data = services.ListingData(
        organisation_id=listing.organisation_id,
        photo_keys=revision.photo_keys,
        **revision.data,
    )
    with db.session.no_autoflush:
        services.apply_data(listing, data)
    revisions.close(revision, "approve", actor, clean_text(note) or None)
    db.session.flush()
    subject, _message = KINDS["listing_change_published"]
    email = Email(
        subject,
        "listings/listing_reviewed",
        {
            "listing": listing,
            "accepted": True,
            "changed": True,
            "listing_url": external_url("listings.detail", listing_id=listing.id),
        },
    )
    for member in owner_side_members(listing, exclude=actor):
        tell_member(
            member,
            "listing_change_published",
            site_path("listings.detail", listing_id=listing.id),
            email=email,
            title=listing.title,
        )
    return revision


def refuse_revision(actor, listing: Listing, note: str) -> ListingRevision:
    """Refuse the pending change of a public listing: the listing keeps its public version and
    ``note`` (the reason) stays on the change for its owner, who may edit again. Moderation
    tells the owner through the statement of reasons.

    Raises Forbidden or Conflict (no change pending any more).
    """
    _check(actor)
    revision = _pending(listing)
    note = clean_text(note)
    revisions.close(revision, "refuse", actor, note or None)
    revision.review_note = note
    return revision
