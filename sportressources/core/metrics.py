"""Prometheus metrics at ``/metrics``, for the monitoring server only.

Requests are counted and timed per route rule, method and status (rules, never paths: no id,
token or name reaches a label). The queue length, the outbox backlog and the age of its oldest
email are read when Prometheus scrapes, from the broker and the database.

Under gunicorn with several workers, each worker counts its own requests: set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory (emptied at each start) before gunicorn starts,
and every worker writes there and any one of them answers a scrape with the sum (prometheus_client's
multiprocess mode).

The view (metrics_views.py) answers only clients in ``METRICS_ALLOWED_NETWORKS`` (their address
after ``TRUSTED_PROXIES``); others, and everyone when ``METRICS_ENABLED`` is false, get the
site's 404.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterator

from flask import Flask, current_app, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from sportressources.core.db import db, utcnow
from sportressources.core.requestlog import elapsed_seconds, route_rule

log = logging.getLogger(__name__)

KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# Celery's default queue: a Redis list of that name on the broker
TASK_QUEUE = "celery"

# Not in prometheus_client's default registry: each scrape builds its own (see render_metrics)
REQUESTS = Counter(
    "sportressources_http_requests",
    "HTTP requests answered, by route rule, method and status.",
    ["route", "method", "status"],
    registry=None,
)
LATENCY = Histogram(
    "sportressources_http_request_duration_seconds",
    "Time to answer an HTTP request, by route rule and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=None,
)


def allowed_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``METRICS_ALLOWED_NETWORKS`` parsed (check_config refused a malformed one)."""
    return [ipaddress.ip_network(part.strip()) for part in value.split(",") if part.strip()]


def client_allowed(address: str | None, networks: str) -> bool:
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(client, ipaddress.IPv6Address) and client.ipv4_mapped is not None:
        client = client.ipv4_mapped
    return any(client in network for network in allowed_networks(networks))


class StateCollector:
    """Gauges read at scrape time: task queue length, outbox backlog, oldest unsent email."""

    def __init__(self, config) -> None:
        self.config = config

    def collect(self) -> Iterator[Metric]:
        yield from self._outbox()
        if self.config.get("TASKS_BROKER_URL"):
            yield from self._queue()

    def _outbox(self) -> Iterator[Metric]:
        from sportressources.core.mail.models import MailStatus, OutgoingMail

        try:
            pending, oldest = db.session.execute(
                select(func.count(), func.min(OutgoingMail.created_at)).where(
                    OutgoingMail.status == MailStatus.PENDING.value
                )
            ).one()
            failed = db.session.scalar(
                select(func.count()).where(OutgoingMail.status == MailStatus.FAILED.value)
            )
        except SQLAlchemyError as exc:
            db.session.rollback()
            log.warning("metrics: outbox unreadable: %s", exc.__class__.__name__)
            return
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "sportressources_outbox_pending", "Emails waiting to be sent.", value=pending
        )
        yield GaugeMetricFamily(
            "sportressources_outbox_oldest_pending_age_seconds",
            "Age of the oldest email not sent yet (0 when none waits).",
            value=max(age, 0.0),
        )
        yield GaugeMetricFamily(
            "sportressources_outbox_failed",
            "Emails given up (refused for good or too many attempts), until purged.",
            value=failed or 0,
        )

    def _queue(self) -> Iterator[Metric]:
        import redis

        url = self.config["TASKS_BROKER_URL"]
        try:
            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            length = client.llen(TASK_QUEUE)
            client.close()
        except (redis.RedisError, ValueError) as exc:
            log.warning("metrics: task queue unreadable: %s", exc.__class__.__name__)
            return
        yield GaugeMetricFamily(
            "sportressources_task_queue_length",
            "Tasks waiting in the broker's default queue.",
            value=length,
        )


def render_metrics() -> bytes:
    registry = CollectorRegistry(auto_describe=True)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every worker's counts, summed
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(StateCollector(current_app.config))
    return generate_latest(registry)


def register(app: Flask) -> None:
    @app.after_request
    def count_request(response):
        seconds = elapsed_seconds()  # the request log's clock: one per request
        method = request.method if request.method in KNOWN_METHODS else "OTHER"
        rule = route_rule()
        REQUESTS.labels(rule, method, str(response.status_code)).inc()
        if seconds is not None:
            LATENCY.labels(rule, method).observe(seconds)
        return response
