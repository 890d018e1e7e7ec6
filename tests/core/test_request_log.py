"""Request logging names the route, never a password or a token."""

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from tests.factories import PASSWORD, make_user


def test_request_log_has_route_status_and_user_but_no_secret(app, client, outbox, caplog):
    user = make_user(email="log@example.org")
    with caplog.at_level(logging.INFO, logger="sportressources.request"):
        client.post("/compte/connexion", data={"email": user.email, "password": PASSWORD})
        client.post("/compte/mot-de-passe-oublie", data={"email": user.email})
        token_link = outbox.last(user.email).link("/compte/reinitialiser/")
        token = token_link.rsplit("/", 1)[-1]
        client.get(token_link.replace("http://localhost", "") + "?utm=secret-query")

    lines = [r.getMessage() for r in caplog.records if r.name == "sportressources.request"]
    assert any(line.startswith("POST /compte/connexion 302") for line in lines), lines
    assert any(line.startswith("GET /compte/reinitialiser/<token> 200") for line in lines), lines
    assert any(f"user={user.id}" in line for line in lines)
    everything = caplog.text
    assert PASSWORD not in everything
    assert token not in everything
    assert "secret-query" not in everything
    assert user.email not in everything


def test_development_server_request_lines_are_dropped():
    from sportressources.core.requestlog import DropRawRequestLines

    keep = logging.LogRecord("werkzeug", logging.INFO, "", 0, " * Running on %s", ("url",), None)
    drop = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        "",
        0,
        '127.0.0.1 - - [date] "%s" %s %s',
        ("GET /compte/reinitialiser/abc HTTP/1.1", "200", "-"),
        None,
    )
    assert DropRawRequestLines().filter(keep)
    assert not DropRawRequestLines().filter(drop)


def test_response_echoes_a_safe_request_id_and_the_log_line_carries_it(client, caplog):
    with caplog.at_level(logging.INFO, logger="sportressources.request"):
        response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.9c_21-x"})

    assert response.headers["X-Request-ID"] == "lb-7f3a.9c_21-x"
    (line,) = [r for r in caplog.records if r.name == "sportressources.request"]
    assert line.request_id == "lb-7f3a.9c_21-x"
    assert (line.method, line.route, line.status) == ("GET", "/healthz", 200)


@pytest.mark.parametrize(
    "offered", ["short", "x" * 129, "id with spaces", "id;Set-Cookie=a-b", "<script>1234"]
)
def test_an_unsafe_request_id_is_replaced_by_a_new_one(client, offered):
    response = client.get("/healthz", headers={"X-Request-ID": offered})

    echoed = response.headers["X-Request-ID"]
    assert echoed != offered
    assert re.fullmatch(r"[0-9a-f]{32}", echoed)


def test_each_request_gets_its_own_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert first != second


def run_production_site(tmp_path: Path, script: str, sqlite_template: Path) -> list[dict]:
    """Run ``script`` in a fresh Python process configured as a production server; return the
    JSON objects it logged on stderr (each line must be one)."""
    database = tmp_path / "site.db"
    shutil.copyfile(sqlite_template, database)
    environment = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "a-production-secret-of-sufficient-length-0123456789",
        "DATABASE_URL": f"sqlite:///{database}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "SITE_URL": "http://localhost",
    }
    environment.pop("LOG_FORMAT", None)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stderr.splitlines() if line.strip()]


