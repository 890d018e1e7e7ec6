"""The photo pipeline: what an upload must be to be accepted, and what is stored of it.

Every image here is made by Pillow in the test (nothing binary is committed), as a member's phone,
camera or a malicious visitor would send it.
"""

from __future__ import annotations

import io
import os
import re
import struct
import time
import warnings
import zlib
from datetime import timedelta

import pytest
from PIL import ExifTags, Image, ImageCms
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from sportressources import create_app
from sportressources.core.db import db
from sportressources.core.errors import ValidationFailed
from sportressources.core.storage import BACKENDS, LocalStorage, get_storage
from sportressources.listings import photos
from sportressources.listings.models import ListingPhoto
from sportressources.listings.photos import (
    PhotoRejected,
    delete_files,
    dimensions,
    photo_name,
    process_upload,
    purge_orphans,
    read_signed_key,
    sign_key,
    store,
    uploads_cli,
)
from tests.factories import make_listing
from tests.fixtures.database import base_overrides

RED = (255, 0, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)
# What a JPEG of ours may hold before its first scan: JFIF header, tables, frame, restart interval
ALLOWED_MARKERS = {0xE0, 0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xDD, 0xDA}


@pytest.fixture
def bare_app(tmp_path):
    """The application without a database, for the image pipeline that never queries it."""
    app = create_app(base_overrides("sqlite://", tmp_path))
    with app.app_context():
        yield app


# --- images made for the tests --------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def photo_like(size=(2400, 1800)) -> Image.Image:
    """Gradients and noise: compresses like a photograph, not like a flat colour."""
    width, height = size
    return Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize(size),
            Image.effect_noise(size, 40),
            Image.radial_gradient("L").resize(size),
        ],
    )


def halves(size=(400, 200), left=RED, right=BLUE) -> Image.Image:
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def png_bomb(width: int, height: int) -> bytes:
    """A valid black 1-bit PNG of ``width`` × ``height`` pixels: tiny on disk, huge in memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the row's bits
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def open_jpeg(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image


def header_markers(data: bytes) -> list[int]:
    """The JPEG markers up to the first scan, where any metadata segment would sit."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while True:
        assert data[position] == 0xFF, f"no marker at {position}"
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length


def close_to(actual, expected, tolerance=40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def message(error: ValidationFailed) -> str:
    assert list(error.fields) == ["photos"]
    # French groups thousands with a narrow no-break space: compare words, not spacing.
    return " ".join(str(error.fields["photos"][0]).split())


# --- accepted uploads -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_accepted_formats_are_reencoded_as_jpeg_in_three_sizes(bare_app, fmt):
    photo = process_upload(encode(photo_like((2400, 1800)), fmt), "photo")

    expected = {"large": (1600, 1200), "medium": (640, 480), "small": (240, 180)}
    for size, bounds in expected.items():
        image = open_jpeg(getattr(photo, size))
        assert image.size == bounds, size
        assert image.mode == "RGB"
        assert image.info.get("progressive"), size
    assert (photo.width, photo.height) == (1600, 1200)


def test_portrait_photo_is_bounded_by_its_height(bare_app):
    photo = process_upload(encode(photo_like((1800, 4000)), "JPEG", quality=90))

    assert open_jpeg(photo.large).size == (720, 1600)
    assert open_jpeg(photo.medium).size == (288, 640)
    assert open_jpeg(photo.small).size == (108, 240)


def test_small_image_is_never_enlarged(bare_app):
    photo = process_upload(encode(photo_like((300, 200)), "PNG"))

    assert open_jpeg(photo.large).size == (300, 200)
    assert open_jpeg(photo.medium).size == (300, 200)
    assert open_jpeg(photo.small).size == (240, 160)
    assert (photo.width, photo.height) == (300, 200)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_transparency_is_flattened_on_white(bare_app, fmt):
    image = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (200, 0, 400, 200))

    params = {"lossless": True} if fmt == "WEBP" else {}

    large = open_jpeg(process_upload(encode(image, fmt, **params)).large)

    assert close_to(large.getpixel((50, 100)), WHITE, 8)
    assert close_to(large.getpixel((350, 100)), RED)


