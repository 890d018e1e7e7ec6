"""Listing photos: check an upload, re-encode it without metadata, store it, clean up orphans.

An upload is judged by its content, decoded by Pillow, never by its name or the browser's content
type. What is stored is always a JPEG made by us, in three sizes (``<key>.jpg``, ``<key>-m.jpg``,
``<key>-s.jpg``), with no EXIF, GPS position, XMP, comment or ICC profile. Keys are random and never
reused, so a photo's URL never changes content (``core.views`` serves them cached for a year).
The photos sent with a listing form are written with the listing's transaction
(``store_after_commit``): a failure leaves no file. When the form is sent back instead (a field to
correct, a refusal), the view stores them at once as pending uploads (``store``): the form carries
them as signed keys, and ``purge_orphans`` deletes those never attached to a listing.
When a photo is attached to a listing, its row gets the photo's size and its fingerprint
(``listings.fingerprints``), read from the stored file (``stored_photo_columns``), for the
moderators' duplicate-photo flag.
"""

from __future__ import annotations

import io
import re
import secrets
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import select

from sportressources.core.db import db, utcnow
from sportressources.core.errors import ValidationFailed

# The generic pipeline lives in core.images; its names stay importable from here.
from sportressources.core.images import (  # noqa: F401
    ACCEPTED_FORMATS,
    DECODED_FORMATS,
    FIELD,
    JPEG_QUALITY,
    MAX_SIDE,
    SIZES,
    PhotoRejected,
    ProcessedPhoto,
    encodings,
    process_upload,
    store_files,
    store_files_after_commit,
)
from sportressources.core.images import delete_image_files as _delete_image_files
from sportressources.core.storage import get_storage, read_in_transaction
from sportressources.core.tasks import SKIPPED, exclusive
from sportressources.core.tokens import InvalidToken, make_token, read_token
from sportressources.listings.fingerprints import fingerprint_of
from sportressources.listings.models import ListingPhoto

SIGNED_KEY_MAX_AGE = timedelta(hours=24)
KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
PHOTO_NAME = re.compile(r"(?P<key>[0-9a-f]{32})(?:-m|-s)?\.jpg")
PURGE_BATCH = 500

_EXPIRED_UPLOAD = _l("Une photo ajoutée il y a plus de 24 heures a expiré : ajoutez-la de nouveau.")
_INVALID_UPLOAD = _l("Une photo ajoutée n’a pas pu être reprise : ajoutez-la de nouveau.")


def photo_name(key: str, size: str = "large") -> str:
    """The storage name (and media URL part) of one size of a photo: ``large``, ``medium`` or
    ``small``. Raises ``ValueError`` for a malformed key, ``KeyError`` for an unknown size."""
    _check_key(key)
    return f"{key}{SIZES[size][0]}.jpg"


def dimensions(key: str) -> tuple[int, int]:
    """Width and height of the large size of the photo ``key``, stored or written with the
    current transaction.

    Raises ``ValidationFailed`` on field ``photos`` if its files are gone (purged), ``ValueError``
    for a malformed key.
    """
    with Image.open(io.BytesIO(_read_large(key)), formats=["JPEG"]) as image:
        return image.size


def stored_widths(width: int, height: int) -> dict[str, int]:
    """Width in pixels of each stored size (``l``, ``m``, ``s``, as ``photo_url`` names them) of a
    photo whose large size is ``width`` × ``height``, for ``srcset``. A size no wider than the one
    below it is left out: a small upload is stored at the same pixels three times."""
    longest = max(width, height, 1)
    widths: dict[str, int] = {}
    for code, (_suffix, side) in zip(("l", "m", "s"), SIZES.values(), strict=True):
        scaled = width if longest <= side else max(1, round(width * side / longest))
        widths = {c: w for c, w in widths.items() if w != scaled}
        widths[code] = scaled
    return widths


def stored_photo_columns(key: str) -> dict[str, str | int]:
    """The values of a ``ListingPhoto`` row for the photo ``key``, stored or written with the
    current transaction: the width and height of its large size, and its fingerprint
    (``sha256``, ``dhash``, ``dhash_band0`` to ``dhash_band3``).

    Raises ``ValidationFailed`` on field ``photos`` if its files are gone (purged), ``ValueError``
    for a malformed key.
    """
    data = _read_large(key)
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
        width, height = image.size
        return {"width": width, "height": height, **fingerprint_of(data, image).columns()}


def _read_large(key: str) -> bytes:
    try:
        return read_in_transaction(photo_name(key))
    except FileNotFoundError as exc:
        raise ValidationFailed({FIELD: _EXPIRED_UPLOAD}, code="photo_missing") from exc


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValueError(f"not a photo key: {key!r}")


def new_key() -> str:
    """A new random photo key (``secrets.token_hex(16)``): it cannot be guessed."""
    return secrets.token_hex(16)


def store(photo: ProcessedPhoto, key: str | None = None) -> str:
    """Write the three sizes of ``photo`` at once, under ``key`` or a new one, and return the key.

    For a pending upload, which no row references yet; a photo that goes with a row is written
    by ``store_after_commit``. If a write fails, the files already written are deleted and the
    error propagates. Raises ``ValueError`` for a malformed key.
    """
    key = key if key is not None else new_key()
    _check_key(key)
    return store_files(photo, key)


