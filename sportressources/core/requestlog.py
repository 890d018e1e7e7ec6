"""One log line per request that never carries a secret.

The line names the matched URL rule (``/compte/reinitialiser/<token>``), not the path, and never the
query string or the body, so tokens and passwords cannot reach the log. The development server's own
request lines, which print raw paths, are dropped for the same reason.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

from sportressources.core.logs import current_request_id

log = logging.getLogger("sportressources.request")


class DropRawRequestLines(logging.Filter):
    """Filter for the ``werkzeug`` logger: keep start-up messages, drop per-request lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        return '"%s" %s %s' not in str(record.msg)


def route_rule() -> str:
    """The matched URL rule (never the path, which may hold a token), or ``<no route>``."""
    return request.url_rule.rule if request.url_rule is not None else "<no route>"


def describe_request() -> str:
    return f"{request.method} {route_rule()}"


def elapsed_seconds() -> float | None:
    """Seconds since this request's hooks began, from the one clock the request log and the
    metrics share; None if the request never reached them."""
    started = g.get("request_started")
    return None if started is None else time.perf_counter() - started


def register(app: Flask) -> None:
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropRawRequestLines) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(DropRawRequestLines())

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    if not app.config["REQUEST_LOG_ENABLED"]:
        return

    @app.after_request
    def log_request(response):
        seconds = elapsed_seconds()
        elapsed = seconds * 1000 if seconds is not None else -1.0
        # Only a user the request already loaded: a photo or a static file costs no query.
        loaded = g.get("_login_user")
        user_id = loaded.id if loaded is not None and loaded.is_authenticated else None
        # The JSON log gets the same facts as fields of their own (core/logs.py)
        fields = {
            "method": request.method,
            "route": route_rule(),
            "status": response.status_code,
            "duration_ms": round(elapsed, 1),
            "user_id": user_id,
            "request_id": current_request_id(),
        }
        log.info(
            "%s %s %.1fms user=%s",
            describe_request(),
            response.status_code,
            elapsed,
            "-" if user_id is None else user_id,
            extra=fields,
        )
        return response
