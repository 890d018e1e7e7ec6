"""Photos sent through the real listing form land in the configured storage (local disk or an S3
bucket) and members fetch them at the same ``/medias/`` URLs, byte for byte."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.storage import get_storage
from sportressources.core.storage_s3 import S3Storage
from sportressources.listings import services
from sportressources.listings.models import Listing
from tests.fixtures.s3 import stored_files
from tests.listings.helpers import form_data, upload


@pytest.fixture
def app_overrides(storage_overrides):
    return storage_overrides


def only_listing() -> Listing | None:
    db.session.rollback()
    return db.session.scalar(select(Listing))


def test_an_uploaded_photo_is_served_at_its_url_from_the_configured_storage(
    app, resident_client, storage_backend
):
    response = resident_client.post(
        "/annonces/nouvelle",
        data={**form_data(), "photos": [upload("a.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    key = only_listing().cover_photo
    names = sorted([f"{key}.jpg", f"{key}-m.jpg", f"{key}-s.jpg"])

    assert stored_files(app) == names
    assert isinstance(get_storage(), S3Storage) == (storage_backend == "s3")
    if storage_backend == "s3":
        assert not os.path.exists(app.config["UPLOAD_DIR"])
    for name in names:
        with resident_client.get(f"/medias/{name}") as photo:
            assert photo.status_code == 200
            assert photo.headers["Content-Type"] == "image/jpeg"
            assert photo.data[:2] == b"\xff\xd8"
            assert photo.data == get_storage().read(name)
        page = resident_client.get(f"/medias/{name}", headers={"If-None-Match": f'"{name}"'})
        assert page.status_code == 304


def test_a_crash_after_the_upload_leaves_no_photo_anywhere(app, resident_client, monkeypatch):
    real = services.create_listing

    def create_then_crash(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("crash after the service")

    monkeypatch.setattr(services, "create_listing", create_then_crash)
    with pytest.raises(RuntimeError):
        resident_client.post(
            "/annonces/nouvelle",
            data={**form_data(), "photos": [upload("a.jpg"), upload("b.jpg")]},
            content_type="multipart/form-data",
        )

    assert only_listing() is None
    assert stored_files(app) == []
