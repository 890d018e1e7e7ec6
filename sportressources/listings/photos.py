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

import functools
import io
import re
import secrets
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from typing import BinaryIO

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps
from sqlalchemy import select

from sportressources.core.db import db, utcnow
from sportressources.core.errors import ValidationFailed
from sportressources.core.storage import get_storage, read_in_transaction, save_after_commit
from sportressources.core.tokens import InvalidToken, make_token, read_token
from sportressources.listings.fingerprints import fingerprint_of
from sportressources.listings.models import ListingPhoto

FIELD = "photos"
# Pillow decodes many more formats (some through external programs, like EPS): open only these.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Pillow reports a JPEG that embeds a second picture (some cameras) as MPO; its first frame is ours.
DECODED_FORMATS = frozenset({*ACCEPTED_FORMATS, "MPO"})
MAX_SIDE = 12_000
# Longest side of each stored size, by file-name suffix
SIZES = {"large": ("", 1600), "medium": ("-m", 640), "small": ("-s", 240)}
JPEG_QUALITY = 85
SIGNED_KEY_MAX_AGE = timedelta(hours=24)
KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
PHOTO_NAME = re.compile(r"(?P<key>[0-9a-f]{32})(?:-m|-s)?\.jpg")
PURGE_BATCH = 500

# Each refusal: (message naming the file, message without a file name)
_MESSAGES = {
    "empty": (_l("« %(name)s » est vide."), _l("Ce fichier est vide.")),
    "not_image": (
        _l("« %(name)s » n'est pas une image JPEG, PNG ou WebP."),
        _l("Ce fichier n'est pas une image JPEG, PNG ou WebP."),
    ),
    "too_heavy": (
        _l("« %(name)s » est trop lourde : %(limit)s Mo au plus."),
        _l("Cette photo est trop lourde : %(limit)s Mo au plus."),
    ),
    "too_many_pixels": (
        _l("« %(name)s » est trop grande : %(limit)s millions de pixels au plus."),
        _l("Cette photo est trop grande : %(limit)s millions de pixels au plus."),
    ),
    "too_wide": (
        _l("« %(name)s » est trop grande : %(limit)s pixels de large ou de haut au plus."),
        _l("Cette photo est trop grande : %(limit)s pixels de large ou de haut au plus."),
    ),
    "damaged": (
        _l("« %(name)s » semble tronquée ou abîmée."),
        _l("Cette photo semble tronquée ou abîmée."),
    ),
}
_EXPIRED_UPLOAD = _l("Une photo ajoutée il y a plus de 24 heures a expiré : ajoutez-la de nouveau.")
_INVALID_UPLOAD = _l("Une photo ajoutée n'a pas pu être reprise : ajoutez-la de nouveau.")


class PhotoRejected(ValidationFailed):
    """An upload refused for its content; ``reason`` says why (``empty``, ``not_image``,
    ``too_heavy``, ``too_many_pixels``, ``too_wide``, ``damaged``)."""

    code = "photo_rejected"

    def __init__(self, reason: str, filename: str = "", **values: str):
        self.reason = reason
        named, unnamed = _MESSAGES[reason]
        message = str(named) % {"name": filename, **values} if filename else str(unnamed) % values
        super().__init__({FIELD: message})


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    """The three JPEG encodings of an accepted upload, and the size of the large one."""

    large: bytes = field(repr=False)
    medium: bytes = field(repr=False)
    small: bytes = field(repr=False)
    width: int
    height: int


def process_upload(source: bytes | BinaryIO, filename: str = "") -> ProcessedPhoto:
    """Check an uploaded image and re-encode it as metadata-free JPEGs in three sizes.

    ``source`` is the file's bytes or a binary stream (a werkzeug ``FileStorage``, read from its
    current position; its ``filename`` names the file in messages when ``filename`` is empty).
    Accepts JPEG, PNG, WebP and GIF (first frame), judged on the decoded content only. Applies the
    EXIF orientation, converts to sRGB, flattens transparency on white, drops every metadata.
    Raises ``PhotoRejected`` (a ``ValidationFailed`` on field ``photos``) for an empty file, more
    than ``UPLOAD_MAX_FILE_BYTES`` bytes (at most that many plus one are read), anything Pillow
    cannot open as one of those formats, a side over ``MAX_SIDE`` pixels, more pixels than
    ``UPLOAD_MAX_PIXELS`` (refused from the header, before decoding) and truncated or corrupt data.
    """
    name = _display_name(filename or getattr(source, "filename", None) or "")
    max_bytes = current_app.config["UPLOAD_MAX_FILE_BYTES"]
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source[: max_bytes + 1])
    else:
        data = source.read(max_bytes + 1)
    if not data:
        raise PhotoRejected("empty", name)
    if len(data) > max_bytes:
        raise PhotoRejected("too_heavy", name, limit=_decimal(max_bytes / 1024 / 1024))
    with _decode(data, name, current_app.config["UPLOAD_MAX_PIXELS"]) as image:
        return _reencode(image)


def _display_name(filename: str) -> str:
    # Some browsers send a full client path; keep the base name, printable, of a sensible length.
    base = re.split(r"[\\/]", filename)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base if len(base) <= 80 else base[:79] + "…"


def _decimal(value: float) -> str:
    return format_decimal(value, format="#,##0.#")


def _has_image_signature(data: bytes) -> bool:
    """True if ``data`` starts like one of the accepted formats: only to word the refusal."""
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )


