"""Files written with the transaction (``core.storage.save_after_commit``): in place after the
commit, and nowhere, not even staged, after a rollback, a failed commit or an early close."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sportressources.core.db import begin_write, db, utcnow
from sportressources.core.storage import (
    InvalidName,
    LocalStorage,
    get_storage,
    read_in_transaction,
    save_after_commit,
)
from sportressources.core.storage_s3 import S3Storage
from sportressources.geo.models import Commune
from tests.fixtures.s3 import stored_files


@pytest.fixture
def app_overrides(storage_overrides):
    """Every test with ``app`` runs on the local disk and on S3."""
    return storage_overrides


def files(app) -> list[str]:
    """Every file of the storage, staged ones included (``staged:HANDLE``)."""
    return stored_files(app)


def add_commune(insee: str = "99001") -> None:
    """A row written in the same transaction as the file."""
    lens = db.session.get(Commune, "62498")
    db.session.add(
        Commune(
            insee=insee,
            name="Essai",
            slug=f"essai-{insee}",
            postal_codes="62000",
            zone_id=lens.zone_id,
            latitude=50.4,
            longitude=2.8,
        )
    )


def commune_exists(insee: str = "99001") -> bool:
    db.session.rollback()
    return db.session.scalar(select(Commune.insee).where(Commune.insee == insee)) is not None


def test_file_appears_with_the_commit_and_not_before(app):
    begin_write()
    add_commune()
    save_after_commit("abcdef.jpg", b"photo", "image/jpeg")

    assert not get_storage().exists("abcdef.jpg")
    assert read_in_transaction("abcdef.jpg") == b"photo"  # the transaction reads its own write
    db.session.commit()

    assert commune_exists()
    assert get_storage().read("abcdef.jpg") == b"photo"
    assert files(app) == ["abcdef.jpg"]
    assert read_in_transaction("abcdef.jpg") == b"photo"


def test_rollback_leaves_neither_file_nor_staged_file(app):
    begin_write()
    add_commune()
    save_after_commit("abcdef.jpg", b"photo", "image/jpeg")
    save_after_commit("abcdef-m.jpg", b"medium", "image/jpeg")
    assert len(files(app)) == 2  # written at once, where no reader finds them
    assert all(file.startswith("staged:") for file in files(app))

    db.session.rollback()

    assert not commune_exists()
    assert files(app) == []
    with pytest.raises(FileNotFoundError):
        read_in_transaction("abcdef.jpg")


def test_a_commit_that_fails_leaves_no_file(app):
    begin_write()
    add_commune("62498")  # Lens exists: the commit's flush breaks the primary key
    save_after_commit("abcdef.jpg", b"photo", "image/jpeg")

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    assert files(app) == []


def test_a_session_closed_without_commit_leaves_no_file(app):
    begin_write()
    save_after_commit("abcdef.jpg", b"photo", "image/jpeg")

    db.session.remove()  # the end of a request that crashed before committing

    assert files(app) == []


def test_a_file_staged_outside_a_transaction_belongs_to_the_next_one(app):
    db.session.commit()
    assert not db.session().in_transaction()

    save_after_commit("abcdef.jpg", b"photo", "image/jpeg")

    assert db.session().in_transaction()
    db.session.rollback()
    assert files(app) == []


def test_a_name_written_twice_keeps_the_last_content_only(app):
    begin_write()
    save_after_commit("abcdef.jpg", b"first", "image/jpeg")
    save_after_commit("abcdef.jpg", b"second", "image/jpeg")
    db.session.commit()

    assert get_storage().read("abcdef.jpg") == b"second"
    assert files(app) == ["abcdef.jpg"]


def test_a_released_savepoint_waits_for_the_outer_commit(app):
    begin_write()
    with db.session.begin_nested():
        save_after_commit("abcdef.jpg", b"photo", "image/jpeg")
    assert not get_storage().exists("abcdef.jpg")

    db.session.rollback()

    assert files(app) == []


def test_an_invalid_name_is_refused_before_anything_is_written(app):
    with pytest.raises(InvalidName):
        save_after_commit("../escape.jpg", b"x", "image/jpeg")
    assert files(app) == []


# --- staging on every backend ---------------------------------------------------------------------


@pytest.fixture
def storage(storage_backend, tmp_path, request):
    if storage_backend == "local":
        return LocalStorage(tmp_path / "uploads")
    return S3Storage.from_config(request.getfixturevalue("s3_config"))


def test_staged_files_are_neither_listed_nor_readable_until_published(storage):
    handle = storage.stage(b"photo", "image/jpeg")

    assert list(storage.names()) == []
    assert not storage.exists("abcdef.jpg")
    storage.publish(handle, "abcdef.jpg")
    assert storage.read("abcdef.jpg") == b"photo"
    assert list(storage.names()) == ["abcdef.jpg"]
    with pytest.raises(FileNotFoundError):
        storage.publish(handle, "abcdef.jpg")


@pytest.mark.parametrize("handle", ["../../etc/passwd", "ABC", "0" * 31, "", "0" * 32 + "/x"])
def test_staging_handles_that_could_escape_are_refused(storage, handle):
    with pytest.raises(InvalidName):
        storage.publish(handle, "abcdef.jpg")
    with pytest.raises(InvalidName):
        storage.discard(handle)


def test_staged_files_left_by_a_dead_process_are_discarded_once_old(tmp_path):
    storage = LocalStorage(tmp_path / "uploads")
    old, recent = storage.stage(b"old", "image/jpeg"), storage.stage(b"new", "image/jpeg")
    staged = tmp_path / "uploads" / ".staging"
    assert len(list(staged.iterdir())) == 2
    hour_ago = (utcnow() - timedelta(hours=1)).timestamp()
    os.utime(staged / f"{old}.tmp", (hour_ago, hour_ago))

    assert storage.discard_staged_before(utcnow() - timedelta(minutes=30)) == 1
    assert sorted(path.name for path in staged.iterdir()) == [f"{recent}.tmp"]


def test_staged_objects_in_s3_are_discarded_once_old(s3_config):
    storage = S3Storage.from_config(s3_config)
    kept = storage.stage(b"new", "image/jpeg")
    storage.save("abcdef.jpg", b"published", "image/jpeg")
    # Objects carry the store's own time: a moment before the write keeps them, one after not
    assert storage.discard_staged_before(utcnow() - timedelta(minutes=30)) == 0

    assert storage.discard_staged_before(utcnow() + timedelta(minutes=1)) == 1

    with pytest.raises(FileNotFoundError):
        storage.publish(kept, "abcdef.jpg")
    assert storage.read("abcdef.jpg") == b"published"


def test_a_discarded_file_cannot_be_published(storage):
    handle = storage.stage(b"photo", "image/jpeg")
    storage.discard(handle)
    storage.discard(handle)

    with pytest.raises(FileNotFoundError):
        storage.publish(handle, "abcdef.jpg")
    assert list(storage.names()) == []
