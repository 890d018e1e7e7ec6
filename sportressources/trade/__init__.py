"""Trade: handing gear from one member to another, as an exchange (gift, sale) or a loan.

What both share (ratings, reliability) lives here; ``exchanges`` and ``loans`` beside it.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.trade import exchanges, loans

    exchanges.init_app(app)
    loans.init_app(app)
