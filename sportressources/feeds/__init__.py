"""Atom feeds: new listings for any search of the site, per zone and per organisation; drives and
events. Pages announce them through the slots ``head.alternate`` and ``feeds.subscribe``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.feeds import slots
    from sportressources.feeds.views import bp

    app.register_blueprint(bp)
    slots.register(app)
