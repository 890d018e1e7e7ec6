"""Donation drives (collectes): wish lists, drop-off slots at venues, residents' pledges; and what
organisations do with what they receive: inventory, listings in bulk, handouts, exports."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.drives.models import Drive, InventoryItem, Pledge, PledgeItem

    for model in (Drive, Pledge, PledgeItem, InventoryItem):
        model.transitions.enforce()  # statuses change through apply_transition only
    from sportressources.drives.views_inventory import register as register_inventory

    register_inventory(app)  # inventory, bulk listings, handouts, exports
