"""File storage (names that cannot escape, atomic writes) and the ``/medias/<name>`` route."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import url_for
from PIL import Image

from sportressources import create_app
from sportressources.config import ConfigurationError
from sportressources.core.storage import (
    BACKENDS,
    InvalidName,
    LocalStorage,
    get_storage,
    is_valid_name,
)
from sportressources.listings.photos import photo_name, process_upload, store
from tests.factories import make_user
from tests.fixtures.database import base_overrides
from tests.fixtures.web import sign_in

ESCAPING_NAMES = [
    "../x.jpg",
    "a/../../b",
    "ab/../../../etc/passwd.jpg",
    "/etc/passwd",
    "/tmp/abc.jpg",
    "..\\..\\x.jpg",
    "ab/cd.jpg",
    "..jpg",
    "....jpg",
    "%2e%2e%2fx.jpg",
    "abc.jpg\x00.png",
    "abc.jpg/",
    "ABC.jpg",
    "x.jpg",
    ".jpg",
    "",
    "abc",
    "abc.png",
    "abc.jpg.html",
    "-abc.jpg",
    "a" * 97 + ".jpg",
]


@pytest.fixture
def root(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def storage(root):
    return LocalStorage(root)


# --- LocalStorage ---------------------------------------------------------------------------------


def test_saved_file_reads_back_from_a_sharded_directory(storage, root):
    storage.save("abcdef-m.jpg", b"jpeg bytes", "image/jpeg")

    assert storage.read("abcdef-m.jpg") == b"jpeg bytes"
    assert storage.exists("abcdef-m.jpg")
    assert (root / "ab" / "abcdef-m.jpg").read_bytes() == b"jpeg bytes"
    assert stat.S_IMODE((root / "ab" / "abcdef-m.jpg").stat().st_mode) == 0o644
    assert os.listdir(root / "ab") == ["abcdef-m.jpg"]  # no temporary file left behind


def test_saving_again_replaces_the_content(storage):
    storage.save("abcdef.jpg", b"first", "image/jpeg")
    storage.save("abcdef.jpg", b"second", "image/jpeg")

    assert storage.read("abcdef.jpg") == b"second"


def test_failed_write_leaves_neither_file_nor_temporary_file(storage, root):
    with pytest.raises(TypeError):
        storage.save("abcdef.jpg", "text, not bytes", "image/jpeg")  # type: ignore[arg-type]

    assert not storage.exists("abcdef.jpg")
    assert os.listdir(root / "ab") == []


def test_delete_removes_the_file_and_ignores_a_missing_one(storage):
    storage.save("abcdef.jpg", b"x", "image/jpeg")

    storage.delete("abcdef.jpg")
    storage.delete("abcdef.jpg")

    assert not storage.exists("abcdef.jpg")
    with pytest.raises(FileNotFoundError):
        storage.read("abcdef.jpg")
    with pytest.raises(FileNotFoundError):
        storage.modified_at("abcdef.jpg")


def test_modified_at_is_an_aware_utc_datetime(storage):
    storage.save("abcdef.jpg", b"x", "image/jpeg")
    moment = datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    os.utime(storage.path("abcdef.jpg"), (moment.timestamp(), moment.timestamp()))

    assert storage.modified_at("abcdef.jpg") == moment


def test_names_lists_stored_files_only_and_filters_by_prefix(storage, root):
    for name in ("abc1.jpg", "abc2-m.jpg", "abd.jpg", "zz.jpg"):
        storage.save(name, b"x", "image/jpeg")
    # Foreign files: a write in progress, a file at the root, a misplaced file, a subdirectory
    (root / "ab" / ".abc9.jpg.tmp").write_bytes(b"x")
    (root / "README").write_text("x")
    (root / "ab" / "zz9.jpg").write_bytes(b"x")
    (root / "ab" / "ab-dir.jpg").mkdir()

    assert sorted(storage.names()) == ["abc1.jpg", "abc2-m.jpg", "abd.jpg", "zz.jpg"]
    assert sorted(storage.names("abc")) == ["abc1.jpg", "abc2-m.jpg"]
    assert sorted(storage.names("a")) == ["abc1.jpg", "abc2-m.jpg", "abd.jpg"]
    assert list(storage.names("q")) == []


def test_names_of_an_empty_storage_creates_nothing(storage, root):
    assert list(storage.names()) == []
    assert not root.exists()


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_names_that_could_escape_the_root_are_refused(storage, tmp_path, name):
    assert not is_valid_name(name)
    with pytest.raises(InvalidName):
        storage.save(name, b"x", "image/jpeg")
    for method in (storage.read, storage.delete, storage.exists, storage.modified_at):
        with pytest.raises(InvalidName):
            method(name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("prefix", ["../", "a/b", "A", "."])
def test_prefixes_that_could_escape_the_root_are_refused(storage, prefix):
    with pytest.raises(InvalidName):
        list(storage.names(prefix))


# --- get_storage ----------------------------------------------------------------------------------


@pytest.fixture
def bare_app(tmp_path):
    """The application without a database: storage never queries it."""
    app = create_app(base_overrides("sqlite://", tmp_path))
    with app.app_context():
        yield app


def test_default_storage_is_the_upload_directory_created_on_first_write(bare_app):
    upload_dir = bare_app.config["UPLOAD_DIR"]

    storage = get_storage()

    assert isinstance(storage, LocalStorage)
    assert storage.root == type(storage.root)(upload_dir)
    assert get_storage() is storage
    assert not os.path.exists(upload_dir)  # neither create_app nor get_storage writes
    storage.save("abcdef.jpg", b"x", "image/jpeg")
    assert os.path.isfile(os.path.join(upload_dir, "ab", "abcdef.jpg"))


def test_unknown_storage_backend_is_a_configuration_error(bare_app):
    bare_app.config["STORAGE_BACKEND"] = "ftp"

    with pytest.raises(ConfigurationError, match="STORAGE_BACKEND"):
        get_storage()


# --- /medias/<name> -------------------------------------------------------------------------------


def jpeg_upload() -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((800, 600)).convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def stored(app):
    """The key of a stored photo."""
    return store(process_upload(jpeg_upload()))


def check_media_headers(response) -> None:
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("size", ["large", "medium", "small"])
def test_media_serves_the_stored_photo_with_caching_and_security_headers(client, stored, size):
    name = photo_name(stored, size)

    with client.get(f"/medias/{name}") as response:
        assert response.status_code == 200
        assert response.data == get_storage().read(name)
        assert response.headers["Content-Type"] == "image/jpeg"
        assert response.headers["ETag"]
        check_media_headers(response)


def test_media_url_is_built_from_the_storage_name(app):
    with app.test_request_context():
        assert url_for("media.file", name="abcdef-s.jpg") == "/medias/abcdef-s.jpg"


def test_media_answers_304_to_a_matching_if_none_match(client, stored):
    url = f"/medias/{photo_name(stored)}"
    with client.get(url) as first:
        etag = first.headers["ETag"]

    with client.get(url, headers={"If-None-Match": etag}) as response:
        assert response.status_code == 304
        assert response.data == b""
        check_media_headers(response)
    small = f"/medias/{photo_name(stored, 'small')}"
    with client.get(small, headers={"If-None-Match": etag}) as other:
        assert other.status_code == 200


def test_media_photos_are_the_same_for_signed_in_members(client, app, stored):
    sign_in(client, make_user())

    with client.get(f"/medias/{photo_name(stored, 'medium')}") as response:
        assert response.status_code == 200
        check_media_headers(response)


def test_media_404s_an_unknown_key(client, stored):
    unknown = "0" * 32 + ".jpg"

    assert client.get(f"/medias/{unknown}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/medias/../config.py",
        "/medias/..%2F..%2Fsportressources%2Fconfig.py",
        "/medias/%2e%2e%2fsecret.jpg",
        "/medias/..%5csecret.jpg",
        "/medias/secret.jpg",
        "/medias/se/secret.jpg",
        "/medias/SECRET.jpg",
        "/medias/secret.png",
        "/medias/",
    ],
)
def test_media_404s_names_outside_the_storage(client, app, path):
    upload_dir = app.config["UPLOAD_DIR"]
    os.makedirs(upload_dir)
    # Files a traversal would aim at: beside the storage, and at its root, outside any shard
    with open(os.path.join(upload_dir, "..", "secret.jpg"), "wb") as outside:
        outside.write(b"TOP-SECRET-OUTSIDE")
    with open(os.path.join(upload_dir, "secret.jpg"), "wb") as unsharded:
        unsharded.write(b"TOP-SECRET-UNSHARDED")

    with client.get(path) as response:
        assert response.status_code == 404
        assert b"TOP-SECRET" not in response.data


class MemoryStorage:
    """A second implementation of the interface, as an object store would be."""

    def __init__(self):
        self.files: dict[str, bytes] = {}

    def save(self, name: str, data: bytes, content_type: str) -> None:
        if not is_valid_name(name):
            raise InvalidName(name)
        self.files[name] = data

    def read(self, name: str) -> bytes:
        if name not in self.files:
            raise FileNotFoundError(name)
        return self.files[name]

    def delete(self, name: str) -> None:
        self.files.pop(name, None)

    def exists(self, name: str) -> bool:
        return name in self.files

    def names(self, prefix: str = "") -> Iterator[str]:
        return iter([name for name in self.files if name.startswith(prefix)])

    def modified_at(self, name: str) -> datetime:
        return datetime.now(UTC)


def test_media_serves_from_another_storage_backend(client, app, monkeypatch):
    monkeypatch.setitem(BACKENDS, "memory", lambda config: MemoryStorage())
    app.config["STORAGE_BACKEND"] = "memory"
    key = store(process_upload(jpeg_upload()))
    storage = get_storage()
    assert isinstance(storage, MemoryStorage)
    assert not os.path.exists(app.config["UPLOAD_DIR"])

    response = client.get(f"/medias/{photo_name(key, 'small')}")
    cached = client.get(
        f"/medias/{photo_name(key, 'small')}", headers={"If-None-Match": response.headers["ETag"]}
    )

    assert response.status_code == 200
    assert response.data == storage.files[photo_name(key, "small")]
    assert response.headers["Content-Type"] == "image/jpeg"
    check_media_headers(response)
    assert cached.status_code == 304
    assert client.get(f"/medias/{'0' * 32}.jpg").status_code == 404
