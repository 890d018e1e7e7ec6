"""Helpers for listing tests: real photos through the real pipeline, and valid listing data."""

from __future__ import annotations

import io

from PIL import Image

from sportressources.listings import photos
from sportressources.listings.services import ListingData


def jpeg_bytes(width: int = 64, height: int = 48, colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def stored_photo(colour=(200, 30, 30)) -> str:
    """A photo processed and stored like an upload; returns its storage key."""
    return photos.store(photos.process_upload(jpeg_bytes(colour=colour), "photo.jpg"))


def listing_data(**overrides) -> ListingData:
    values = {
        "kind": "gift",
        "title": "Chaussures de football à crampons",
        "description": "Portées une saison.",
        "sport": "football",
        "category": "chaussures",
        "size": "36",
        "age_group": "u13",
        "condition": "good",
        "commune_insee": "62510",
        "photo_keys": [],
    }
    values.update(overrides)
    if "photo_keys" not in overrides:
        values["photo_keys"] = [stored_photo()]
    return ListingData(**values)


def form_data(**overrides) -> dict:
    """The fields a browser sends for a valid gift listing (photos apart)."""
    data = {
        "kind": "gift",
        "title": "Chaussures de football à crampons",
        "description": "Portées une saison.",
        "sport": "football",
        "category": "chaussures",
        "size": "36",
        "age_group": "u13",
        "condition": "good",
        "brand": "",
        "price": "",
        "new_price": "",
        "commune": "62510",
        "venue": "",
        "safety_age_years": "",
        "action": "submit",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def upload(name: str = "photo.jpg", content: bytes | None = None):
    return (io.BytesIO(content if content is not None else jpeg_bytes()), name)
