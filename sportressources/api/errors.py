"""Problem JSON (RFC 9457) with French messages for every error under ``/api/``.

Owned by the public-API work: validation errors from the schemas, HTTP errors, rate limits, and the
declaration of each operation's error answers in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask


def problems(*statuses: int) -> Callable:
    """Decorator (under the route): the problem JSON answers this operation may give, declared in
    the OpenAPI document (scaffold: declares nothing yet)."""

    def decorate(view: Callable) -> Callable:
        return view

    return decorate


def init_app(app: Flask) -> None:
    """Register the API's error handlers (scaffold: core.errorpages already answers JSON here)."""