def _decode(data: bytes, name: str, max_pixels: int) -> Image.Image:
    """The image fully decoded, after the format and size checks that need only its header."""

    def too_many_pixels() -> PhotoRejected:
        return PhotoRejected("too_many_pixels", name, limit=_decimal(max_pixels / 1e6))

    # Pillow checks its own, higher, pixel limit inside Image.open: a warning past ~89 Mpx that
    # would only be printed, an error past twice that. Both become this refusal, without decoding.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise too_many_pixels() from exc
        except Exception as exc:  # Pillow raises many exception types on hostile input
            reason = "damaged" if _has_image_signature(data) else "not_image"
            raise PhotoRejected(reason, name) from exc
        if image.format not in DECODED_FORMATS:
            raise PhotoRejected("not_image", name)
        width, height = image.size
        if width > MAX_SIDE or height > MAX_SIDE:
            raise PhotoRejected("too_wide", name, limit=_decimal(MAX_SIDE))
        if width * height > max_pixels:
            raise too_many_pixels()
        if image.format in {"JPEG", "MPO"}:
            # libjpeg decodes straight at 1/2, 1/4 or 1/8 scale: a 12 Mpx photo costs a quarter
            # of the memory. The request keeps at least the large size on both sides.
            scale = SIZES["large"][1] / max(width, height)
            if scale < 1:
                image.draft("RGB", (int(width * scale) + 1, int(height * scale) + 1))
        try:
            # The full decode is what finds truncated or corrupt data.
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise too_many_pixels() from exc
        except Exception as exc:
            raise PhotoRejected("damaged", name) from exc
    return image


def _reencode(image: Image.Image) -> ProcessedPhoto:
    if image.has_transparency_data:
        working = image if image.mode == "RGBA" else image.convert("RGBA")
    elif image.mode in {"RGB", "L", "CMYK"}:
        working = image
    else:
        working = image.convert("RGB")
    # Resize first: orientation, colour conversion and flattening then work on small images.
    large = _fit(working, SIZES["large"][1])
    large = _flatten_to_srgb(_apply_orientation(large))
    medium = _fit(large, SIZES["medium"][1])
    small = _fit(large, SIZES["small"][1])
    return ProcessedPhoto(
        large=_encode(large),
        medium=_encode(medium),
        small=_encode(small),
        width=large.width,
        height=large.height,
    )


def _fit(image: Image.Image, longest: int) -> Image.Image:
    width, height = image.size
    if max(width, height) <= longest:
        return image
    scale = longest / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _apply_orientation(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block costs the orientation, not the photo
        return image.copy()


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _flatten_to_srgb(image: Image.Image) -> Image.Image:
    """RGB in sRGB, transparency on white, and no metadata left in ``info``."""
    icc_profile = image.info.get("icc_profile")
    if icc_profile:
        # Phones tag photos Display P3 (or cameras Adobe RGB): dropping the profile without
        # converting would dull their colours. An unreadable profile leaves the pixels as they are.
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                _srgb_profile(),
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None
        if converted is not None:
            image = converted
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    # Pillow copies some of these into the JPEG it writes (the comment, for one): start empty.
    image.info = {}
    return image


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


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


def _encodings(photo: ProcessedPhoto) -> zip:
    return zip(SIZES, (photo.large, photo.medium, photo.small), strict=True)


def store(photo: ProcessedPhoto, key: str | None = None) -> str:
    """Write the three sizes of ``photo`` at once, under ``key`` or a new one, and return the key.

    For a pending upload, which no row references yet; a photo that goes with a row is written
    by ``store_after_commit``. If a write fails, the files already written are deleted and the
    error propagates. Raises ``ValueError`` for a malformed key.
    """
    key = key if key is not None else new_key()
    _check_key(key)
    storage = get_storage()
    try:
        for size, data in _encodings(photo):
            storage.save(photo_name(key, size), data, "image/jpeg")
    except BaseException:
        delete_files(key)
        raise
    return key


def store_after_commit(photo: ProcessedPhoto, key: str | None = None) -> str:
    """Write the three sizes of ``photo`` when the current transaction commits, under ``key`` or
    a new one, and return the key; nothing is left if it rolls back (``core.storage``)."""
    key = key if key is not None else new_key()
    _check_key(key)
    for size, data in _encodings(photo):
        save_after_commit(photo_name(key, size), data, "image/jpeg")
    return key


def delete_files(key: str) -> None:
    """Delete the three files of the photo ``key`` (missing ones are ignored).

    Raises ``ValueError`` for a malformed key.
    """
    storage = get_storage()
    for size in SIZES:
        storage.delete(photo_name(key, size))


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


def purge_orphans(older_than: timedelta) -> int:
    """Delete the photo files no ``ListingPhoto`` references and written over ``older_than`` ago.

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
        referenced = set(
            db.session.scalars(select(ListingPhoto.key).where(ListingPhoto.key.in_(list(batch))))
        )
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
    """Delete photo files no listing uses, older than HOURS hours (run daily from cron)."""
    count = purge_orphans(timedelta(hours=hours))
    click.echo(f"{count} fichier(s) de photo orpheline(s) supprimé(s).")
    # Staged files outlive their transaction only when a process died in the middle of it.
    staged = get_storage().discard_staged_before(utcnow() - timedelta(hours=hours))
    if staged:
        click.echo(f"{staged} fichier(s) provisoire(s) supprimé(s).")
