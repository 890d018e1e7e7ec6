"""Listings: gear given, lent or sold at low prices; photos, favourites, saved searches,
conversations about a listing, and the exchange (request, handover, ratings) of gifts and sales."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base, TimestampMixin, sql_values, utcnow
from sportressources.core.states import Stamp, StateMachine

if TYPE_CHECKING:
    from sportressources.accounts.models import User
    from sportressources.events.models import Event
    from sportressources.geo.models import Commune
    from sportressources.organisations.models import Organisation
    from sportressources.venues.models import Venue


class ListingKind(enum.StrEnum):
    GIFT = "gift"  # don
    LOAN = "loan"  # prêt
    SALE = "sale"  # vente à bas prix


class ListingStatus(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_REVIEW = "awaiting_review"
    PUBLISHED = "published"
    RESERVED = "reserved"
    GIVEN = "given"
    SOLD = "sold"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"  # a moderator asked the owner to change it
    REMOVED = "removed"  # taken down by a moderator after publication
    HIDDEN = "hidden"  # its owner is suspended or banned


# Statuses a visitor can find: published ones, and reserved ones shown as such
VISIBLE_STATUSES = (ListingStatus.PUBLISHED.value, ListingStatus.RESERVED.value)

_S = ListingStatus
# action: (statuses it may start from, status it leads to). A new listing starts as a draft,
# awaiting review, or (LISTINGS_AUTO_APPROVE, development only) published.
LISTING_TRANSITIONS = {
    "submit": ({_S.DRAFT, _S.REJECTED, _S.CHANGES_REQUESTED}, _S.AWAITING_REVIEW),
    "auto_publish": ({_S.DRAFT, _S.REJECTED, _S.CHANGES_REQUESTED}, _S.PUBLISHED),
    "send_back_to_review": ({_S.PUBLISHED}, _S.AWAITING_REVIEW),  # a substantive edit
    "approve": ({_S.AWAITING_REVIEW}, _S.PUBLISHED),
    "reject": ({_S.AWAITING_REVIEW}, _S.REJECTED),
    "request_changes": ({_S.AWAITING_REVIEW}, _S.CHANGES_REQUESTED),
    # Moderation: taken down after a report; put back when an appeal is granted
    "remove": ({_S.AWAITING_REVIEW, _S.PUBLISHED, _S.RESERVED}, _S.REMOVED),
    "reinstate": ({_S.REMOVED, _S.REJECTED, _S.CHANGES_REQUESTED}, _S.PUBLISHED),
    # The owner is suspended or banned; shown again when the sanction ends
    "hide": ({_S.PUBLISHED, _S.RESERVED}, _S.HIDDEN),
    "unhide": ({_S.HIDDEN}, _S.PUBLISHED),
    "reserve": ({_S.PUBLISHED}, _S.RESERVED),
    "release": ({_S.RESERVED}, _S.PUBLISHED),
    "mark_given": ({_S.PUBLISHED, _S.RESERVED}, _S.GIVEN),
    "mark_sold": ({_S.PUBLISHED, _S.RESERVED}, _S.SOLD),
    "withdraw": (
        {
            _S.DRAFT,
            _S.AWAITING_REVIEW,
            _S.PUBLISHED,
            _S.RESERVED,
            _S.REJECTED,
            _S.CHANGES_REQUESTED,
            _S.HIDDEN,
        },
        _S.WITHDRAWN,
    ),
}
_PUBLISHED_AT = Stamp(at="published_at", first_only=True)
_REVIEWED = Stamp(at="reviewed_at", by="reviewed_by_id")
LISTING_STAMPS = {
    "auto_publish": _PUBLISHED_AT,
    "approve": (_REVIEWED, _PUBLISHED_AT),
    "reject": _REVIEWED,
    "request_changes": _REVIEWED,
    "remove": (_REVIEWED, Stamp(at="closed_at")),
    "reinstate": (_REVIEWED, _PUBLISHED_AT),
    "mark_given": Stamp(at="closed_at"),
    "mark_sold": Stamp(at="closed_at"),
    "withdraw": Stamp(at="closed_at"),
}


class Condition(enum.StrEnum):
    NEW = "new"
    VERY_GOOD = "very_good"
    GOOD = "good"
    WORN = "worn"


class Listing(TimestampMixin, Base):
    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_values(ListingKind)})", name="kind_valid"),
        CheckConstraint(f"status IN ({sql_values(ListingStatus)})", name="status_valid"),
        CheckConstraint(f"condition IN ({sql_values(Condition)})", name="condition_valid"),
        CheckConstraint(
            "(kind = 'sale' AND price_cents IS NOT NULL AND price_cents >= 0) "
            "OR (kind <> 'sale' AND price_cents IS NULL)",
            name="price_only_for_sales",
        ),
        CheckConstraint(
            "new_price_cents IS NULL OR new_price_cents >= 0", name="new_price_positive"
        ),
        CheckConstraint("photo_count >= 0 AND photo_count <= 6", name="photo_count_range"),
        # The search pages read these in index order, newest (highest id) first
        Index("ix_listings_status_id", "status", "id"),
        Index("ix_listings_status_kind_id", "status", "kind", "id"),
        Index("ix_listings_status_sport_category_id", "status", "sport", "category", "id"),
        Index("ix_listings_status_commune_id", "status", "commune_insee", "id"),
        Index("ix_listings_status_venue_id", "status", "venue_id", "id"),
        Index("ix_listings_status_price", "status", "price_cents", "id"),
        Index("ix_listings_owner_status", "owner_id", "status"),
        Index("ix_listings_organisation_status", "organisation_id", "status"),
        Index("ix_listings_latitude_longitude", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    sport: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    size: Mapped[str] = mapped_column(String(16), default="")
    age_group: Mapped[str] = mapped_column(String(8), default="")
    condition: Mapped[str] = mapped_column(String(16))
    brand: Mapped[str] = mapped_column(String(60), default="")
    price_cents: Mapped[int | None]
    new_price_cents: Mapped[int | None]
    # Safety gear: the owner declares its age and that it never took an impact
    safety_age_years: Mapped[int | None]
    safety_no_impact: Mapped[bool | None]
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    # Copied from the venue, or else the commune centre, so that distance queries need no join
    latitude: Mapped[float]
    longitude: Mapped[float]
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Published in an organisation's name: its members manage it together, the page shows the
    # organisation; owner_id stays the member who created it
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # « Du matériel pour la Route du Louvre »: the sporting event the listing is for, if any
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=ListingStatus.DRAFT.value)
    photo_count: Mapped[int] = mapped_column(default=0)
    # Storage key of the first photo, so that result lists show a thumbnail without a join
    cover_photo: Mapped[str | None] = mapped_column(String(64))
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    commune: Mapped[Commune] = relationship()
    venue: Mapped[Venue | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    event: Mapped[Event | None] = relationship()
    photos: Mapped[list[ListingPhoto]] = relationship(
        back_populates="listing",
        order_by="ListingPhoto.position",
        cascade="all, delete-orphan",
    )

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="listing",
        states=ListingStatus,
        table=LISTING_TRANSITIONS,
        stamps=LISTING_STAMPS,
    )

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE_STATUSES

    @property
    def is_open(self) -> bool:
        """Still available: published or reserved, not yet given, sold or withdrawn."""
        return self.status in VISIBLE_STATUSES

    def __repr__(self) -> str:
        return f"<Listing {self.id} {self.kind} {self.status}>"


class ListingPhoto(Base):
    __tablename__ = "listing_photos"
    __table_args__ = (
        UniqueConstraint("listing_id", "position"),
        CheckConstraint("position >= 0 AND position < 6", name="position_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    position: Mapped[int]
    # Random storage key; the files are <key>.jpg, <key>-m.jpg and <key>-s.jpg
    key: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # For the moderators' duplicate-photo flag: SHA-256 of the stored file, and a 64-bit
    # difference hash (hex) cut into four 16-bit bands, so that near-identical photos (at most 3
    # bits apart) share at least one band and are found through an index
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    dhash: Mapped[str | None] = mapped_column(String(16))
    dhash_band0: Mapped[int | None] = mapped_column(index=True)
    dhash_band1: Mapped[int | None] = mapped_column(index=True)
    dhash_band2: Mapped[int | None] = mapped_column(index=True)
    dhash_band3: Mapped[int | None] = mapped_column(index=True)

    listing: Mapped[Listing] = relationship(back_populates="photos")


class Favourite(Base):
    __tablename__ = "favourites"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    listing: Mapped[Listing] = relationship()


class RevisionStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for a moderator; the listing shows its previous version
    APPROVED = "approved"  # copied onto the listing
    REFUSED = "refused"  # the listing kept its previous version
    WITHDRAWN = "withdrawn"  # given up: the owner undid it, or the listing closed


_R = RevisionStatus
REVISION_TRANSITIONS = {
    "approve": ({_R.PENDING}, _R.APPROVED),
    "refuse": ({_R.PENDING}, _R.REFUSED),
    "withdraw": ({_R.PENDING}, _R.WITHDRAWN),
}
_REVISION_REVIEWED = Stamp(at="reviewed_at", by="reviewed_by_id")


class ListingRevision(TimestampMixin, Base):
    """A change to a public listing, waiting for review: the listing stays as it was (search,
    its page, borrowers' links) until a moderator approves the change."""

    __tablename__ = "listing_revisions"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(RevisionStatus)})", name="status_valid"),
        # At most one pending change per listing: a second edit updates it
        Index(
            "uq_listing_revisions_one_pending",
            "listing_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=RevisionStatus.PENDING.value)
    # The proposed values of the listing's fields (those of services.ListingData but photos)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The names of the fields the change touches, « photos » included
    changed: Mapped[list[str]] = mapped_column(JSON, default=list)
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]

    listing: Mapped[Listing] = relationship()
    photos: Mapped[list[ListingRevisionPhoto]] = relationship(
        order_by="ListingRevisionPhoto.position", cascade="all, delete-orphan"
    )

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="listing_revision",
        states=RevisionStatus,
        table=REVISION_TRANSITIONS,
        stamps={"approve": _REVISION_REVIEWED, "refuse": _REVISION_REVIEWED},
    )

    @property
    def photo_keys(self) -> list[str]:
        return [photo.key for photo in self.photos]


class ListingRevisionPhoto(Base):
    """The photos of a proposed change, in order (the purge of orphan files spares them)."""

    __tablename__ = "listing_revision_photos"

    revision_id: Mapped[int] = mapped_column(
        ForeignKey("listing_revisions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
