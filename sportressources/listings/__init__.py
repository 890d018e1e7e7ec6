"""Listings: gear offered as a gift, a loan or a sale; its photos, review and search."""

import random

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.cli import register_initial_data
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.core.signals import account_deleting, personal_data_requested
    from sportressources.core.states import state_changed
    from sportressources.core.tasks import crontab, register_task
    from sportressources.listings import events_link, notices, personal_data, revisions, slots
    from sportressources.listings.cli import demo_cli
    from sportressources.listings.demo import seed_demo
    from sportressources.listings.models import Listing, ListingRevision, ListingRevisionPhoto
    from sportressources.listings.photos import (
        keep_photos_referenced_by,
        purge_uploads,
        uploads_cli,
    )
    from sportressources.listings.search.cli import search_cli
    from sportressources.listings.signals import listing_form_checking, listing_form_saved
    from sportressources.listings.taxonomy import SPORTS
    from sportressources.listings.views import bp
    from sportressources.organisations.sports import register_sports

    notices.register_kinds()
    register_sports(app, SPORTS)  # the sports an organisation's profile offers
    Listing.transitions.enforce()  # statuses change through apply_transition only
    ListingRevision.transitions.enforce()
    state_changed.connect(revisions.on_listing_changed, sender=Listing, weak=False)
    keep_photos_referenced_by(app, ListingRevisionPhoto.key)  # photos of a pending change
    app.register_blueprint(bp)
    app.cli.add_command(uploads_cli)
    register_task(app, "uploads.purge", purge_uploads, crontab(hour=3, minute=20))
    app.cli.add_command(demo_cli)
    app.cli.add_command(search_cli)
    register_initial_data(
        app,
        "annonces de démonstration",
        lambda: seed_demo(random.Random(62)),
        95,
        demo_only=True,
    )
    add_to_slot(app, "listing.actions", partial("listings/_revision_notice.html"), order=1)
    add_to_slot(app, "nav.main", partial("listings/_nav_items.html"), order=10)
    add_to_slot(app, "header.account", partial("listings/_header_link.html"), order=40)
    add_to_slot(app, "my_space.nav", partial("listings/_my_space_nav.html"), order=30)
    add_to_slot(app, "my_space.sections", partial("listings/_my_space_favourites.html"), order=30)
    add_to_slot(app, "profile.sections", slots.profile_section, order=10)
    add_to_slot(app, "venue.sections", slots.venue_section, order=10)
    add_to_slot(app, "listing.form", events_link.listing_form_field, order=60)
    add_to_slot(app, "event.sections", events_link.event_section, order=30)
    listing_form_checking.connect(events_link.check_event, sender=Listing, weak=False)
    listing_form_saved.connect(events_link.store_event, sender=Listing, weak=False)
    personal_data_requested.connect(personal_data.export_listings)
    account_deleting.connect(personal_data.withdraw_listings_of_deleted_account)
