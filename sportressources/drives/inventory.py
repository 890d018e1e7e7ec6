"""The inventory of what an organisation received, and what it does with it."""

from __future__ import annotations

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.drives.models import InventoryItem, PledgeItem


def add_received_item(pledge_item: PledgeItem, actor: User | None) -> list[InventoryItem]:
    """Put a pledge item whose receipt was just confirmed into the drive's organisation's
    inventory: one row per unit of its quantity, with its wish line's sport, category, size and
    age group; flushes. Called by the drives service that confirms the receipt."""
    line = pledge_item.wish_line
    organisation_id = pledge_item.pledge.drive.organisation_id
    items = [
        InventoryItem(
            organisation_id=organisation_id,
            pledge_item_id=pledge_item.id,
            title=pledge_item.title,
            sport=line.sport,
            category=line.category,
            size=line.size,
            age_group=line.age_group,
            condition=pledge_item.condition,
            photo_key=pledge_item.photo_key,
        )
        for _ in range(pledge_item.quantity)
    ]
    db.session.add_all(items)
    db.session.flush()
    return items
