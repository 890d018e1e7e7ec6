"""Photo fingerprints, for the moderators' duplicate-photo flag: the SHA-256 of a stored file and
its 64-bit difference hash (dHash), cut into four 16-bit bands that the database indexes."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image

DHASH_BANDS = 4
DHASH_BAND_BITS = 16
# Neighbours this close count as equal: in a plain area (a sky, a wall) their order is noise that
# a new compression or a resize reverses, and the hash of a copy would drift away
DHASH_MARGIN = 2


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What tells a photo from another: the SHA-256 of its stored file (the same upload, or the
    same picture uploaded twice, since our encoding is deterministic) and its 64-bit difference
    hash, which stays within a few bits when a picture is re-encoded, resized or retouched."""

    sha256: str
    dhash: int

    @property
    def bands(self) -> tuple[int, ...]:
        return dhash_bands(self.dhash)

    def columns(self) -> dict[str, str | int]:
        """The ``ListingPhoto`` columns that hold it (the dHash as 16 hexadecimal digits)."""
        values: dict[str, str | int] = {"sha256": self.sha256, "dhash": f"{self.dhash:016x}"}
        values |= {f"dhash_band{band}": value for band, value in enumerate(self.bands)}
        return values


def dhash_bands(dhash: int) -> tuple[int, ...]:
    """A difference hash cut into four 16-bit bands, most significant first. Two hashes at most
    3 bits apart share at least one band, so an index on each band finds near-identical photos
    without comparing every pair."""
    mask = (1 << DHASH_BAND_BITS) - 1
    return tuple(
        (dhash >> (DHASH_BAND_BITS * (DHASH_BANDS - 1 - band))) & mask
        for band in range(DHASH_BANDS)
    )


def fingerprint(data: bytes) -> Fingerprint:
    """The fingerprint of a stored photo's file (a JPEG this module wrote).

    Raises ``ValueError`` if ``data`` is not a readable JPEG.
    """
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
            return fingerprint_of(data, image)
    except (OSError, Image.DecompressionBombError) as exc:
        raise ValueError("not a readable JPEG") from exc


def fingerprint_of(data: bytes, image: Image.Image) -> Fingerprint:
    """The fingerprint of ``data``, already opened as ``image`` (drafted to a small scale)."""
    # libjpeg decodes straight at 1/8 scale: the hash needs 9 x 8 pixels, not 1600 x 1200
    image.draft("L", (64, 64))
    return Fingerprint(hashlib.sha256(data).hexdigest(), difference_hash(image))


def difference_hash(image: Image.Image) -> int:
    """The 64-bit difference hash (dHash) of an image: shrunk to 9 x 8 grey pixels, one bit per
    pair of horizontal neighbours, set when the left one is brighter by more than
    ``DHASH_MARGIN`` grey levels."""
    grey = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = grey.tobytes()
    value = 0
    for row in range(8):
        for column in range(8):
            left, right = pixels[row * 9 + column], pixels[row * 9 + column + 1]
            value = (value << 1) | (left > right + DHASH_MARGIN)
    return value


def hamming_distance(first: int, second: int) -> int:
    """How many bits two hashes differ by."""
    return (first ^ second).bit_count()
