"""The sports an organisation practises: codes of the listings' taxonomy, which organisations
(below listings) cannot import. Listings hands its list over from its ``init_app``
(``register_sports(app, taxonomy.SPORTS)``); without it, organisations offer no sport."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, current_app

EXTENSION = "organisation_sports"


def register_sports(app: Flask, sports: Mapping[str, object]) -> None:
    """Offer ``sports`` (code -> label, lazy) to organisation profiles, in that order."""
    app.extensions[EXTENSION] = dict(sports)


def sport_labels() -> dict[str, object]:
    """The sports offered, code -> label (empty when no package registered any)."""
    return current_app.extensions.get(EXTENSION, {})
