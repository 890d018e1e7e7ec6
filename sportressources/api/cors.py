"""CORS for what anyone may read: the public endpoints and the OpenAPI document.

Other sites' browsers may read them (origins from ``API_CORS_ORIGINS``: « * » or a comma-separated
list). Nothing else answers CORS: a member's endpoints and anything that writes stay same-origin,
so a page elsewhere cannot use a visitor's browser against them.
"""

from __future__ import annotations

from flask import Response, current_app
from flask_cors.core import get_cors_options, set_cors_headers

READ_METHODS = ["GET", "HEAD", "OPTIONS"]


def _options():
    origins = current_app.config.get("API_CORS_ORIGINS") or ""
    listed = [o.strip() for o in origins.split(",") if o.strip()]
    return get_cors_options(
        None,
        {
            "origins": "*" if listed == ["*"] else listed,
            "methods": READ_METHODS,
            "allow_headers": ["Accept", "Accept-Language", "Content-Type"],
            "expose_headers": ["Retry-After", "Link"],
            "supports_credentials": False,
            "max_age": 86400,
        },
    )


def allow_read(response: Response) -> Response:
    """``after_request``: the CORS headers of a read-only answer (or of a preflight for one)."""
    if not (current_app.config.get("API_CORS_ORIGINS") or "").strip():
        return response
    return set_cors_headers(response, _options())
