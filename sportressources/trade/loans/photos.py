"""Photos taken at pickup and return: checked and re-encoded by the listings' photo pipeline,
stored under names of their own (``pret-<key>.jpg``).

The distinct prefix keeps them out of ``flask uploads purge``, which deletes the listing-photo
files no listing references: a handover photo is a record both parties may need long after.
"""

from __future__ import annotations

import secrets
from typing import BinaryIO

from flask import url_for

from sportressources.core.storage import get_storage
from sportressources.listings.photos import ProcessedPhoto, process_upload

PREFIX = "pret-"
SUFFIXES = {"large": "", "medium": "-m", "small": "-s"}


def store_handover_photo(source: bytes | BinaryIO, filename: str = "") -> str:
    """Check an upload (see ``listings.photos.process_upload``), store its three sizes and return
    its key. Raises ``PhotoRejected`` (a ValidationFailed on field ``photos``)."""
    photo: ProcessedPhoto = process_upload(source, filename)
    key = PREFIX + secrets.token_hex(16)
    storage = get_storage()
    written = []
    try:
        for size, data in zip(SUFFIXES, (photo.large, photo.medium, photo.small), strict=True):
            name = f"{key}{SUFFIXES[size]}.jpg"
            storage.save(name, data, "image/jpeg")
            written.append(name)
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    return key


def delete_handover_photo(key: str | None) -> None:
    """Delete the files of a photo stored for a step that did not happen (nothing for None)."""
    if key:
        for suffix in SUFFIXES.values():
            get_storage().delete(f"{key}{suffix}.jpg")


def handover_photo_url(key: str, size: str = "medium") -> str:
    """The URL of one size (``large``, ``medium``, ``small``) of a handover photo."""
    return url_for("media.file", name=f"{key}{SUFFIXES[size]}.jpg")
