"""Uploaded images, whatever they illustrate (a listing, a handover, an organisation's logo):
check an upload by its decoded content, re-encode it without metadata in three sizes, and write or
delete the three files of a key.

An upload is judged by its content, decoded by Pillow, never by its name or the browser's content
type. What is stored is always a JPEG made by us, in three sizes (``<key>.jpg``, ``<key>-m.jpg``,
``<key>-s.jpg``), with no EXIF, GPS position, XMP, comment or ICC profile. A key is a storage name
without its extension (``core.storage.check_name``): each user of this module chooses its own
prefix, so that ``flask uploads purge`` (listing photos, unprefixed) never touches other files.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import warnings
from dataclasses import dataclass, field
from typing import BinaryIO

from flask import current_app
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps
from sqlalchemy import event
from sqlalchemy.orm import Session

from sportressources.core.errors import ValidationFailed
from sportressources.core.storage import check_name, get_storage, save_after_commit

log = logging.getLogger(__name__)
FIELD = "photos"
# Formats decoded; anything else is refused. GIF: the first frame only.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Pillow decodes many more formats (some through external programs, like EPS): open only these.
# Pillow reports a JPEG that embeds a second picture (some cameras) as MPO; its first frame is ours.
DECODED_FORMATS = frozenset({*ACCEPTED_FORMATS, "MPO"})
MAX_SIDE = 12_000
# Longest side of each stored size, by file-name suffix
SIZES = {"large": ("", 1600), "medium": ("-m", 640), "small": ("-s", 240)}
JPEG_QUALITY = 85

# Each refusal: (message naming the file, message without a file name)
_MESSAGES = {
    "empty": (_l("« %(name)s » est vide."), _l("Ce fichier est vide.")),
    "not_image": (
        _l("« %(name)s » n’est pas une image JPEG, PNG ou WebP."),
        _l("Ce fichier n’est pas une image JPEG, PNG ou WebP."),
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


class PhotoRejected(ValidationFailed):
    """An upload refused for its content; ``reason`` says why (``empty``, ``not_image``,
    ``too_heavy``, ``too_many_pixels``, ``too_wide``, ``damaged``)."""

    code = "photo_rejected"

    def __init__(self, reason: str, filename: str = "", *, field: str = FIELD, **values: str):
        self.reason = reason
        named, unnamed = _MESSAGES[reason]
        message = str(named) % {"name": filename, **values} if filename else str(unnamed) % values
        super().__init__({field: message})


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    """The three JPEG encodings of an accepted upload, and the size of the large one."""

    large: bytes = field(repr=False)
    medium: bytes = field(repr=False)
    small: bytes = field(repr=False)
    width: int
    height: int


def process_upload(
    source: bytes | BinaryIO, filename: str = "", *, field: str = FIELD
) -> ProcessedPhoto:
    """Check an uploaded image and re-encode it as metadata-free JPEGs in three sizes.

    ``source`` is the file's bytes or a binary stream (a werkzeug ``FileStorage``, read from its
    current position; its ``filename`` names the file in messages when ``filename`` is empty).
    Accepts JPEG, PNG, WebP and GIF (first frame), judged on the decoded content only. Applies the
    EXIF orientation, converts to sRGB, flattens transparency on white, drops every metadata.
    Raises ``PhotoRejected`` (a ``ValidationFailed`` on ``field``, ``photos`` by default) for an
    empty file, more than ``UPLOAD_MAX_FILE_BYTES`` bytes (at most that many plus one are read),
    anything Pillow cannot open as one of those formats, a side over ``MAX_SIDE`` pixels, more
    pixels than ``UPLOAD_MAX_PIXELS`` (refused from the header, before decoding) and truncated or
    corrupt data.
    """
    name = _display_name(filename or getattr(source, "filename", None) or "")
    max_bytes = current_app.config["UPLOAD_MAX_FILE_BYTES"]
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source[: max_bytes + 1])
    else:
        data = source.read(max_bytes + 1)
    if not data:
        raise PhotoRejected("empty", name, field=field)
    if len(data) > max_bytes:
        raise PhotoRejected("too_heavy", name, field=field, limit=_decimal(max_bytes / 1024 / 1024))
    with _decode(data, name, current_app.config["UPLOAD_MAX_PIXELS"], field) as image:
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


def _decode(data: bytes, name: str, max_pixels: int, field: str = FIELD) -> Image.Image:
    """The image fully decoded, after the format and size checks that need only its header."""

    def too_many_pixels() -> PhotoRejected:
        return PhotoRejected("too_many_pixels", name, field=field, limit=_decimal(max_pixels / 1e6))

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
            raise PhotoRejected(reason, name, field=field) from exc
        if image.format not in DECODED_FORMATS:
            raise PhotoRejected("not_image", name, field=field)
        width, height = image.size
        if width > MAX_SIDE or height > MAX_SIDE:
            raise PhotoRejected("too_wide", name, field=field, limit=_decimal(MAX_SIDE))
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
            raise PhotoRejected("damaged", name, field=field) from exc
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


def file_name(key: str, size: str = "large") -> str:
    """The storage name of one size (``large``, ``medium``, ``small``) of the image ``key``.
    Raises ``core.storage.InvalidName`` (a ValueError) for a key that makes no valid name,
    ``KeyError`` for an unknown size."""
    return check_name(f"{key}{SIZES[size][0]}.jpg")


def encodings(photo: ProcessedPhoto) -> zip:
    """(size, JPEG bytes) for the three sizes of ``photo``."""
    return zip(SIZES, (photo.large, photo.medium, photo.small), strict=True)


def store_files(photo: ProcessedPhoto, key: str) -> str:
    """Write the three sizes of ``photo`` under ``key`` at once and return the key; if a write
    fails, the files already written are deleted and the error propagates."""
    storage = get_storage()
    try:
        for size, data in encodings(photo):
            storage.save(file_name(key, size), data, "image/jpeg")
    except BaseException:
        delete_image_files(key)
        raise
    return key


def store_files_after_commit(photo: ProcessedPhoto, key: str) -> str:
    """Write the three sizes of ``photo`` under ``key`` when the current transaction commits
    (nothing is left if it rolls back) and return the key."""
    for size, data in encodings(photo):
        save_after_commit(file_name(key, size), data, "image/jpeg")
    return key


def delete_image_files(key: str) -> None:
    """Delete the three files of the image ``key`` (missing ones are ignored)."""
    storage = get_storage()
    for size in SIZES:
        storage.delete(file_name(key, size))


_DOOMED = "sportressources.images_to_delete"


def delete_image_files_after_commit(key: str) -> None:
    """Delete the three files of the image ``key`` once the current transaction commits (a
    replaced logo); nothing is deleted if it rolls back, so a row never points to a lost file."""
    from sportressources.core.db import db

    file_name(key)  # a bad key fails now, not after the commit
    db.session().info.setdefault(_DOOMED, []).append(key)


@event.listens_for(Session, "after_commit")
def _delete_doomed(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for key in session.info.pop(_DOOMED, []):
        try:
            delete_image_files(key)
        except Exception:  # noqa: BLE001 - the rows are committed; a leftover file is harmless
            log.exception("image files %s not deleted after commit", key)


@event.listens_for(Session, "after_transaction_end")
def _forget_doomed(session: Session, transaction) -> None:
    # The outermost transaction ended without a commit (after one, the list is already empty)
    if transaction.parent is None:
        session.info.pop(_DOOMED, None)
