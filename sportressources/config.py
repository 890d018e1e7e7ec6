"""Configuration: class defaults, then instance/config.py, then environment variables.

Every environment variable an operator may set is listed in ``ENVIRONMENT`` and in the README.
Nothing here is read at import time: ``load_config`` runs inside ``create_app``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"


class ConfigurationError(RuntimeError):
    """The configuration would make the site unsafe or unusable; the message says what to set."""


class DefaultConfig:
    APP_ENV = "production"
    SECRET_KEY = DEV_SECRET_KEY
    SITE_NAME = "Sport ressources 62"
    SITE_URL = "http://127.0.0.1:5000"
    CONTACT_EMAIL = "contact@sportressources62.fr"
    # Shown on the legal notice; the operator sets the real values (README, "Production")
    LEGAL_PUBLISHER = "Pôle métropolitain de l'Artois"
    LEGAL_PUBLISHER_ADDRESS = ""
    LEGAL_DIRECTOR = ""
    LEGAL_HOST = ""
    TRUSTED_PROXIES = 0

    SQLALCHEMY_DATABASE_URI = ""  # set by load_config: SQLite file in instance/ by default
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    SESSION_COOKIE_NAME = "sr62_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_NAME = "sr62_remember"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 12 * 3600

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    MAIL_BACKEND = "smtp"  # "smtp" or "outbox"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 587
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_TIMEOUT = 15
    MAIL_DEFAULT_SENDER = "Sport ressources 62 <ne-pas-repondre@sportressources62.fr>"
    MAIL_OUTBOX_DIR = ""  # set by load_config: instance/outbox by default
    # Every email is queued in the outbox table. "immediate": sent by the process right after the
    # commit; "queue": left for `flask mail send` (cron). Failures are retried by that command.
    MAIL_DELIVERY = "queue"
    MAIL_MAX_ATTEMPTS = 12
    MAIL_RETRY_DELAY = 60  # seconds before the first retry, doubled after each failure (≤ 6 h)
    MAIL_KEEP_DAYS = 30  # sent and given-up emails are deleted after this (`flask mail purge`)

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "sr62"
    # Per client address, loose enough for a person trying the site out (development);
    # production tightens them (PRODUCTION_RATE_LIMITS below).
    RATELIMIT_LOGIN = "600 per minute"
    RATELIMIT_REGISTER = "600 per minute"
    RATELIMIT_PASSWORD_RESET = "600 per minute"
    RATELIMIT_EMAIL_RESEND = "600 per minute"
    RATELIMIT_REPORT = "600 per minute"
    # The JSON API (/api/v1): per personal token, and per client address without one
    API_RATELIMIT_TOKEN = "600 per minute"
    API_RATELIMIT_ANONYMOUS = "600 per minute"
    # Personal API tokens: how many live tokens a member may hold
    API_TOKENS_MAX_PER_MEMBER = 10
    # Origins allowed to read the public, read-only API endpoints from a browser (CORS),
    # comma-separated
    API_CORS_ORIGINS = "*"

    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    UPLOAD_MAX_FILE_BYTES = 8 * 1024 * 1024
    UPLOAD_MAX_PIXELS = 40_000_000
    UPLOAD_DIR = ""  # set by load_config: instance/uploads by default
    # Where photos live: "local" (UPLOAD_DIR, one server) or "s3" (an S3-compatible object store
    # shared by every app server). Members see the same URLs either way.
    STORAGE_BACKEND = "local"
    S3_BUCKET = ""
    S3_ENDPOINT_URL = ""  # empty: Amazon S3; otherwise the store's URL (Scaleway, OVH, MinIO...)
    S3_REGION = "eu-west-3"
    S3_ACCESS_KEY_ID = ""  # both empty: boto3's own chain (AWS_* variables, instance role...)
    S3_SECRET_ACCESS_KEY = ""

    # Background tasks (Celery, redis://... broker). Empty: each task runs in the process that
    # asks for it, at once (development, `make run`), and the `flask` commands run them by hand.
    TASKS_BROKER_URL = ""
    # Beat schedule changes, in instance/config.py: task name -> seconds, a celery crontab, or
    # None to leave the task out of the beat (its `flask` command still runs it)
    TASKS_SCHEDULE: dict[str, Any] = {}

    # Logs: "json" (one object per line, with the request id) or "text" (development)
    LOG_FORMAT = "json"
    # /metrics (Prometheus): only for these client networks, comma-separated
    METRICS_ENABLED = True
    METRICS_ALLOWED_NETWORKS = "127.0.0.1/32,::1/128"

    # Sign-in failures per address typed (accounts/throttle.py): free ones, then refusals from
    # 1 minute doubling up to 5, then a 30-minute lock and one email to the owner
    SIGN_IN_FREE_FAILURES = 5
    SIGN_IN_FIRST_DELAY = 60
    SIGN_IN_MAX_DELAY = 300
    SIGN_IN_LOCK_FAILURES = 20
    SIGN_IN_LOCK_SECONDS = 30 * 60
    # Processes serving the site, all servers together (gunicorn reads the same variable): more
    # than one needs a shared rate-limit store (Redis), not memory://
    WEB_CONCURRENCY = 1

    PASSWORD_MIN_LENGTH = 10
    # argon2id, OWASP's second recommended profile; tests lower it for speed
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536
    PASSWORD_HASH_PARALLELISM = 1

    EMAIL_CONFIRM_MAX_AGE = 48 * 3600
    PASSWORD_RESET_MAX_AGE = 3600
    EMAIL_CHANGE_MAX_AGE = 48 * 3600
    # Anti-bot: a registration form posted faster than this after it was shown is refused
    REGISTRATION_MIN_SECONDS = 3
    REGISTRATION_FORM_MAX_AGE = 24 * 3600

    # Listings: a sale price is at most this share of the declared price new, and this ceiling
    LISTING_PRICE_CAP_SHARE = 0.5
    LISTING_PRICE_CAP_CENTS = 150_00
    # Publish without review: for development demos only, refused in production
    LISTINGS_AUTO_APPROVE = False
    # Loans: requested, accepted or active loans a borrower may have at once
    LOANS_MAX_ACTIVE = 3

    # Map tiles: the CSP allows exactly this server's origin for images
    MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    MAP_TILE_ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'

    # Rendering cache (core.cache): card fragments and per-request lookups. Empty: in each process
    # (development, one server); redis://...: shared by every process and server. Entries are
    # keyed by what they show, so a stale one is never served; the cache only saves work.
    PAGE_CACHE_URL = ""
    PAGE_CACHE_ENABLED = True
    # HTTP caching of anonymous public pages (core.httpcache): how long a shared cache (the
    # reverse proxy) may keep one, and serve it stale while it asks the app again
    PAGE_CACHE_SHARED_SECONDS = 15
    PAGE_CACHE_STALE_SECONDS = 60

    REQUEST_LOG_ENABLED = True
    SECURITY_HSTS = True
    LOAD_DEMO_DATA = False


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on", "oui"}:
        return True
    if lowered in {"0", "false", "no", "off", "non", ""}:
        return False
    raise ConfigurationError(f"not a boolean: {value!r}")


# environment variable -> (config key, parser)
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "APP_ENV": ("APP_ENV", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "SITE_URL": ("SITE_URL", str),
    "CONTACT_EMAIL": ("CONTACT_EMAIL", str),
    "LEGAL_PUBLISHER": ("LEGAL_PUBLISHER", str),
    "LEGAL_PUBLISHER_ADDRESS": ("LEGAL_PUBLISHER_ADDRESS", str),
    "LEGAL_DIRECTOR": ("LEGAL_DIRECTOR", str),
    "LEGAL_HOST": ("LEGAL_HOST", str),
    "TRUSTED_PROXIES": ("TRUSTED_PROXIES", int),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "MAIL_BACKEND": ("MAIL_BACKEND", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", _bool),
    "MAIL_USE_SSL": ("MAIL_USE_SSL", _bool),
    "MAIL_DEFAULT_SENDER": ("MAIL_DEFAULT_SENDER", str),
    "MAIL_OUTBOX_DIR": ("MAIL_OUTBOX_DIR", str),
    "MAIL_DELIVERY": ("MAIL_DELIVERY", str),
    "MAIL_MAX_ATTEMPTS": ("MAIL_MAX_ATTEMPTS", int),
    "MAIL_RETRY_DELAY": ("MAIL_RETRY_DELAY", int),
    "MAIL_KEEP_DAYS": ("MAIL_KEEP_DAYS", int),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", str),
    "RATELIMIT_ENABLED": ("RATELIMIT_ENABLED", _bool),
    "WEB_CONCURRENCY": ("WEB_CONCURRENCY", int),
    "API_RATELIMIT_TOKEN": ("API_RATELIMIT_TOKEN", str),
    "API_RATELIMIT_ANONYMOUS": ("API_RATELIMIT_ANONYMOUS", str),
    "API_TOKENS_MAX_PER_MEMBER": ("API_TOKENS_MAX_PER_MEMBER", int),
    "API_CORS_ORIGINS": ("API_CORS_ORIGINS", str),
    "PAGE_CACHE_URL": ("PAGE_CACHE_URL", str),
    "PAGE_CACHE_ENABLED": ("PAGE_CACHE_ENABLED", _bool),
    "PAGE_CACHE_SHARED_SECONDS": ("PAGE_CACHE_SHARED_SECONDS", int),
    "PAGE_CACHE_STALE_SECONDS": ("PAGE_CACHE_STALE_SECONDS", int),
    "MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", int),
    "UPLOAD_MAX_FILE_BYTES": ("UPLOAD_MAX_FILE_BYTES", int),
    "UPLOAD_MAX_PIXELS": ("UPLOAD_MAX_PIXELS", int),
    "UPLOAD_DIR": ("UPLOAD_DIR", str),
    "STORAGE_BACKEND": ("STORAGE_BACKEND", str),
    "S3_BUCKET": ("S3_BUCKET", str),
    "S3_ENDPOINT_URL": ("S3_ENDPOINT_URL", str),
    "S3_REGION": ("S3_REGION", str),
    "S3_ACCESS_KEY_ID": ("S3_ACCESS_KEY_ID", str),
    "S3_SECRET_ACCESS_KEY": ("S3_SECRET_ACCESS_KEY", str),
    "TASKS_BROKER_URL": ("TASKS_BROKER_URL", str),
    "LOG_FORMAT": ("LOG_FORMAT", str),
    "METRICS_ENABLED": ("METRICS_ENABLED", _bool),
    "METRICS_ALLOWED_NETWORKS": ("METRICS_ALLOWED_NETWORKS", str),
    "LOAD_DEMO_DATA": ("LOAD_DEMO_DATA", _bool),
    "MAP_TILE_URL": ("MAP_TILE_URL", str),
    "LISTING_PRICE_CAP_SHARE": ("LISTING_PRICE_CAP_SHARE", float),
    "LISTING_PRICE_CAP_CENTS": ("LISTING_PRICE_CAP_CENTS", int),
    "LISTINGS_AUTO_APPROVE": ("LISTINGS_AUTO_APPROVE", _bool),
    "LOANS_MAX_ACTIVE": ("LOANS_MAX_ACTIVE", int),
    "MAP_TILE_ATTRIBUTION": ("MAP_TILE_ATTRIBUTION", str),
}

# Per client address. Sign-in stays high enough for a club house or a médiathèque, where dozens
# of members share one public address: guessing one account's password is slowed per account
# (SIGN_IN_*), not here. Tests of the limits set these explicitly.
PRODUCTION_RATE_LIMITS: dict[str, str] = {
    "RATELIMIT_LOGIN": "60 per minute;600 per hour",
    "RATELIMIT_REGISTER": "5 per minute;20 per hour",
    "RATELIMIT_PASSWORD_RESET": "5 per minute;20 per hour",
    "RATELIMIT_EMAIL_RESEND": "3 per minute;10 per hour",
    "RATELIMIT_REPORT": "10 per minute;60 per hour",
    "API_RATELIMIT_TOKEN": "120 per minute;3000 per hour",
    "API_RATELIMIT_ANONYMOUS": "60 per minute;1000 per hour",
}

ENVIRONMENT_DEFAULTS: dict[str, dict[str, Any]] = {
    # Development: mail goes to the outbox, cookies work over plain http on 127.0.0.1
    "development": {
        "MAIL_BACKEND": "outbox",
        "MAIL_DELIVERY": "immediate",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SECURITY_HSTS": False,
        "LOAD_DEMO_DATA": True,
        "LOG_FORMAT": "text",
    },
    "testing": {
        "TESTING": True,
        "MAIL_BACKEND": "outbox",
        "MAIL_DELIVERY": "immediate",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SECURITY_HSTS": False,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_COST": 1024,
        "REGISTRATION_MIN_SECONDS": 0,
        "RATELIMIT_ENABLED": False,
        "LOG_FORMAT": "text",
    },
    "production": {**PRODUCTION_RATE_LIMITS},
}


def load_config(
    config: dict[str, Any], instance_path: Path, overrides: dict[str, Any] | None
) -> None:
    """Fill ``config`` (a Flask Config) in layers and check that the result is safe to run."""
    env_name = (overrides or {}).get("APP_ENV") or os.environ.get("APP_ENV") or "production"
    if env_name not in ENVIRONMENT_DEFAULTS:
        raise ConfigurationError(
            f"APP_ENV must be one of {sorted(ENVIRONMENT_DEFAULTS)}, not {env_name!r}"
        )
    config.from_object(DefaultConfig)  # type: ignore[attr-defined]
    config.update(ENVIRONMENT_DEFAULTS[env_name])
    config["APP_ENV"] = env_name

    instance_config = instance_path / "config.py"
    if instance_config.is_file() and env_name != "testing":
        config.from_pyfile(str(instance_config))  # type: ignore[attr-defined]

    if env_name != "testing":
        for variable, (key, parse) in ENVIRONMENT.items():
            if variable in os.environ and variable != "APP_ENV":
                try:
                    config[key] = parse(os.environ[variable])
                except (ValueError, ConfigurationError) as exc:
                    raise ConfigurationError(f"{variable}: {exc}") from exc
        config.from_prefixed_env("SPORTRESSOURCES")  # type: ignore[attr-defined]

    config.update(overrides or {})
    config["APP_ENV"] = env_name

    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'sportressources.db'}"
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if not config["MAIL_OUTBOX_DIR"]:
        config["MAIL_OUTBOX_DIR"] = str(instance_path / "outbox")
    if not config["UPLOAD_DIR"]:
        config["UPLOAD_DIR"] = str(instance_path / "uploads")
    config["CSP_EXTRA_SOURCES"] = {"img-src": [tile_origin(config["MAP_TILE_URL"])]}
    check_config(config)


def tile_origin(url: str) -> str:
    """The CSP source of a tile URL: « https://{s}.tile.example/… » → « https://*.tile.example »."""
    parts = urlsplit(url.replace("{s}.", "*."))
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise ConfigurationError(f"MAP_TILE_URL must be an http(s) URL template, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` spellings and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check_config(config: dict[str, Any]) -> None:
    """Refuse settings that are unsafe anywhere, and the development secret in production."""
    if config["MAIL_BACKEND"] not in {"smtp", "outbox"}:
        raise ConfigurationError("MAIL_BACKEND must be 'smtp' or 'outbox'.")
    if config["MAIL_DELIVERY"] not in {"immediate", "queue"}:
        raise ConfigurationError("MAIL_DELIVERY must be 'immediate' or 'queue'.")
    if min(config["MAIL_MAX_ATTEMPTS"], config["MAIL_RETRY_DELAY"], config["MAIL_KEEP_DAYS"]) < 1:
        raise ConfigurationError(
            "MAIL_MAX_ATTEMPTS, MAIL_RETRY_DELAY and MAIL_KEEP_DAYS must be at least 1."
        )
    if config["STORAGE_BACKEND"] not in {"local", "s3"}:
        raise ConfigurationError("STORAGE_BACKEND must be 'local' or 's3'.")
    if config["STORAGE_BACKEND"] == "s3" and not config["S3_BUCKET"]:
        raise ConfigurationError("STORAGE_BACKEND is 's3': set S3_BUCKET (and S3_ENDPOINT_URL).")
    if config["LOG_FORMAT"] not in {"json", "text"}:
        raise ConfigurationError("LOG_FORMAT must be 'json' or 'text'.")
    for network in config["METRICS_ALLOWED_NETWORKS"].split(","):
        try:
            ipaddress.ip_network(network.strip()) if network.strip() else None
        except ValueError as exc:
            raise ConfigurationError(f"METRICS_ALLOWED_NETWORKS: {exc}") from exc
    if not 0 < config["LISTING_PRICE_CAP_SHARE"] <= 1 or config["LISTING_PRICE_CAP_CENTS"] < 0:
        raise ConfigurationError(
            "LISTING_PRICE_CAP_SHARE must be in ]0, 1] and LISTING_PRICE_CAP_CENTS positive."
        )
    if config["APP_ENV"] != "production":
        return
    if config["LISTINGS_AUTO_APPROVE"]:
        raise ConfigurationError(
            "LISTINGS_AUTO_APPROVE is for development: every listing is reviewed."
        )
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://") and config["WEB_CONCURRENCY"] > 1:
        raise ConfigurationError(
            "RATELIMIT_STORAGE_URI is memory:// but WEB_CONCURRENCY is more than 1: each process "
            "would count on its own. Use a shared store (redis://...) or a single process."
        )
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET_KEY or len(secret) < 32:
        raise ConfigurationError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))").'
        )
