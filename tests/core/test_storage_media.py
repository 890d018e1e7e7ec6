"""File storage (names that cannot escape, atomic writes) and the ``/medias/<name>`` route."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

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
from sportressources.core.storage_s3 import S3Storage, StorageUnavailable
from sportressources.listings.photos import photo_name, process_upload, store
from tests.factories import make_user
from tests.fixtures.database import base_overrides
from tests.fixtures.s3 import s3_settings
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
def local(root):
    return LocalStorage(root)


@pytest.fixture
def storage(storage_backend, root, request):
    """The same contract, on the local disk and in an S3 bucket (moto)."""
    if storage_backend == "local":
        return LocalStorage(root)
    return S3Storage.from_config(request.getfixturevalue("s3_config"))


def everything(storage, root) -> list[str]:
    """Every file or object the storage holds, foreign and staged ones included."""
    if isinstance(storage, S3Storage):
        return sorted(item["Key"] for item in storage._objects(""))
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def put_foreign(storage, root, path: str) -> None:
    """A file no one stored through the interface, at ``path``."""
    if isinstance(storage, S3Storage):
        storage.client.put_object(Bucket=storage.bucket, Key=path, Body=b"x")
    else:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(b"x")


# --- the contract, on every backend ---------------------------------------------------------------


def test_saved_file_reads_back(storage):
    storage.save("abcdef-m.jpg", b"jpeg bytes", "image/jpeg")

    assert storage.read("abcdef-m.jpg") == b"jpeg bytes"
    assert storage.exists("abcdef-m.jpg")
    assert not storage.exists("abcdef.jpg")


def test_saving_again_replaces_the_content(storage):
    storage.save("abcdef.jpg", b"first", "image/jpeg")
    storage.save("abcdef.jpg", b"second", "image/jpeg")

    assert storage.read("abcdef.jpg") == b"second"


def test_failed_write_leaves_nothing(storage, root):
    with pytest.raises(TypeError):
        storage.save("abcdef.jpg", "text, not bytes", "image/jpeg")  # type: ignore[arg-type]

    assert not storage.exists("abcdef.jpg")
    assert everything(storage, root) == []


def test_delete_removes_the_file_and_ignores_a_missing_one(storage):
    storage.save("abcdef.jpg", b"x", "image/jpeg")

    storage.delete("abcdef.jpg")
    storage.delete("abcdef.jpg")

    assert not storage.exists("abcdef.jpg")
    with pytest.raises(FileNotFoundError):
        storage.read("abcdef.jpg")
    with pytest.raises(FileNotFoundError):
        storage.modified_at("abcdef.jpg")


def test_modified_at_is_an_aware_utc_datetime_of_the_write(storage):
    before = datetime.now(UTC).replace(microsecond=0)
    storage.save("abcdef.jpg", b"x", "image/jpeg")

    moment = storage.modified_at("abcdef.jpg")

    assert moment.utcoffset() == timedelta(0)
    # An object store keeps whole seconds; the two clocks are this machine's
    assert before - timedelta(seconds=1) <= moment <= datetime.now(UTC) + timedelta(seconds=1)


def test_names_lists_stored_files_only_and_filters_by_prefix(storage, root):
    for name in ("abc1.jpg", "abc2-m.jpg", "abd.jpg", "zz.jpg"):
        storage.save(name, b"x", "image/jpeg")
    storage.stage(b"staged", "image/jpeg")
    for foreign in ("README", "ab/.abc9.jpg.tmp", "ab/zz9.jpg", "ABC.jpg", "abc.png"):
        put_foreign(storage, root, foreign)

    assert sorted(storage.names()) == ["abc1.jpg", "abc2-m.jpg", "abd.jpg", "zz.jpg"]
    assert sorted(storage.names("abc")) == ["abc1.jpg", "abc2-m.jpg"]
    assert sorted(storage.names("a")) == ["abc1.jpg", "abc2-m.jpg", "abd.jpg"]
    assert list(storage.names("q")) == []


def test_names_go_past_one_page_of_listing(storage):
    # S3 lists 1,000 keys a page: the listing must follow the pages
    if isinstance(storage, S3Storage):
        storage.client.meta.events.register(
            "before-parameter-build.s3.ListObjectsV2",
            lambda params, **kwargs: params.setdefault("MaxKeys", 2),
        )
    names = [f"page{index}.jpg" for index in range(5)]
    for name in names:
        storage.save(name, b"x", "image/jpeg")

    assert sorted(storage.names()) == names


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_names_that_could_escape_the_root_are_refused(storage, root, name):
    assert not is_valid_name(name)
    with pytest.raises(InvalidName):
        storage.save(name, b"x", "image/jpeg")
    for method in (storage.read, storage.delete, storage.exists, storage.modified_at):
        with pytest.raises(InvalidName):
            method(name)
    with pytest.raises(InvalidName):
        storage.publish(storage.stage(b"x", "image/jpeg"), name)
    assert [path for path in everything(storage, root) if "staging" not in path] == []


@pytest.mark.parametrize("prefix", ["../", "a/b", "A", ".", ".staging/"])
def test_prefixes_that_could_escape_the_root_are_refused(storage, prefix):
    with pytest.raises(InvalidName):
        list(storage.names(prefix))


# --- LocalStorage ---------------------------------------------------------------------------------


def test_local_files_sit_in_sharded_directories_readable_by_all(local, root):
    local.save("abcdef-m.jpg", b"jpeg bytes", "image/jpeg")

    assert (root / "ab" / "abcdef-m.jpg").read_bytes() == b"jpeg bytes"
    assert stat.S_IMODE((root / "ab" / "abcdef-m.jpg").stat().st_mode) == 0o644
    assert os.listdir(root / "ab") == ["abcdef-m.jpg"]  # no temporary file left behind


def test_local_modified_at_is_the_file_time(local):
    local.save("abcdef.jpg", b"x", "image/jpeg")
    moment = datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    os.utime(local.path("abcdef.jpg"), (moment.timestamp(), moment.timestamp()))

    assert local.modified_at("abcdef.jpg") == moment


def test_local_names_skip_misplaced_files_and_directories(local, root):
    local.save("abc1.jpg", b"x", "image/jpeg")
    (root / "ab" / "ab-dir.jpg").mkdir()
    (root / "abc2.jpg").write_bytes(b"x")

    assert list(local.names()) == ["abc1.jpg"]


def test_names_of_an_empty_storage_creates_nothing(local, root):
    assert list(local.names()) == []
    assert not root.exists()


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


def test_s3_storage_is_the_configured_bucket(bare_app, s3_config):
    bare_app.config.update(s3_config)

    storage = get_storage()

    assert isinstance(storage, S3Storage)
    assert storage.bucket == s3_config["S3_BUCKET"]
    storage.save("abcdef.jpg", b"x", "image/jpeg")
    assert not os.path.exists(bare_app.config["UPLOAD_DIR"])


def test_a_missing_bucket_is_a_configuration_error_naming_it(bare_app, s3_endpoint):
    bare_app.config.update(s3_settings(s3_endpoint, "no-such-bucket"))

    with pytest.raises(ConfigurationError, match="'no-such-bucket' does not exist"):
        get_storage()
    with pytest.raises(ConfigurationError, match="no-such-bucket"):
        get_storage()  # nothing half-built was kept


def test_an_unreachable_object_store_is_named(bare_app):
    bare_app.config.update(s3_settings("http://127.0.0.1:9", "photos"))

    with pytest.raises(StorageUnavailable, match="127.0.0.1:9"):
        get_storage()


def test_create_bucket_command_creates_it_once(bare_app, s3_endpoint):
    bare_app.config.update(s3_settings(s3_endpoint, "created-by-command"))
    runner = bare_app.test_cli_runner()

    first = runner.invoke(args=["storage", "create-bucket"])
    again = runner.invoke(args=["storage", "create-bucket"])

    assert first.exit_code == 0, first.output
    assert "Bucket created-by-command créé" in first.output
    assert again.exit_code == 0
    assert "existe déjà" in again.output
    get_storage().save("abcdef.jpg", b"x", "image/jpeg")


def test_create_bucket_command_refuses_the_local_disk(bare_app):
    result = bare_app.test_cli_runner().invoke(args=["storage", "create-bucket"])

    assert result.exit_code != 0
    assert "aucun bucket à créer" in result.output


# --- /medias/<name> -------------------------------------------------------------------------------


def jpeg_upload() -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((800, 600)).convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def app_overrides(storage_overrides):
    """Every test of the route runs on the local disk and on S3."""
    return storage_overrides


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
