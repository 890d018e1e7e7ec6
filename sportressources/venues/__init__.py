"""Venues: the sports venues where gear is picked up or dropped off, their curation, the territory
pages and the loader of the territory's data (zones, communes, venues)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.venues import cli, notices
    from sportressources.venues.models import Venue
    from sportressources.venues.views import bp

    notices.register_kinds()
    Venue.transitions.enforce()  # statuses change through apply_transition only
    app.register_blueprint(bp)
    cli.register(app)
    add_to_slot(app, "nav.main", partial("venues/_nav_items.html"), order=20)
    add_to_slot(app, "nav.moderation", partial("venues/_moderation_nav_items.html"), order=20)
