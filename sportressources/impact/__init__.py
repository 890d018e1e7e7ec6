"""Public impact: figures per zone, commune and month, charts, open data and the funder report."""

from flask import Flask
from flask_babel import format_decimal


def init_app(app: Flask) -> None:
    from sportressources.impact.views import bp

    app.register_blueprint(bp)
    app.add_template_filter(format_decimal, "impact_number")
