"""Prometheus metrics: counts per route rule, the outbox and the task queue, for the monitoring
server only."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from sportressources.config import PROJECT_ROOT
from sportressources.core.db import db, utcnow
from sportressources.core.mail.models import MailStatus, OutgoingMail

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert "Set-Cookie" not in response.headers
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def requests_count(samples, route: str, method: str, status: str) -> float:
    labels = (("method", method), ("route", route), ("status", status))
    return samples.get(("sportressources_http_requests_total", labels), 0.0)


def test_requests_are_counted_per_route_rule_never_per_path(client):
    before = requests_count(scrape(client), "/compte/reinitialiser/<token>", "GET", "400")
    client.get("/compte/reinitialiser/secret-token-one")
    client.get("/compte/reinitialiser/secret-token-two?utm=secret-query")
    client.get("/page-qui-n-existe-pas")

    response = client.get("/metrics")
    body = response.get_data(as_text=True)
    samples = scrape(client)
    assert requests_count(samples, "/compte/reinitialiser/<token>", "GET", "400") == before + 2
    assert requests_count(samples, "<no route>", "GET", "404") >= 1
    assert "secret-token" not in body
    assert "secret-query" not in body
    assert "/page-qui-n-existe-pas" not in body
    latency = (
        "sportressources_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/compte/reinitialiser/<token>")),
    )
    assert samples[latency] >= 2


def test_outbox_backlog_and_age_of_the_oldest_unsent_email(client):
    now = utcnow()
    for status, age in [
        (MailStatus.PENDING, timedelta(hours=2)),
        (MailStatus.PENDING, timedelta(minutes=1)),
        (MailStatus.SENT, timedelta(days=1)),
        (MailStatus.FAILED, timedelta(days=1)),
    ]:
        db.session.add(
            OutgoingMail(
                recipient="member@example.org",
                subject="Objet",
                text="Texte",
                message_id=f"<{status.value}-{age.total_seconds()}@example.org>",
                status=status.value,
                created_at=now - age,
            )
        )
    db.session.commit()

    samples = scrape(client)

    assert samples[("sportressources_outbox_pending", ())] == 2
    assert samples[("sportressources_outbox_failed", ())] == 1
    assert samples[("sportressources_outbox_oldest_pending_age_seconds", ())] >= 2 * 3600


def test_an_empty_outbox_has_no_age(client):
    samples = scrape(client)
    assert samples[("sportressources_outbox_pending", ())] == 0
    assert samples[("sportressources_outbox_oldest_pending_age_seconds", ())] == 0


def other_redis_database(url: str, number: int) -> str:
    """The same Redis server, another database: no Celery worker of another test reads it."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")
def test_task_queue_length_is_read_from_the_broker(app, client):
    broker = other_redis_database(REDIS_URL, 11)
    connection = redis.Redis.from_url(broker)
    connection.delete("celery")
    connection.rpush("celery", "task-1", "task-2", "task-3")
    app.config["TASKS_BROKER_URL"] = broker
    try:
        samples = scrape(client)
    finally:
        connection.delete("celery")
        connection.close()
    assert samples[("sportressources_task_queue_length", ())] == 3


def test_no_queue_length_without_a_broker(client):
    samples = scrape(client)
    assert not any(name == "sportressources_task_queue_length" for name, _ in samples)


def test_an_unreachable_broker_leaves_the_other_metrics(app, client):
    app.config["TASKS_BROKER_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    samples = scrape(client)
    assert ("sportressources_outbox_pending", ()) in samples
    assert not any(name == "sportressources_task_queue_length" for name, _ in samples)


@pytest.mark.parametrize("address", ["203.0.113.7", "10.0.0.5", "2001:db8::1"])
def test_metrics_are_the_sites_404_for_other_networks(client, address):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    assert "sportressources_" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "app_overrides", [{"METRICS_ALLOWED_NETWORKS": "10.0.0.0/8, 192.168.1.0/24"}]
)
def test_allowed_networks_are_configurable(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.4.5.6"}).status_code == 200
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is no longer listed


@pytest.mark.parametrize("app_overrides", [{"TRUSTED_PROXIES": 1}])
def test_behind_a_proxy_the_forwarded_client_address_is_the_one_checked(client):
    outside = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    inside = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert outside.status_code == 404
    assert inside.status_code == 200


@pytest.mark.parametrize("app_overrides", [{"METRICS_ENABLED": False}])
def test_disabled_metrics_are_a_404(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize(
    "app_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "2 per minute"}],
)
def test_metrics_are_not_rate_limited(client):
    statuses = {client.get("/metrics").status_code for _ in range(5)}
    assert statuses == {200}
    assert {client.get("/plan-du-site").status_code for _ in range(3)} == {200, 429}


def test_metric_names_and_labels_hold_no_user_data(client):
    client.get("/annonces/999999")
    body = client.get("/metrics").get_data(as_text=True)
    labels = set(re.findall(r'route="([^"]*)"', body))
    assert labels and all(label == "<no route>" or "999999" not in label for label in labels)


def healthz_count(base_url: str) -> float:
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=30) as response:
        body = response.read().decode()
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if (
                sample.name == "sportressources_http_requests_total"
                and sample.labels["route"] == "/healthz"
            ):
                return sample.value
    return 0.0


def test_under_gunicorn_any_worker_answers_with_the_sum_of_all(tmp_path, sqlite_template):
    database = tmp_path / "site.db"
    shutil.copyfile(sqlite_template, database)
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    port = closed_port()
    environment = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "a-production-secret-of-sufficient-length-0123456789",
        "DATABASE_URL": f"sqlite:///{database}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_BACKEND": "outbox",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        while True:  # until gunicorn listens (it exits on a failed start: then fail)
            assert server.poll() is None, "gunicorn stopped"
            try:
                urllib.request.urlopen(f"{base_url}/healthz", timeout=30).close()
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(19):
            urllib.request.urlopen(f"{base_url}/healthz", timeout=30).close()

        # Each scrape lands on either worker; each gives the total of both
        assert {healthz_count(base_url) for _ in range(6)} == {20.0}
        assert any(metrics_dir.iterdir())
    finally:
        server.terminate()
        server.wait(timeout=60)
