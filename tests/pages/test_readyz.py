"""/readyz: ready to take traffic, part by part; /healthz stays the liveness check."""

from __future__ import annotations

import contextlib
import os
import socket

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from sportressources import create_app
from sportressources.core.db import db
from sportressources.core.probes import MIGRATIONS_DIR

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def stamped_at(revision: str):
    """The database as if it recorded ``revision`` (put back at the head afterwards: the
    PostgreSQL schema serves every test)."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    db.session.commit()
    try:
        yield
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        db.session.commit()


def stamped_one_revision_back():
    """As if the code were deployed before ``flask db upgrade``."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return stamped_at(script.get_revision(script.get_current_head()).down_revision)


def test_ready_when_the_database_is_migrated_and_storage_writable(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "redis": "not configured",
            "broker": "not configured",
            "storage": "ok",
        },
        "failing": [],
    }
    assert "Set-Cookie" not in response.headers


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")
def test_ready_checks_redis_and_the_broker_when_configured(app, client):
    app.config.update(RATELIMIT_STORAGE_URI=REDIS_URL, TASKS_BROKER_URL=REDIS_URL)
    body = client.get("/readyz").get_json()
    assert body["checks"]["redis"] == "ok"
    assert body["checks"]["broker"] == "ok"


def test_not_ready_while_a_migration_is_pending(client):
    with stamped_one_revision_back():
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["migrations"]
    assert client.get("/healthz").status_code == 200  # alive all the same


def test_not_ready_when_the_database_comes_from_a_newer_version(client):
    with stamped_at("9999_from_the_future"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["migrations"]


def test_not_ready_when_redis_or_the_broker_is_down(app, client):
    app.config.update(
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/0",
        TASKS_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["broker", "redis"]


def test_not_ready_when_the_upload_directory_cannot_be_written(app, client, tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a directory")
    app.config["UPLOAD_DIR"] = str(in_the_way / "uploads")
    app.extensions.pop("sportressources.storage", None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["storage"]


def test_not_ready_without_a_database(tmp_path):
    app = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"postgresql://root@127.0.0.1:{closed_port()}/test",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["database", "migrations"]
    assert body["checks"]["storage"] == "ok"


@pytest.mark.parametrize(
    "app_overrides", [{"RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "2 per minute"}]
)
def test_readiness_is_not_rate_limited(client):
    assert {client.get("/readyz").status_code for _ in range(5)} == {200}


def test_ready_with_an_s3_bucket_and_not_when_the_store_is_down(app, client, s3_config):
    app.config.update(s3_config)
    app.extensions.pop("sportressources.storage", None)
    assert client.get("/readyz").get_json()["checks"]["storage"] == "ok"

    app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{closed_port()}"
    app.extensions.pop("sportressources.storage", None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["storage"]