def store_after_commit(photo: ProcessedPhoto, key: str | None = None) -> str:
    """Write the three sizes of ``photo`` when the current transaction commits, under ``key`` or
    a new one, and return the key; nothing is left if it rolls back (``core.storage``)."""
    key = key if key is not None else new_key()
    _check_key(key)
    return store_files_after_commit(photo, key)


def delete_files(key: str) -> None:
    """Delete the three files of the photo ``key`` (missing ones are ignored).

    Raises ``ValueError`` for a malformed key.
    """
    _check_key(key)
    _delete_image_files(key)


def sign_key(key: str, user_id: int) -> str:
    """A token carrying ``key`` for ``user_id`` only, for a form's hidden input.

    It lets a form shown again after an error keep the photos already uploaded, and stops anyone
    from attaching another member's upload. Valid for ``SIGNED_KEY_MAX_AGE``.
    """
    _check_key(key)
    return make_token("photo", {"key": key, "user": user_id})


def read_signed_key(token: str, user_id: int) -> str:
    """The photo key in ``token``, if it was signed for ``user_id`` and its files still exist.

    Raises ``ValidationFailed`` on field ``photos`` for a tampered token, another member's token,
    one older than ``SIGNED_KEY_MAX_AGE`` or a photo whose files were purged.
    """
    try:
        payload = read_token("photo", token, int(SIGNED_KEY_MAX_AGE.total_seconds()))
    except InvalidToken as exc:
        message = _EXPIRED_UPLOAD if exc.expired else _INVALID_UPLOAD
        raise ValidationFailed({FIELD: message}, code="photo_token_invalid") from exc
    key = payload.get("key")
    if payload.get("user") != user_id or not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValidationFailed({FIELD: _INVALID_UPLOAD}, code="photo_token_invalid")
    if not get_storage().exists(photo_name(key)):
        raise ValidationFailed({FIELD: _EXPIRED_UPLOAD}, code="photo_token_invalid")
    return key


def keep_photos_referenced_by(app: Flask, column) -> None:
    """Declare another column holding photo keys of this pipeline (a pledge's or an inventory
    item's photo), so that the purge spares the files it names. Called from ``init_app``."""
    columns = app.extensions.setdefault("photo_key_columns", [])
    if column not in columns:
        columns.append(column)


def _referenced_keys(keys: list[str]) -> set[str]:
    referenced = set(db.session.scalars(select(ListingPhoto.key).where(ListingPhoto.key.in_(keys))))
    for column in current_app.extensions.get("photo_key_columns", []):
        referenced.update(db.session.scalars(select(column).where(column.in_(keys))))
    return referenced


def purge_orphans(older_than: timedelta) -> int:
    """Delete the photo files no ``ListingPhoto`` (nor a column declared with
    ``keep_photos_referenced_by``) references and written over ``older_than`` ago.

    They are uploads whose form was never submitted, and photos of deleted listings. Other files
    in the storage are left alone. ``older_than`` must be at least ``SIGNED_KEY_MAX_AGE``, or a
    form still being filled in could lose its photos: raises ``ValueError`` otherwise. Reads the
    database, writes nothing to it. Returns the number of files deleted.
    """
    if older_than < SIGNED_KEY_MAX_AGE:
        raise ValueError(f"older_than must be at least {SIGNED_KEY_MAX_AGE}, not {older_than}")
    storage = get_storage()
    cutoff = utcnow() - older_than
    deleted = 0
    batch: dict[str, list[str]] = {}

    def purge_batch() -> int:
        referenced = _referenced_keys(list(batch))
        count = 0
        for key, names in batch.items():
            if key in referenced:
                continue
            for name in names:
                if storage.modified_at(name) < cutoff:
                    storage.delete(name)
                    count += 1
        batch.clear()
        return count

    for name in storage.names():
        match = PHOTO_NAME.fullmatch(name)
        if match is None:
            continue
        if match["key"] not in batch and len(batch) >= PURGE_BATCH:
            deleted += purge_batch()
        batch.setdefault(match["key"], []).append(name)
    if batch:
        deleted += purge_batch()
    return deleted


uploads_cli = AppGroup("uploads", help="Fichiers envoyés : photos des annonces.")


@uploads_cli.command("purge")
@click.option(
    "--hours",
    default=24,
    show_default=True,
    type=click.IntRange(min=int(SIGNED_KEY_MAX_AGE.total_seconds()) // 3600),
    help="Âge minimal des fichiers à supprimer, en heures.",
)
def purge_command(hours: int) -> None:
    """Delete photo files no listing uses, older than HOURS hours (the beat runs it daily)."""
    click.echo(purge_uploads(hours) or SKIPPED)


@exclusive("uploads.purge")
def purge_uploads(hours: int = 24) -> str:
    """Delete photo files no listing uses and staged files, older than ``hours``; a summary."""
    count = purge_orphans(timedelta(hours=hours))
    summary = f"{count} fichier(s) de photo orpheline(s) supprimé(s)."
    # Staged files outlive their transaction only when a process died in the middle of it.
    staged = get_storage().discard_staged_before(utcnow() - timedelta(hours=hours))
    if staged:
        summary += f"\n{staged} fichier(s) provisoire(s) supprimé(s)."
    return summary
