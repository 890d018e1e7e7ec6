"""The duplicate-photo flag, with real pictures drawn with Pillow and sent through the upload
pipeline: the same picture re-encoded and resized by another member is flagged, a different
one is not, nor a member's own photo used again; ``flask moderation hash-photos`` fingerprints
the photos stored before."""

import io
import random

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import event, text, update

from sportressources.core.db import db
from sportressources.core.storage import get_storage
from sportressources.listings import fingerprints, photos, services
from sportressources.listings.models import ListingPhoto
from sportressources.moderation import flags, forbidden_words
from sportressources.moderation.queue import open_case_for
from tests.listings.helpers import listing_data


def scene(seed: int, size=(1200, 900)) -> Image.Image:
    """A made-up photograph: a background, a dozen coloured shapes and some grain."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        box = (x, y, x + rng.randrange(80, width // 2), y + rng.randrange(80, height // 2))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    grain = Image.frombytes("L", size, rng.randbytes(width * height)).convert("RGB")
    return Image.blend(image, grain, 0.15)


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def resaved(image: Image.Image) -> bytes:
    """The same picture as another member might post it: smaller and compressed harder."""
    smaller = image.resize((image.width * 6 // 10, image.height * 6 // 10))
    return jpeg(smaller, quality=60)


def upload(data: bytes) -> str:
    """A photo sent through the real pipeline (checked, re-encoded, stored); its key."""
    return photos.store(photos.process_upload(data, "photo.jpg"))


def submit(member, data: bytes):
    listing = services.create_listing(member, listing_data(photo_keys=[upload(data)]))
    db.session.commit()
    return listing


def flag_codes(listing) -> list[str]:
    return [flag["code"] for flag in open_case_for("listing", listing.id).flags]


# --- fingerprints --------------------------------------------------------------------------------


def test_a_picture_resized_and_recompressed_keeps_a_near_hash(app):
    picture = scene(1)
    original = fingerprints.fingerprint(photos.process_upload(jpeg(picture)).large)
    copy = fingerprints.fingerprint(photos.process_upload(resaved(picture)).large)
    assert original.sha256 != copy.sha256
    assert fingerprints.hamming_distance(original.dhash, copy.dhash) <= flags.DHASH_MAX_DISTANCE
    # Hence a band in common, which the index lookup relies on
    assert set(enumerate(original.bands)) & set(enumerate(copy.bands))


def test_the_same_upload_twice_has_the_same_sha256(app):
    data = jpeg(scene(1))
    first = fingerprints.fingerprint(photos.process_upload(data).large)
    second = fingerprints.fingerprint(photos.process_upload(data).large)
    assert first == second


def test_different_pictures_have_distant_hashes(app):
    first = fingerprints.fingerprint(photos.process_upload(jpeg(scene(1))).large)
    second = fingerprints.fingerprint(photos.process_upload(jpeg(scene(2))).large)
    assert fingerprints.hamming_distance(first.dhash, second.dhash) > 10


def test_a_photo_row_gets_its_fingerprint_when_attached(app, resident):
    data = jpeg(scene(3))
    listing = submit(resident, data)
    row = listing.photos[0]
    expected = fingerprints.fingerprint(get_storage().read(photos.photo_name(row.key)))
    assert row.sha256 == expected.sha256
    assert row.dhash == f"{expected.dhash:016x}"
    bands = (row.dhash_band0, row.dhash_band1, row.dhash_band2, row.dhash_band3)
    assert bands == expected.bands
    assert bands == tuple(int(row.dhash[i : i + 4], 16) for i in range(0, 16, 4))


def test_an_unreadable_file_has_no_fingerprint():
    with pytest.raises(ValueError):
        fingerprints.fingerprint(b"not a jpeg")


# --- the rule ------------------------------------------------------------------------------------


def test_another_members_photo_resized_and_recompressed_is_flagged(app, resident, other_resident):
    picture = scene(4)
    first = submit(resident, jpeg(picture))
    copy = submit(other_resident, resaved(picture))
    assert {"code": "duplicate_photo", "detail": str(first.id)} in open_case_for(
        "listing", copy.id
    ).flags


def test_another_members_identical_upload_is_flagged(app, resident, other_resident):
    data = jpeg(scene(5))
    first = submit(resident, data)
    copy = submit(other_resident, data)
    assert copy.photos[0].sha256 == first.photos[0].sha256
    assert "duplicate_photo" in flag_codes(copy)


def test_a_different_photo_is_not_flagged(app, resident, other_resident):
    submit(resident, jpeg(scene(6)))
    other = submit(other_resident, jpeg(scene(7)))
    assert "duplicate_photo" not in flag_codes(other)


def test_a_members_own_photo_used_again_is_not_flagged(app, resident):
    picture = scene(8)
    submit(resident, jpeg(picture))
    again = submit(resident, resaved(picture))
    assert "duplicate_photo" not in flag_codes(again)


def test_plain_pictures_alike_are_not_taken_for_copies(app, resident, other_resident):
    # Two plain photos have the same (empty) difference hash: only exact copies count
    submit(resident, jpeg(Image.new("RGB", (800, 600), (40, 90, 200))))
    other = submit(other_resident, jpeg(Image.new("RGB", (800, 600), (200, 40, 40))))
    assert "duplicate_photo" not in flag_codes(other)


def test_the_rules_read_through_indexes_not_whole_tables(
    app, backend, resident, other_resident, moderator
):
    """Each query the rules run finds its rows through an index, whatever the table sizes."""
    picture = scene(9)
    submit(resident, jpeg(picture))
    listing = submit(other_resident, resaved(picture))
    forbidden_words.add_word(moderator, "contrefaçon")
    db.session.commit()
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        found = flags.listing_flags(listing)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert "duplicate_photo" in [flag["code"] for flag in found]
    connection = db.session.connection()
    if backend == "postgresql":
        # Tiny tables would be read whole anyway; forbid it to see what the indexes allow
        connection.execute(text("SET LOCAL enable_seqscan = off"))
    explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
    watched = ("listings", "listing_photos", "audit_entries", "users")
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        plan = "\n".join(
            " ".join(str(value) for value in row)
            for row in connection.exec_driver_sql(explain + statement, parameters)
        )
        for table in watched:
            assert f"SCAN {table} " not in plan + " ", (statement, plan)
            assert f"Seq Scan on {table} " not in plan + " ", (statement, plan)


# --- photos stored before ------------------------------------------------------------------------


def test_hash_photos_fills_the_fingerprints_of_older_photos(app, resident):
    listing = submit(resident, jpeg(scene(10)))
    gone = submit(resident, jpeg(scene(11)))
    expected = {
        "sha256": listing.photos[0].sha256,
        "dhash": listing.photos[0].dhash,
        "dhash_band2": listing.photos[0].dhash_band2,
    }
    db.session.execute(
        update(ListingPhoto).values(
            sha256=None,
            dhash=None,
            dhash_band0=None,
            dhash_band1=None,
            dhash_band2=None,
            dhash_band3=None,
        )
    )
    db.session.commit()
    photos.delete_files(gone.photos[0].key)

    result = app.test_cli_runner().invoke(args=["moderation", "hash-photos", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "1 photo(s) ont reçu leur empreinte." in result.output
    assert "1 photo(s) sans fichier lisible" in result.output
    db.session.expire_all()
    row = db.session.get(ListingPhoto, listing.photos[0].id)
    assert {name: getattr(row, name) for name in expected} == expected
    assert db.session.get(ListingPhoto, gone.photos[0].id).sha256 is None

    again = app.test_cli_runner().invoke(args=["moderation", "hash-photos"])
    assert "0 photo(s) ont reçu leur empreinte." in again.output
