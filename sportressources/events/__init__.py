"""Sporting events of the territory: pages, an iCal feed; drives and listings may be tied to one."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
