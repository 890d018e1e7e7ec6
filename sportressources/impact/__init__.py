"""Public impact: figures per zone, commune and month, charts, open data and the funder report."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
