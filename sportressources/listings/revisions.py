"""Changes to a public listing that wait for review: the listing keeps its previous version
(search, its page, borrowers' links) while a ``ListingRevision`` holds the proposed one.

``services.update_listing`` proposes a change here; ``review`` approves or refuses it. A second
edit before the review updates the pending change (one per listing, down to a unique index).
Functions flush and never commit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.states import apply_transition
from sportressources.geo.models import Commune
from sportressources.listings.models import (
    VISIBLE_STATUSES,
    Listing,
    ListingRevision,
    ListingRevisionPhoto,
    RevisionStatus,
)
from sportressources.listings.taxonomy import (
    AGE_GROUPS,
    CATEGORIES,
    CONDITION_LABELS,
    KIND_LABELS,
    SPORTS,
    size_label,
)
from sportressources.venues.models import Venue

_signals = Namespace()
# Sent with the Listing class as sender and ``listing``, ``revision``, ``actor`` when a change is
# proposed or updated:
# moderation puts the listing in its queue (reason « edited »)
revision_proposed = _signals.signal("listing-revision-proposed")

# The listing fields a revision holds, in the order the moderator reads them
FIELD_LABELS = {
    "kind": _l("Type d’annonce"),
    "title": _l("Titre"),
    "description": _l("Description"),
    "sport": _l("Sport"),
    "category": _l("Catégorie"),
    "size": _l("Taille"),
    "age_group": _l("Pour qui"),
    "condition": _l("État"),
    "brand": _l("Marque"),
    "price_cents": _l("Prix de vente"),
    "new_price_cents": _l("Prix neuf"),
    "safety_age_years": _l("Âge de l’équipement (années)"),
    "safety_no_impact": _l("Sans choc ni chute"),
    "commune_insee": _l("Commune"),
    "venue_id": _l("Lieu de remise"),
    "photos": _l("Photos"),
}
FIELDS = tuple(name for name in FIELD_LABELS if name != "photos")


def values_of(data) -> dict[str, Any]:
    """The fields of a ``services.ListingData`` that a revision stores (JSON-ready)."""
    values = asdict(data)
    return {name: values[name] for name in FIELDS}


def pending_revision(listing: Listing, lock: bool = False) -> ListingRevision | None:
    """The change of ``listing`` waiting for review, if any (locked until commit if ``lock``)."""
    query = select(ListingRevision).where(
        ListingRevision.listing_id == listing.id,
        ListingRevision.status == RevisionStatus.PENDING.value,
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).first()


def with_pending_revision(listing_ids: list[int]) -> set[int]:
    """Which of these listings have a change waiting for review (one statement for a list)."""
    if not listing_ids:
        return set()
    return set(
        db.session.scalars(
            select(ListingRevision.listing_id).where(
                ListingRevision.listing_id.in_(listing_ids),
                ListingRevision.status == RevisionStatus.PENDING.value,
            )
        )
    )


def last_revision(listing: Listing) -> ListingRevision | None:
    """The latest change proposed for ``listing``, whatever became of it."""
    return db.session.scalars(
        select(ListingRevision)
        .where(ListingRevision.listing_id == listing.id)
        .order_by(ListingRevision.id.desc())
    ).first()


def propose(actor, listing: Listing, values: dict, photo_keys: list[str], changed: set[str]):
    """Hold ``values`` and ``photo_keys`` as the pending change of ``listing`` (updating the one
    already pending, if any) and tell moderation. The listing itself is not touched."""
    revision = pending_revision(listing, lock=True)
    if revision is None:
        revision = ListingRevision(listing_id=listing.id, status=RevisionStatus.PENDING.value)
        db.session.add(revision)
    revision.author_id = actor.id
    revision.data = dict(values)
    revision.changed = sorted(changed)
    if revision.photo_keys != list(photo_keys):
        revision.photos.clear()
        db.session.flush()
        revision.photos.extend(
            ListingRevisionPhoto(position=position, key=key)
            for position, key in enumerate(photo_keys)
        )
    db.session.flush()
    revision_proposed.send(Listing, listing=listing, revision=revision, actor=actor)
    return revision


def withdraw_pending(actor, listing: Listing, reason: str | None = None) -> None:
    """Give up the pending change of ``listing``, if any (its owner undid it, or it closed)."""
    revision = pending_revision(listing)
    if revision is not None:
        close(revision, "withdraw", actor, reason)


def close(revision: ListingRevision, action: str, actor, reason: str | None = None) -> None:
    """Move a pending change out of review (``approve``, ``refuse`` or ``withdraw``). Its photo
    rows go: only a pending change keeps its new photos from the purge of orphan files (those
    approved are the listing's own by then)."""
    apply_transition(revision, action, actor=actor, reason=reason)
    revision.photos.clear()


def on_listing_changed(sender, obj=None, before=None, after=None, actor=None, **_) -> None:
    """A listing that leaves the public pages (withdrawn, closed, removed, hidden) drops its
    pending change: there is nothing left to show it on."""
    if before in VISIBLE_STATUSES and after not in VISIBLE_STATUSES:
        withdraw_pending(actor, obj, reason=f"listing {after}")


@dataclass(frozen=True)
class FieldChange:
    """One changed field as people read it; for photos, ``before`` and ``after`` are lists of
    storage keys (shown as thumbnails)."""

    name: str
    label: str
    before: Any
    after: Any


def changes(listing: Listing, revision: ListingRevision) -> list[FieldChange]:
    """What the change would change on ``listing``, field by field, in words."""
    rows = []
    for name, label in FIELD_LABELS.items():
        if name == "photos":
            before, after = [photo.key for photo in listing.photos], revision.photo_keys
            if before != after:
                rows.append(FieldChange(name, str(label), before, after))
            continue
        before, after = getattr(listing, name), revision.data.get(name)
        if before != after:
            rows.append(FieldChange(name, str(label), _words(name, before), _words(name, after)))
    return rows


def _words(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if name in {"price_cents", "new_price_cents"}:
        whole, rest = divmod(value, 100)  # as services.euros writes it (services imports us)
        return f"{whole} €" if rest == 0 else f"{whole},{rest:02d} €"
    if name == "safety_no_impact":
        return str(_l("Oui") if value else _l("Non"))
    if name == "commune_insee":
        commune = db.session.get(Commune, value)
        return commune.name if commune is not None else str(value)
    if name == "venue_id":
        venue = db.session.get(Venue, value)
        return venue.name if venue is not None else str(value)
    if name == "category":
        category = CATEGORIES.get(value)
        return str(category.label) if category is not None else str(value)
    if name == "size":
        return size_label(value)
    labels = {
        "kind": KIND_LABELS,
        "sport": SPORTS,
        "age_group": AGE_GROUPS,
        "condition": CONDITION_LABELS,
    }.get(name, {})
    return str(labels.get(value, value))


class ProposedListing:
    """A listing as it would read once its pending change is approved: the proposed values,
    the listing's own for the rest (owner, photos' fingerprints). Read-only."""

    def __init__(self, listing: Listing, revision: ListingRevision) -> None:
        self._listing, self._revision = listing, revision

    def __getattr__(self, name: str) -> Any:
        if name in FIELDS:
            return self._revision.data.get(name)
        return getattr(self._listing, name)
