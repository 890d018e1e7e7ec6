"""The API side of the one request boundary (``core.web.act``): one service call, one commit, and
a refused call answered as problem JSON from the same table of outcomes as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort

from sportressources.core.errors import DomainError
from sportressources.core.web import act, problem_response


def call(service: Callable[[], Any]) -> Any:
    """Run ``service`` through ``act``; return its value, or end the request with the problem
    JSON of its DomainError (same status, code and French message as the matching page)."""
    result = act(service, expect=DomainError)
    if not result:
        assert result.error is not None
        abort(problem_response(result.error))
    return result.value