def test_animated_gif_keeps_its_first_frame(bare_app):
    frames = [Image.new("RGB", (200, 100), RED), Image.new("RGB", (200, 100), BLUE)]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    assert Image.open(io.BytesIO(gif)).n_frames == 2

    large = open_jpeg(process_upload(gif).large)

    assert close_to(large.getpixel((100, 50)), RED)


# --- metadata and orientation ---------------------------------------------------------------------


def camera_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS 5D Mark IV"
    exif[ExifTags.Base.BodySerialNumber] = "SN-0123456789"
    exif[ExifTags.Base.DateTime] = "2024:06:01 10:12:13"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    # Stade Bollaert-Delelis, Lens: where the member lives, or nearly
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (50.0, 25.0, 58.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 48.0, 54.0)
    return exif


@pytest.mark.parametrize(
    "fmt, with_profile", [("JPEG", True), ("JPEG", False), ("PNG", False), ("WEBP", False)]
)
def test_exif_gps_camera_and_every_other_metadata_are_removed(bare_app, fmt, with_profile):
    params = {"exif": camera_exif()}
    if fmt == "JPEG":
        params["comment"] = "Lens, rue Maurice-Carton"
        params["xmp"] = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>50,25N'
    if with_profile:
        params["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = encode(photo_like((800, 600)), fmt, **params)
    sent = Image.open(io.BytesIO(upload))
    assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (50, 25, 58)
    assert sent.getexif()[ExifTags.Base.Make] == "Canon"

    photo = process_upload(upload)

    for data in (photo.large, photo.medium, photo.small):
        image = open_jpeg(data)
        assert len(image.getexif()) == 0
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        assert set(header_markers(data)) <= ALLOWED_MARKERS
        for trace in (b"Exif", b"Canon", b"SN-0123456789", b"xmpmeta", b"Maurice", b"ICC_PROFILE"):
            assert trace not in data


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize(
    "orientation, size, first, second",
    [
        # 6: the camera was turned clockwise; the left of the sensor is the top of the scene
        (6, (200, 400), ((100, 50), RED), ((100, 350), BLUE)),
        (8, (200, 400), ((100, 50), BLUE), ((100, 350), RED)),
        (3, (400, 200), ((50, 100), BLUE), ((350, 100), RED)),
    ],
)
def test_exif_orientation_is_applied(bare_app, fmt, orientation, size, first, second):
    upload = encode(halves((400, 200)), fmt, exif=camera_exif(orientation))
    assert Image.open(io.BytesIO(upload)).size == (400, 200)

    photo = process_upload(upload)

    large = open_jpeg(photo.large)
    assert large.size == size
    assert (photo.width, photo.height) == size
    assert open_jpeg(photo.small).size == (size[0] * 240 // 400, size[1] * 240 // 400)
    for point, colour in (first, second):
        assert close_to(large.getpixel(point), colour), (point, large.getpixel(point))
    assert len(large.getexif()) == 0


def test_tiny_image_tagged_orientation_6_comes_out_portrait(bare_app):
    photo = process_upload(encode(halves((20, 10)), "JPEG", exif=camera_exif(6)))

    assert (photo.width, photo.height) == (10, 20)


# --- refused uploads ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"Bonjour, ceci est un simple fichier texte.\n",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script></svg>",
        b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
    ],
    ids=["text", "pdf", "svg", "html"],
)
def test_files_that_are_not_images_are_refused_whatever_their_name(bare_app, content):
    with pytest.raises(PhotoRejected) as caught:
        process_upload(content, "velo.jpg")

    assert caught.value.reason == "not_image"
    assert message(caught.value) == "« velo.jpg » n’est pas une image JPEG, PNG ou WebP."


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "ICO", "PPM"])
def test_images_pillow_reads_but_we_do_not_accept_are_refused(bare_app, fmt):
    with pytest.raises(PhotoRejected) as caught:
        process_upload(encode(photo_like((64, 64)), fmt), "velo.jpg")

    assert caught.value.reason == "not_image"


def test_refusal_is_a_validation_failure_on_the_photos_field(bare_app):
    with pytest.raises(ValidationFailed) as caught:
        process_upload(b"pas une image")

    assert caught.value.code == "photo_rejected"
    assert caught.value.status == 422
    assert message(caught.value) == "Ce fichier n’est pas une image JPEG, PNG ou WebP."


def test_empty_file_is_refused(bare_app):
    with pytest.raises(PhotoRejected) as caught:
        process_upload(io.BytesIO(b""), "vide.jpg")

    assert caught.value.reason == "empty"
    assert message(caught.value) == "« vide.jpg » est vide."


