"""What the API tests share: a listing as a client sends it in JSON (the listing form's fields)."""

from __future__ import annotations


def listing_fields(**overrides) -> dict:
    """A complete gift listing in JSON; ``overrides`` change fields, None leaves one out."""
    body = {
        "kind": "gift",
        "title": "Chaussures de football à crampons",
        "description": "Portées une saison.",
        "sport": "football",
        "category": "chaussures",
        "size": "36",
        "age_group": "u13",
        "condition": "good",
        "commune": "62510",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}
