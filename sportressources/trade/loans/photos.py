"""Photos taken at pickup and return: checked and re-encoded by the listings' photo pipeline,
stored under names of their own (``pret-<key>.jpg``).

The distinct prefix keeps them out of ``flask uploads purge``, which deletes the listing-photo
files no listing references: a handover photo is a record both parties may need long after.
"""

from __future__ import annotations

import secrets
from typing import BinaryIO

from flask import url_for

from sportressources.core.storage import save_after_commit
from sportressources.listings.photos import ProcessedPhoto, process_upload

PREFIX = "pret-"
SUFFIXES = {"large": "", "medium": "-m", "small": "-s"}


def store_handover_photo(source: bytes | BinaryIO, filename: str = "") -> str:
    """Check an upload (see ``listings.photos.process_upload``) and return the key its three
    sizes are stored under when the current transaction commits; a rollback leaves no file.
    Raises ``PhotoRejected`` (a ValidationFailed on field ``photos``)."""
    photo: ProcessedPhoto = process_upload(source, filename)
    key = PREFIX + secrets.token_hex(16)
    for size, data in zip(SUFFIXES, (photo.large, photo.medium, photo.small), strict=True):
        save_after_commit(f"{key}{SUFFIXES[size]}.jpg", data, "image/jpeg")
    return key


def handover_photo_url(key: str, size: str = "medium") -> str:
    """The URL of one size (``large``, ``medium``, ``small``) of a handover photo."""
    return url_for("media.file", name=f"{key}{SUFFIXES[size]}.jpg")
