"""Site roles, the actor policies judge, the access decorator every blueprint reuses, and the
HTTP security headers."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


class Role(enum.StrEnum):
    """What an account may do on the whole site. Each role includes the powers of those listed
    before it. Belonging to a club or an association is a membership, not a site role."""

    RESIDENT = "resident"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


@dataclass(frozen=True)
class Actor:
    """Who acts: a member on their own behalf or, once organisations exist, for one of them.

    Site roles stay the member's own, whoever they act for; what acting for ``organisation``
    allows is for the policies to decide.
    """

    user: Any
    organisation: Any = None

    @property
    def is_member(self) -> bool:
        """True for a signed-in account; False for None and for an anonymous visitor."""
        return self.user is not None and bool(getattr(self.user, "is_authenticated", False))

    @property
    def user_id(self) -> int | None:
        """The id of the acting member's account, None for a visitor."""
        return getattr(self.user, "id", None) if self.is_member else None


def actor_of(who: Any) -> Actor:
    """``who`` as an Actor: an Actor as it is; a user, an anonymous visitor or None acting for
    themselves, so that policies accept either."""
    return who if isinstance(who, Actor) else Actor(who)


def has_role(who: Any, role: Role | str) -> bool:
    """True if ``who`` (a user or an Actor) is signed in and holds the site role ``role`` or a
    higher one. For policies: services and views ask a policy, not a role."""
    user = actor_of(who).user
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    held = getattr(user, "role", None)
    if held is None:
        return False
    return Role(held).rank >= Role(role).rank


def role_required(requirement: Role | str | Callable[[Any], bool]) -> Callable[[F], F]:
    """View decorator: anonymous visitors go to the login page; others get 403 unless they pass
    ``requirement``, a policy called with the signed-in member, or a site role they must hold."""

    def allowed(user: Any) -> bool:
        if callable(requirement):
            return requirement(user)
        return has_role(user, requirement)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def content_security_policy(app: Flask) -> str:
    """A CSP with no inline script or style; extra sources come from ``CSP_EXTRA_SOURCES``."""
    extra: dict[str, list[str]] = app.config.get("CSP_EXTRA_SOURCES", {})
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    for name, sources in extra.items():
        directives.setdefault(name, ["'self'"]).extend(sources)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def set_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(app))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        loaded = g.get("_login_user")  # never load the user just for this
        if (
            "Cache-Control" not in headers
            and request.endpoint != "static"
            and loaded is not None
            and loaded.is_authenticated
        ):
            # Pages seen signed in carry personal data: never kept by a shared cache, nor by the
            # browser (shared computers in libraries), whatever the page
            headers["Cache-Control"] = "private, no-store"
            response.vary.add("Cookie")
        if app.config["SECURITY_HSTS"] and request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