def test_uploaded_file_is_named_by_its_base_name(bare_app):
    upload = FileStorage(io.BytesIO(b"<html></html>"), filename="C:\\Users\\camille\\velo.jpg")

    with pytest.raises(PhotoRejected) as caught:
        process_upload(upload)

    assert message(caught.value) == "« velo.jpg » n’est pas une image JPEG, PNG ou WebP."


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_truncated_image_is_refused(bare_app, fmt):
    whole = encode(photo_like((800, 600)), fmt)
    process_upload(whole)  # the same image, whole, is fine

    with pytest.raises(PhotoRejected) as caught:
        process_upload(whole[: len(whole) // 2], "coupee.jpg")

    assert caught.value.reason == "damaged"
    assert message(caught.value) == "« coupee.jpg » semble tronquée ou abîmée."


def test_jpeg_with_a_corrupt_huffman_table_is_refused(bare_app):
    whole = bytearray(encode(photo_like((800, 600)), "JPEG"))
    table = whole.index(b"\xff\xc4")
    whole[table + 5 : table + 25] = b"\xff" * 20

    with pytest.raises(PhotoRejected) as caught:
        process_upload(bytes(whole), "abimee.jpg")

    assert caught.value.reason == "damaged"


@pytest.fixture
def decoder_calls(monkeypatch):
    """Every Pillow decoder created while the test runs: a decoded image needs one."""
    calls = []
    real = Image._getdecoder

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(Image, "_getdecoder", spy)
    return calls


@pytest.mark.parametrize(
    "width, height",
    [
        (20_000, 20_000),  # past twice Pillow's own limit: it raises DecompressionBombError
        (12_000, 8_000),  # past Pillow's limit: it warns (an error under our pytest settings)
        (8_000, 6_000),  # under Pillow's limit, over ours (40 Mpx)
    ],
)
def test_decompression_bomb_is_refused_without_decoding(bare_app, decoder_calls, width, height):
    bomb = png_bomb(width, height)
    assert len(bomb) < 60_000

    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        with pytest.raises(PhotoRejected) as caught:
            process_upload(bomb, "bombe.png")

    assert caught.value.reason == "too_many_pixels"
    assert message(caught.value) == "« bombe.png » est trop grande : 40 millions de pixels au plus."
    assert decoder_calls == []
    assert [w for w in escaped if issubclass(w.category, Image.DecompressionBombWarning)] == []
    # The spy does see decoding: the same kind of file, of a sane size, is decoded and accepted.
    process_upload(png_bomb(300, 200))
    assert decoder_calls


def test_pixel_limit_comes_from_configuration(bare_app):
    bare_app.config["UPLOAD_MAX_PIXELS"] = 20_000

    process_upload(encode(photo_like((200, 100)), "PNG"))
    with pytest.raises(PhotoRejected) as caught:
        process_upload(encode(photo_like((201, 100)), "PNG"))

    assert caught.value.reason == "too_many_pixels"


@pytest.mark.parametrize("size", [(13_000, 1), (1, 13_000)])
def test_side_over_12000_pixels_is_refused_even_with_few_pixels(bare_app, size):
    with pytest.raises(PhotoRejected) as caught:
        process_upload(encode(Image.new("L", size, 128), "PNG"), "fil.png")

    assert caught.value.reason == "too_wide"
    assert message(caught.value) == (
        "« fil.png » est trop grande : 12 000 pixels de large ou de haut au plus."
    )


def test_side_of_12000_pixels_is_accepted(bare_app):
    photo = process_upload(encode(Image.new("L", (12_000, 2), 128), "PNG"))

    assert (photo.width, photo.height) == (1600, 1)


def test_file_over_the_byte_limit_is_refused(bare_app):
    limit = bare_app.config["UPLOAD_MAX_FILE_BYTES"]
    jpeg = encode(photo_like((400, 300)), "JPEG")
    # Bytes after the end-of-image marker are ignored by decoders: only the size is at fault.
    process_upload(jpeg + b"\0" * (limit - len(jpeg)))

    with pytest.raises(PhotoRejected) as caught:
        process_upload(jpeg + b"\0" * (limit + 1 - len(jpeg)), "grand.jpg")

    assert caught.value.reason == "too_heavy"
    assert message(caught.value) == "« grand.jpg » est trop lourde : 8 Mo au plus."


def test_a_stream_is_read_no_further_than_the_byte_limit(bare_app):
    limit = bare_app.config["UPLOAD_MAX_FILE_BYTES"]
    stream = io.BytesIO(b"\xff" * (3 * limit))

    with pytest.raises(PhotoRejected):
        process_upload(stream)

    assert stream.tell() == limit + 1


# --- storing --------------------------------------------------------------------------------------


@pytest.fixture
def processed(bare_app):
    return process_upload(encode(photo_like((1000, 800)), "JPEG"))


def test_store_writes_the_three_sizes_under_a_random_key(bare_app, processed):
    key = store(processed)

    assert re.fullmatch(r"[0-9a-f]{32}", key)
    storage = get_storage()
    assert storage.read(f"{key}.jpg") == processed.large
    assert storage.read(f"{key}-m.jpg") == processed.medium
    assert storage.read(f"{key}-s.jpg") == processed.small
    assert photo_name(key, "medium") == f"{key}-m.jpg"
    assert dimensions(key) == (processed.width, processed.height) == (1000, 800)


def test_keys_are_unique_and_unpredictable(bare_app, processed):
    keys = [store(processed) for _ in range(40)]

    assert len(set(keys)) == len(keys)
    # Random hex: no shared prefix to enumerate, every digit used across keys
    assert len({key[:2] for key in keys}) > 20
    assert set("".join(keys)) == set("0123456789abcdef")


def test_delete_files_removes_every_size(bare_app, processed):
    key = store(processed)
    other = store(processed)

    delete_files(key)

    storage = get_storage()
    assert not any(storage.exists(photo_name(key, size)) for size in ("large", "medium", "small"))
    assert storage.exists(photo_name(other, "small"))
    with pytest.raises(ValidationFailed) as caught:
        dimensions(key)
    assert list(caught.value.fields) == ["photos"]


@pytest.mark.parametrize("key", ["../../etc/passwd", "ABCDEF", "0" * 31, "0" * 32 + "-m", ""])
def test_malformed_keys_are_refused(bare_app, key):
    with pytest.raises(ValueError):
        delete_files(key)
    with pytest.raises(ValueError):
        photo_name(key)


class FailingStorage(LocalStorage):
    """A disk that fails on the second write."""

    def __init__(self, root):
        super().__init__(root)
        self.writes = 0

    def save(self, name, data, content_type):
        self.writes += 1
        if self.writes == 2:
            raise OSError(28, "No space left on device")
        super().save(name, data, content_type)


def test_store_leaves_no_file_when_a_write_fails(bare_app, processed, monkeypatch, tmp_path):
    monkeypatch.setitem(BACKENDS, "failing", lambda config: FailingStorage(tmp_path / "failing"))
    bare_app.config["STORAGE_BACKEND"] = "failing"

    with pytest.raises(OSError):
        store(processed)

    assert list(get_storage().names()) == []


# --- signed keys ----------------------------------------------------------------------------------


def test_signed_key_comes_back_for_its_owner(bare_app, processed):
    key = store(processed)

    assert read_signed_key(sign_key(key, 7), 7) == key


def test_signed_key_is_refused_to_another_member(bare_app, processed):
    token = sign_key(store(processed), 7)

    with pytest.raises(ValidationFailed) as caught:
        read_signed_key(token, 8)

    assert (
        message(caught.value)
        == "Une photo ajoutée n’a pas pu être reprise : ajoutez-la de nouveau."
    )


def test_tampered_signed_key_is_refused(bare_app, processed):
    token = sign_key(store(processed), 7)
    other_key = store(processed)
    payload, rest = token.split(".", 1)
    forged = sign_key(other_key, 7).split(".", 1)[0] + "." + rest

    for bad in (forged, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "", "x" * 2000):
        with pytest.raises(ValidationFailed):
            read_signed_key(bad, 7)


def test_signed_key_expires_after_24_hours(bare_app, processed, monkeypatch):
    key = store(processed)
    token = sign_key(key, 7)
    now = time.time()

    class Later:
        @staticmethod
        def time():
            return now + 24 * 3600 - 60

    import itsdangerous.timed

    monkeypatch.setattr(itsdangerous.timed, "time", Later)
    assert read_signed_key(token, 7) == key

    Later.time = staticmethod(lambda: now + 24 * 3600 + 60)
    with pytest.raises(ValidationFailed) as caught:
        read_signed_key(token, 7)

    assert message(caught.value) == (
        "Une photo ajoutée il y a plus de 24 heures a expiré : ajoutez-la de nouveau."
    )


def test_signed_key_of_deleted_files_is_refused(bare_app, processed):
    key = store(processed)
    token = sign_key(key, 7)
    delete_files(key)

    with pytest.raises(ValidationFailed):
        read_signed_key(token, 7)


# --- purging orphans (database: SQLite and PostgreSQL) -------------------------------------------


def age(key: str, hours: float) -> None:
    storage = get_storage()
    assert isinstance(storage, LocalStorage)
    moment = time.time() - hours * 3600
    for size in ("large", "medium", "small"):
        os.utime(storage.path(photo_name(key, size)), (moment, moment))


def stored_keys() -> set[str]:
    return {
        name.removesuffix(".jpg").removesuffix("-m").removesuffix("-s")
        for name in get_storage().names()
    }


@pytest.fixture
def uploads(app):
    """An attached old photo, an unattached old one and an unattached recent one."""
    photo = process_upload(encode(photo_like((600, 400)), "JPEG"))
    listing = make_listing()
    attached, abandoned, recent = store(photo), store(photo), store(photo)
    db.session.add(
        ListingPhoto(listing_id=listing.id, position=0, key=attached, width=600, height=400)
    )
    db.session.commit()
    age(attached, 72)
    age(abandoned, 25)
    age(recent, 23)
    return {"attached": attached, "abandoned": abandoned, "recent": recent}


def test_purge_deletes_only_unattached_photos_older_than_the_threshold(app, uploads):
    storage = get_storage()
    storage.save("autre-fichier.jpg", b"not a photo of ours", "image/jpeg")
    os.utime(storage.path("autre-fichier.jpg"), (time.time() - 72 * 3600,) * 2)

    deleted = purge_orphans(timedelta(hours=24))

    assert deleted == 3
    assert stored_keys() == {uploads["attached"], uploads["recent"], "autre-fichier"}
    assert len(list(storage.names())) == 7


def test_purge_threshold_is_respected(app, uploads):
    assert purge_orphans(timedelta(hours=30)) == 0
    assert stored_keys() == set(uploads.values())


def test_purge_removes_the_photos_of_a_deleted_listing(app, uploads):
    photo = db.session.scalar(select(ListingPhoto).where(ListingPhoto.key == uploads["attached"]))
    db.session.delete(photo.listing)
    db.session.commit()

    assert purge_orphans(timedelta(hours=24)) == 6
    assert stored_keys() == {uploads["recent"]}


def test_purge_refuses_a_threshold_shorter_than_a_signed_key_lives(app):
    with pytest.raises(ValueError):
        purge_orphans(timedelta(hours=23))


def test_purge_works_in_batches(app, uploads, monkeypatch):
    monkeypatch.setattr(photos, "PURGE_BATCH", 1)

    assert purge_orphans(timedelta(hours=24)) == 3
    assert stored_keys() == {uploads["attached"], uploads["recent"]}


def test_purge_command(app, uploads):
    runner = app.test_cli_runner()

    refused = runner.invoke(uploads_cli, ["purge", "--hours", "1"])
    result = runner.invoke(uploads_cli, ["purge"])

    assert refused.exit_code == 2
    assert result.exit_code == 0, result.output
    assert result.output == "3 fichier(s) de photo orpheline(s) supprimé(s).\n"
    assert stored_keys() == {uploads["attached"], uploads["recent"]}


def test_purge_command_removes_staged_files_a_crashed_process_left(app):
    storage = get_storage()
    old, recent = storage.stage(b"old", "image/jpeg"), storage.stage(b"new", "image/jpeg")
    staging = storage.root / ".staging"
    os.utime(staging / f"{old}.tmp", (time.time() - 25 * 3600,) * 2)

    result = app.test_cli_runner().invoke(uploads_cli, ["purge"])

    assert result.exit_code == 0, result.output
    assert "1 fichier(s) provisoire(s) supprimé(s)." in result.output
    assert [path.name for path in staging.iterdir()] == [f"{recent}.tmp"]
