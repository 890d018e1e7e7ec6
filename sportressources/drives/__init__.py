"""Donation drives (collectes): wish lists, drop-off slots at venues, residents' pledges; and what
organisations do with what they receive: inventory, listings in bulk, handouts, exports."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.cli import register_initial_data
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.core.signals import account_deleting, personal_data_requested
    from sportressources.core.tasks import crontab, register_task
    from sportressources.drives import (
        notices,
        receivers,
        slots,
        views_manage,  # noqa: F401 (its routes join bp)
    )
    from sportressources.drives.cli import drives_cli, send_reminders_job
    from sportressources.drives.demo import seed_demo_drives
    from sportressources.drives.inventory_cli import purge_handouts
    from sportressources.drives.models import Drive, InventoryItem, Pledge, PledgeItem
    from sportressources.drives.views import bp
    from sportressources.drives.views_inventory import register as register_inventory
    from sportressources.listings.photos import keep_photos_referenced_by

    for model in (Drive, Pledge, PledgeItem, InventoryItem):
        model.transitions.enforce()  # statuses change through apply_transition only
    notices.register_kinds()
    app.register_blueprint(bp)
    app.cli.add_command(drives_cli)
    register_task(app, "drives.send_reminders", send_reminders_job, 5 * 60)
    register_task(app, "inventory.purge_handouts", purge_handouts, crontab(hour=3, minute=40))
    register_initial_data(app, "collectes de démonstration", seed_demo_drives, 97, demo_only=True)
    add_to_slot(app, "nav.main", partial("drives/_nav_items.html"), order=30)
    add_to_slot(app, "header.account", partial("drives/_header_link.html"), order=35)
    add_to_slot(app, "venue.sections", slots.venue_section, order=20)
    add_to_slot(app, "organisation.sections", slots.organisation_section, order=20)
    add_to_slot(app, "event.sections", slots.event_section, order=20)
    personal_data_requested.connect(receivers.export_pledges)
    account_deleting.connect(receivers.cancel_pledges_of_deleted_member)

    register_inventory(app)  # inventory, bulk listings, handouts, exports
    # Pledge and inventory photos go through the listings' pipeline: its purge must spare them
    keep_photos_referenced_by(app, PledgeItem.photo_key)
    keep_photos_referenced_by(app, InventoryItem.photo_key)
