"""Sporting events of the territory: pages, an iCal feed; drives and listings may be tied to one."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.cli import register_initial_data
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.events import views_manage  # noqa: F401 (its routes join bp)
    from sportressources.events.demo import seed_demo_events
    from sportressources.events.models import Event
    from sportressources.events.views import bp

    Event.transitions.enforce()  # statuses change through apply_transition only
    app.register_blueprint(bp)
    register_initial_data(app, "événements de démonstration", seed_demo_events, 96, demo_only=True)
    add_to_slot(app, "nav.main", partial("events/_nav_items.html"), order=35)
