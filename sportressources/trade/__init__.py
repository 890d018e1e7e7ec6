"""Trade: handing gear from one member to another, as an exchange (gift, sale) or a loan.

What both share lives here: the one ratings table (``models``, ``ratings``), the reputation
query (``reputation``), the party checks and the listing lock (``parties``); ``exchanges`` and
``loans`` beside it import it, never each other.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.hooks import add_to_slot
    from sportressources.trade import exchanges, loans, slots
    from sportressources.trade.views import bp

    exchanges.init_app(app)
    loans.init_app(app)
    app.register_blueprint(bp)
    add_to_slot(app, "profile.sections", slots.profile_ratings, order=20)