def test_production_logs_are_one_json_object_per_line_with_the_request_id(
    tmp_path, sqlite_template
):
    entries = run_production_site(
        tmp_path,
        """
        import logging
        from sportressources import create_app
        from sportressources.core.logs import bind_request_id

        app = create_app()
        client = app.test_client()
        client.get(
            "/compte/reinitialiser/secret-token-abc?utm=secret-query",
            headers={"X-Request-ID": "from-the-proxy-0001"},
        )
        with app.test_request_context(headers={"X-Request-ID": "inside-a-request-02"}):
            logging.getLogger("sportressources.listings").warning("a listing was %s", "refused")
        with bind_request_id("queued-by-request-03"):
            logging.getLogger("sportressources.tasks").info("task done")
        """,
        sqlite_template,
    )

    request_line = next(e for e in entries if e["logger"] == "sportressources.request")
    assert request_line["request_id"] == "from-the-proxy-0001"
    assert request_line["method"] == "GET"
    assert request_line["route"] == "/compte/reinitialiser/<token>"
    assert request_line["status"] == 400  # an invalid link
    assert request_line["user_id"] is None
    assert isinstance(request_line["duration_ms"], float)
    assert request_line["level"] == "INFO"
    assert request_line["time"].endswith("+00:00")
    assert "secret-token-abc" not in json.dumps(entries)
    assert "secret-query" not in json.dumps(entries)

    listing_line = next(e for e in entries if e["logger"] == "sportressources.listings")
    assert listing_line["message"] == "a listing was refused"
    assert listing_line["level"] == "WARNING"
    assert listing_line["request_id"] == "inside-a-request-02"
    task_line = next(e for e in entries if e["logger"] == "sportressources.tasks")
    assert task_line["request_id"] == "queued-by-request-03"


REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")
def test_a_task_logs_with_the_id_of_the_request_that_queued_it():
    from urllib.parse import urlsplit, urlunsplit

    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    from flask import Flask

    from sportressources.core.logs import connect_task_signals, current_request_id

    broker = urlunsplit(urlsplit(REDIS_URL)._replace(path="/11"))
    celery = Celery("request-id-test", broker=broker, backend=broker)
    celery.conf.update(
        task_default_queue=f"request-id-test-{os.getpid()}",
        broker_connection_retry_on_startup=True,
        # The worker runs in the test process: it must leave the process's logging as it found it
        worker_hijack_root_logger=False,
    )

    @celery.task(name=f"request-id-test-{os.getpid()}")
    def which_request():
        logging.getLogger("sportressources.tasks").info("task ran")
        return current_request_id()

    connect_task_signals()
    with start_worker(celery, pool="solo", perform_ping_check=False):
        site = Flask("site")
        with site.test_request_context(headers={"X-Request-ID": "queued-by-request-42"}):
            from_a_request = which_request.delay()
        from_nowhere = which_request.delay()
        assert from_a_request.get(timeout=60) == "queued-by-request-42"
        assert re.fullmatch(r"[0-9a-f]{32}", from_nowhere.get(timeout=60))


def test_gunicorn_error_log_in_json_with_the_sites_config(tmp_path, sqlite_template):
    database = tmp_path / "site.db"
    shutil.copyfile(sqlite_template, database)
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(
        "from sportressources.core.logs import gunicorn_logconfig\n"
        "logconfig_dict = gunicorn_logconfig('json')\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "a-production-secret-of-sufficient-length-0123456789",
        "DATABASE_URL": f"sqlite:///{database}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_BACKEND": "outbox",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    errors = tmp_path / "stderr.log"
    with open(errors, "wb") as stderr:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--config",
                str(config),
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=Path(__file__).resolve().parents[2],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            while True:  # until gunicorn listens (it exits on a failed start: then fail)
                assert server.poll() is None, errors.read_text()
                try:
                    request = urllib.request.Request(
                        f"http://127.0.0.1:{port}/healthz",
                        headers={"X-Request-ID": "through-gunicorn-77"},
                    )
                    urllib.request.urlopen(request, timeout=30).close()
                    break
                except OSError:
                    time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=60)

    entries = [json.loads(line) for line in errors.read_text().splitlines() if line.strip()]
    loggers = {entry["logger"] for entry in entries}
    assert "gunicorn.error" in loggers
    assert any(entry["message"].startswith("Booting worker") for entry in entries)
    (request_line,) = [e for e in entries if e["logger"] == "sportressources.request"]
    assert request_line["request_id"] == "through-gunicorn-77"
