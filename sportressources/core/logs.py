"""Log lines an operator can search: one JSON object per line (or text in development), each
carrying the id of the request (or task) it belongs to.

The request id comes from an incoming ``X-Request-ID`` header when it looks like an id (a
proxy's), otherwise it is made here; the response echoes it. Outside a request (a Celery task, a
CLI command) ``bind_request_id`` sets it for a block, and every line logged there carries it:
``RequestIdFilter`` and the formatters read the same context variable.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import secrets
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# An id from a proxy: plain characters, long enough to be unique, short enough for a log line
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
# Fields of the request line (requestlog.py) that the JSON formatter adds as keys of their own
EXTRA_FIELDS = ("method", "route", "status", "duration_ms", "user_id", "task")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "sportressources_request_id", default=None
)


def new_request_id() -> str:
    return secrets.token_hex(16)


def current_request_id() -> str | None:
    """The id of the request being served, or the one ``bind_request_id`` set; None outside."""
    if has_request_context():
        if "request_id" not in g:
            offered = request.headers.get(REQUEST_ID_HEADER, "")
            g.request_id = offered if SAFE_REQUEST_ID.fullmatch(offered) else new_request_id()
        return g.request_id
    return _request_id.get()


@contextlib.contextmanager
def bind_request_id(value: str | None = None) -> Iterator[str]:
    """Within the block, log lines carry ``value`` (a new id if None or not a safe id): for a
    task, pass the id of the request that queued it."""
    chosen = value if value and SAFE_REQUEST_ID.fullmatch(value) else new_request_id()
    token = _request_id.set(chosen)
    try:
        yield chosen
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Handler filter: sets ``record.request_id`` (``-`` outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, then the request
    line's fields and the traceback of an exception, if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Development: ``time LEVEL logger [request id]: message``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        RequestIdFilter().filter(record)
        return super().format(record)


def make_formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def make_handler(log_format: str) -> logging.Handler:
    """A stderr handler in ``log_format`` (``json`` or ``text``), request ids filled in: for the
    app's loggers, and for a worker's (Celery's ``after_setup_logger`` signal)."""
    handler = logging.StreamHandler()
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(RequestIdFilter())
    handler.set_name("sportressources")
    return handler


def configure_logging(app: Flask) -> None:
    """Send the ``sportressources.*`` loggers to stderr in ``LOG_FORMAT``, once per process.

    Tests (``app.testing``) keep pytest's capture only. gunicorn's own error log stays
    gunicorn's (its ``--log-config`` governs it); the access log is replaced by requestlog.py.
    """
    package_log = logging.getLogger("sportressources")
    if package_log.level == logging.NOTSET:
        package_log.setLevel(logging.INFO)
    if app.testing:
        return
    ours = [h for h in package_log.handlers if h.get_name() == "sportressources"]
    if ours:
        ours[0].setFormatter(make_formatter(app.config["LOG_FORMAT"]))
    elif not package_log.handlers:
        package_log.addHandler(make_handler(app.config["LOG_FORMAT"]))


def gunicorn_logconfig(log_format: str = "json") -> dict:
    """gunicorn's ``logconfig_dict`` for its error log in the site's format; in gunicorn.conf.py:
    ``logconfig_dict = gunicorn_logconfig(os.environ.get("LOG_FORMAT", "json"))``."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"site": {"()": f"{__name__}.{formatter.__name__}"}},
        # gunicorn merges this over its defaults key by key: both its handler names are needed
        "handlers": {
            name: {"class": "logging.StreamHandler", "formatter": "site", "stream": stream}
            for name, stream in (
                ("console", "ext://sys.stdout"),
                ("error_console", "ext://sys.stderr"),
            )
        },
        "root": {"level": "WARNING", "handlers": []},  # the site's loggers have their own handler
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


# --- tasks: a task's log lines carry the id of the request that queued it -------------------------

TASK_HEADER = "sr62_request_id"
_task_tokens: dict[str, contextvars.Token] = {}


def _stamp_task(headers: dict | None = None, **_: object) -> None:
    request_id = current_request_id()
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


def _bind_task(task_id: str | None = None, task: object = None, **_: object) -> None:
    context = getattr(task, "request", None)
    offered = None
    if context is not None:
        offered = getattr(context, TASK_HEADER, None) or (context.headers or {}).get(TASK_HEADER)
    chosen = offered if offered and SAFE_REQUEST_ID.fullmatch(offered) else new_request_id()
    _task_tokens[task_id or ""] = _request_id.set(chosen)


def _unbind_task(task_id: str | None = None, **_: object) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        with contextlib.suppress(ValueError):
            _request_id.reset(token)


def connect_task_signals() -> None:
    """Celery: a task published during a request carries its id in a message header, and the
    worker binds it (or a new id) while the task runs. Idempotent."""
    from celery import signals

    signals.before_task_publish.connect(_stamp_task, weak=False, dispatch_uid=TASK_HEADER)
    signals.task_prerun.connect(_bind_task, weak=False, dispatch_uid=TASK_HEADER)
    signals.task_postrun.connect(_unbind_task, weak=False, dispatch_uid=TASK_HEADER)


def register(app: Flask) -> None:
    configure_logging(app)
    if app.config.get("TASKS_BROKER_URL"):
        connect_task_signals()

    @app.after_request
    def echo_request_id(response):
        request_id = current_request_id()
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
