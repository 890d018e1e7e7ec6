"""Who is calling: a personal API token sent as ``Authorization: Bearer``.

Cookies never authenticate an API call. Scaffold: ``current_member`` finds nobody yet and
``require`` refuses every call with a 401; the tokens work replaces both.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Literal

from flask import abort

from sportressources.core.errors import DomainError
from sportressources.core.web import problem_response

Scope = Literal["read", "write"]


class Unauthorised(DomainError):
    code = "unauthorised"
    status = 401


def current_member():
    """The member whose valid token came with this request, or None."""
    return None


def require(scope: Scope) -> Callable:
    """Decorator: the view runs only for a valid token that carries ``scope`` ("write" implies
    "read"); 401 problem JSON without one, 403 with a read-only token on a write."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            member = current_member()
            if member is None:
                abort(problem_response(Unauthorised()))
            return view(*args, **kwargs)

        return wrapper

    return decorate
