"""Problem JSON (RFC 9457) with French messages for every error under ``/api/``.

Owned by the public-API work: validation errors from the schemas, HTTP errors, rate limits.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API's error handlers (scaffold: core.errorpages already answers JSON here)."""
