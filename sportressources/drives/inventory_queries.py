"""Reading an organisation's inventory: its items with filters and counts, an item's history,
its handouts, and the figures its public page shows."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from sportressources.core.audit import AuditEntry
from sportressources.core.db import db
from sportressources.core.errors import NotFound
from sportressources.drives.models import (
    Handout,
    InventoryItem,
    InventoryStatus,
    Pledge,
    PledgeItem,
)
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.organisations.models import Organisation

STATUS_LABELS = {
    InventoryStatus.IN_STOCK.value: _l("En stock"),
    InventoryStatus.LISTED.value: _l("Publié en annonce"),
    InventoryStatus.HANDED_OUT.value: _l("Remis à un bénéficiaire"),
    InventoryStatus.DISCARDED.value: _l("Écarté"),
}
PAGE_SIZE = 100


@dataclass(frozen=True)
class InventoryFilters:
    status: str | None = None
    sport: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class RedistributionFigures:
    collected: int  # received at drives
    in_stock: int
    handed_out: int  # handouts recorded
    given: int  # given through a gift listing
    lent: int  # loans of the organisation's listings picked up or returned

    @property
    def any(self) -> bool:
        return bool(self.collected or self.in_stock or self.handed_out or self.given or self.lent)


def organisation_by_slug(slug: str) -> Organisation:
    """The organisation with that slug; NotFound otherwise."""
    organisation = (
        db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        if len(slug) <= 140
        else None
    )
    if organisation is None:
        raise NotFound(_l("Cette organisation n’existe pas."))
    return organisation


def inventory_items(
    organisation_id: int, filters: InventoryFilters, page: int = 1
) -> tuple[list[InventoryItem], bool]:
    """One page (``PAGE_SIZE`` items) of the organisation's items matching the filters, newest
    first, with their listing loaded; and whether another page follows."""
    query = (
        select(InventoryItem)
        .where(InventoryItem.organisation_id == organisation_id)
        .options(joinedload(InventoryItem.listing))
        .order_by(InventoryItem.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    if filters.status:
        query = query.where(InventoryItem.status == filters.status)
    if filters.sport:
        query = query.where(InventoryItem.sport == filters.sport)
    if filters.category:
        query = query.where(InventoryItem.category == filters.category)
    items = list(db.session.scalars(query))
    return items[:PAGE_SIZE], len(items) > PAGE_SIZE


def status_counts(organisation_id: int) -> dict[str, int]:
    """How many of the organisation's items are in each status (every status present)."""
    counts = dict.fromkeys(STATUS_LABELS, 0)
    rows = db.session.execute(
        select(InventoryItem.status, func.count())
        .where(InventoryItem.organisation_id == organisation_id)
        .group_by(InventoryItem.status)
    )
    counts.update({status: count for status, count in rows})
    return counts


def get_item(organisation: Organisation, item_id: int) -> InventoryItem:
    """One item of the organisation's inventory; NotFound for another organisation's item."""
    item = db.session.get(InventoryItem, item_id)
    if item is None or item.organisation_id != organisation.id:
        raise NotFound(_l("Cet objet n’est pas dans l’inventaire de cette organisation."))
    return item


def items_by_ids(organisation: Organisation, ids: list[int]) -> list[InventoryItem]:
    """The organisation's in-stock items among ``ids``, in that order (others are left out)."""
    if not ids:
        return []
    found = {
        item.id: item
        for item in db.session.scalars(
            select(InventoryItem).where(
                InventoryItem.id.in_(ids),
                InventoryItem.organisation_id == organisation.id,
                InventoryItem.status == InventoryStatus.IN_STOCK.value,
            )
        )
    }
    return [found[item_id] for item_id in dict.fromkeys(ids) if item_id in found]


@dataclass(frozen=True)
class ItemHistory:
    pledge_item: PledgeItem | None
    listing: Listing | None
    handout: Handout | None
    events: list[AuditEntry]


def item_history(item: InventoryItem) -> ItemHistory:
    """Where the item came from (drive and pledge), the listing it was published as, its
    handout, and every change of its status in order."""
    pledge_item = None
    if item.pledge_item_id is not None:
        pledge_item = db.session.scalar(
            select(PledgeItem)
            .where(PledgeItem.id == item.pledge_item_id)
            .options(joinedload(PledgeItem.pledge).joinedload(Pledge.drive))
        )
    handout = db.session.scalar(
        select(Handout)
        .where(Handout.inventory_item_id == item.id)
        .options(joinedload(Handout.commune))
    )
    events = list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "inventory_item", AuditEntry.target_id == item.id)
            .order_by(AuditEntry.id)
        )
    )
    return ItemHistory(pledge_item, item.listing, handout, events)


def handouts_of(organisation_id: int, limit: int = 200) -> list[Handout]:
    """The organisation's handouts, newest first, with their item and commune."""
    return list(
        db.session.scalars(
            select(Handout)
            .where(Handout.organisation_id == organisation_id)
            .options(joinedload(Handout.inventory_item), joinedload(Handout.commune))
            .order_by(Handout.handed_at.desc(), Handout.id.desc())
            .limit(limit)
        )
    )


def organisation_redistribution_figures(org_id: int) -> RedistributionFigures:
    """What the organisation collected and passed on, for its public page: items received at
    its drives, items in stock, handouts, items given through its gift listings, and loans of
    its listings that were picked up (active or returned)."""
    from sportressources.trade.loans.models import Loan, LoanStatus

    counts = status_counts(org_id)
    collected = db.session.scalar(
        select(func.count())
        .select_from(InventoryItem)
        .where(InventoryItem.organisation_id == org_id, InventoryItem.pledge_item_id.is_not(None))
    )
    given = db.session.scalar(
        select(func.count())
        .select_from(InventoryItem)
        .join(Listing, Listing.id == InventoryItem.listing_id)
        .where(
            InventoryItem.organisation_id == org_id,
            InventoryItem.status == InventoryStatus.LISTED.value,
            Listing.kind == ListingKind.GIFT.value,
            Listing.status == ListingStatus.GIVEN.value,
        )
    )
    lent = db.session.scalar(
        select(func.count())
        .select_from(Loan)
        .join(Listing, Listing.id == Loan.listing_id)
        .where(
            Listing.organisation_id == org_id,
            Loan.status.in_((LoanStatus.ACTIVE.value, LoanStatus.RETURNED.value)),
        )
    )
    return RedistributionFigures(
        collected=collected or 0,
        in_stock=counts[InventoryStatus.IN_STOCK.value],
        handed_out=counts[InventoryStatus.HANDED_OUT.value],
        given=given or 0,
        lent=lent or 0,
    )


def load_listings(items: list[InventoryItem]) -> None:
    """Load the listings of ``items`` in one query (for pages that show many)."""
    ids = {item.listing_id for item in items if item.listing_id is not None}
    if ids:
        list(
            db.session.scalars(
                select(Listing).where(Listing.id.in_(ids)).options(selectinload(Listing.photos))
            )
        )
