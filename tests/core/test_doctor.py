"""`flask doctor` names the broken part, in plain words, and fails; all green, it succeeds.

Every check talks to a real service: PostgreSQL, Redis, an SMTP server (aiosmtpd), the disk; a
broken part is a closed port, a directory that cannot be written, a database one migration
behind, a configuration the site refuses.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from sportressources import create_app
from sportressources.config import PROJECT_ROOT
from sportressources.core.doctor import doctor_command
from sportressources.core.storage_s3 import S3Storage
from tests.pages.test_readyz import stamped_at, stamped_one_revision_back

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_doctor(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    return result.exit_code, result.output


def line_of(output: str, part: str) -> str:
    lines = [line for line in output.splitlines() if line[2:].startswith(f"{part} :")]
    assert len(lines) == 1, output
    return lines[0]


PARTS = (
    "Configuration",
    "Base de données",
    "Migrations",
    "Redis",
    "Stockage des photos",
    "File de tâches",
    "Courriel",
)


def test_all_green_with_every_service_running(app, smtp_server, backend):
    smtp_server.start()
    if REDIS_URL:
        app.config.update(RATELIMIT_STORAGE_URI=REDIS_URL, TASKS_BROKER_URL=REDIS_URL)

    code, output = run_doctor(app)

    assert code == 0, output
    for part in PARTS:
        assert line_of(output, part).startswith("✔"), output
    assert "la base est à jour" in line_of(output, "Migrations")
    assert f"127.0.0.1:{smtp_server.port} joignable" in line_of(output, "Courriel")
    assert smtp_server.received == []  # a conversation, never a message
    if REDIS_URL:
        assert "répond" in line_of(output, "Redis")
        assert "répond" in line_of(output, "File de tâches")
    assert output.rstrip().endswith("Tout va bien : 7 vérifications réussies.")


def test_an_unreachable_postgresql_is_named(tmp_path):
    port = closed_port()
    app = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"postgresql://root:s3cret@127.0.0.1:{port}/test",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        }
    )

    code, output = run_doctor(app)

    assert code == 1
    database = line_of(output, "Base de données")
    assert database.startswith(
        f"✘ Base de données : injoignable à postgresql+psycopg://root:***@127.0.0.1:{port}/test ("
    )
    assert "s3cret" not in output
    assert line_of(output, "Migrations").startswith("✘")
    assert line_of(output, "Stockage des photos").startswith("✔")
    assert "2 problèmes sur 7 vérifications : Base de données, Migrations." in output


def test_an_unreachable_redis_is_named(app):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    app.config["RATELIMIT_STORAGE_URI"] = url

    code, output = run_doctor(app)

    assert code == 1
    assert line_of(output, "Redis").startswith(f"✘ Redis : injoignable à {url} (")
    assert "1 problème sur 7 vérifications : Redis." in output


def test_an_unreachable_broker_is_named(app):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    app.config["TASKS_BROKER_URL"] = url

    code, output = run_doctor(app)

    assert code == 1
    assert line_of(output, "File de tâches").startswith(f"✘ File de tâches : injoignable à {url}")
    assert output.rstrip().endswith("File de tâches.")


def test_an_smtp_server_that_does_not_answer_is_named(app, smtp_server):
    code, output = run_doctor(app)  # the server is not started: its port is closed

    assert code == 1
    assert line_of(output, "Courriel").startswith(
        f"✘ Courriel : serveur SMTP 127.0.0.1:{smtp_server.port} : Connection refused"
    )


def test_a_relay_without_starttls_is_named_when_tls_is_required(app, smtp_server):
    smtp_server.start()
    app.config["MAIL_USE_TLS"] = True

    code, output = run_doctor(app)

    assert code == 1
    assert "STARTTLS" in line_of(output, "Courriel")
    assert smtp_server.received == []


def test_an_upload_directory_that_cannot_be_written_is_named(app, tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a directory")
    app.config["UPLOAD_DIR"] = str(in_the_way / "uploads")
    app.extensions.pop("sportressources.storage", None)

    code, output = run_doctor(app)

    assert code == 1
    storage = line_of(output, "Stockage des photos")
    assert storage.startswith(f"✘ Stockage des photos : {in_the_way / 'uploads'} : ")
    assert "Not a directory" in storage
    assert "UPLOAD_DIR" in output


def test_a_pending_migration_is_named_with_the_command_to_run(app):
    with stamped_one_revision_back():
        code, output = run_doctor(app)

    assert code == 1
    assert line_of(output, "Migrations") == (
        "✘ Migrations : 1 migration en attente : lancez flask db upgrade"
    )


def test_a_database_from_a_newer_version_is_named(app):
    with stamped_at("9999_from_the_future"):
        code, output = run_doctor(app)

    assert code == 1
    assert line_of(output, "Migrations").startswith("✘ Migrations : état illisible (")
    assert "9999_from_the_future" in output


def production_environment(monkeypatch, tmp_path, sqlite_template, **variables) -> None:
    database = tmp_path / "site.db"
    shutil.copyfile(sqlite_template, database)
    for name, value in {
        "APP_ENV": "production",
        "SECRET_KEY": "a-production-secret-of-sufficient-length-0123456789",
        "DATABASE_URL": f"sqlite:///{database}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_BACKEND": "outbox",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        **variables,
    }.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY must be set to a random value"),
        ({"WEB_CONCURRENCY": "4"}, "RATELIMIT_STORAGE_URI is memory://"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be 'json' or 'text'"),
        ({"METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,intranet"}, "METRICS_ALLOWED_NETWORKS"),
    ],
)
def test_a_configuration_the_site_refuses_is_named_and_the_rest_still_checked(
    monkeypatch, tmp_path, sqlite_template, variables, named
):
    production_environment(monkeypatch, tmp_path, sqlite_template, **variables)

    result = CliRunner().invoke(doctor_command, obj=ScriptInfo(create_app=create_app))

    assert result.exit_code == 1
    assert line_of(result.output, "Configuration").startswith(f"✘ Configuration : {named}")
    for part in PARTS[1:]:
        assert line_of(result.output, part).startswith("✔"), result.output
    assert "1 problème sur 7 vérifications : Configuration." in result.output


def test_the_flask_command_runs_even_when_the_site_would_not_start(
    monkeypatch, tmp_path, sqlite_template
):
    production_environment(monkeypatch, tmp_path, sqlite_template, SECRET_KEY="too-short")

    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "doctor"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1, done.stderr
    assert line_of(done.stdout, "Configuration").startswith("✘ Configuration : SECRET_KEY")
    assert "Traceback" not in done.stderr


def test_all_green_with_photos_in_an_s3_bucket(app, s3_config):
    app.config.update(s3_config)
    app.extensions.pop("sportressources.storage", None)

    code, output = run_doctor(app)

    assert code == 0, output
    storage = line_of(output, "Stockage des photos")
    assert storage.startswith(f"✔ Stockage des photos : compartiment {s3_config['S3_BUCKET']} (")
    assert "écriture, lecture et suppression" in storage
    assert list(S3Storage.from_config(s3_config).names()) == []  # the probe file is gone


def test_an_unreachable_s3_store_is_named(app, s3_config):
    endpoint = f"http://127.0.0.1:{closed_port()}"
    app.config.update({**s3_config, "S3_ENDPOINT_URL": endpoint})
    app.extensions.pop("sportressources.storage", None)

    code, output = run_doctor(app)

    assert code == 1
    storage = line_of(output, "Stockage des photos")
    assert storage.startswith(f"✘ Stockage des photos : compartiment {s3_config['S3_BUCKET']}")
    assert f"S3 storage at {endpoint} does not answer" in storage
    assert "S3_ENDPOINT_URL" in output
    assert "1 problème sur 7 vérifications : Stockage des photos." in output


def test_a_missing_s3_bucket_is_named(app, s3_config):
    app.config.update({**s3_config, "S3_BUCKET": "no-such-bucket-here"})
    app.extensions.pop("sportressources.storage", None)

    code, output = run_doctor(app)

    assert code == 1
    assert "'no-such-bucket-here' does not exist" in line_of(output, "Stockage des photos")


class Relay:
    """An SMTP relay (aiosmtpd) that asks for a login and records the ones it gets."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.port = closed_port()
        self.received: list = []
        self.logins: list[bytes] = []
        relay = self

        def authenticate(server, session, envelope, mechanism, auth_data):
            relay.logins.append(auth_data.login)
            return AuthResult(success=True)

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                relay.received.append(envelope)
                return "250 OK"

        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            authenticator=authenticate,
            auth_require_tls=False,
        )


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_relay_login_is_tried_and_nothing_sent(app):
    relay = Relay()
    relay.controller.start()
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=relay.port,
        MAIL_USE_TLS=False,
        MAIL_USERNAME="sr62",
        MAIL_PASSWORD="relay-password",
    )
    try:
        code, output = run_doctor(app)
    finally:
        relay.controller.stop()

    assert code == 0, output
    assert line_of(output, "Courriel").startswith("✔ Courriel : serveur SMTP")
    assert relay.logins == [b"sr62"]
    assert relay.received == []
    assert "relay-password" not in output
