"""Venues: the sports venues where gear is picked up or dropped off, their curation, the territory
pages and the loader of the territory's data (zones, communes, venues)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.venues import cli
    from sportressources.venues.models import Venue
    from sportressources.venues.views import bp

    Venue.transitions.enforce()  # statuses change through apply_transition only
    app.register_blueprint(bp)
    cli.register(app)
