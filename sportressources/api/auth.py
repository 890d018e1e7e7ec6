"""Who is calling: a personal API token sent as ``Authorization: Bearer <token>``.

Cookies never authenticate an API call, not even a read: a browser signed in to the site that
calls the API without a token is anonymous. The token is checked once per request (the rate
limiter asks first, the view after) and kept on ``g``. A valid token's ``last_used_at`` is noted
after the response, at most once a minute.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from http import HTTPStatus
from typing import Literal

from flask import abort, after_this_request, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError

from sportressources.accounts import api_tokens
from sportressources.accounts.models import ApiToken, User
from sportressources.core.db import begin_write, db, utcnow
from sportressources.core.errors import DomainError, Forbidden
from sportressources.core.web import problem_response

# The name of the personal-token scheme in the OpenAPI document (declared by api.init_app)
SECURITY_SCHEME = "jeton"

Scope = Literal["read", "write"]

# Longer than any token: such a header is refused without hashing it
HEADER_MAX = 200
REALM = 'Bearer realm="api"'


class Unauthorised(DomainError):
    code = "unauthorised"
    status = 401


class InsufficientScope(Forbidden):
    code = "insufficient_scope"


def _secret_from_header() -> tuple[str | None, bool]:
    """The token sent with this request, and whether an Authorization header came at all."""
    header = request.headers.get("Authorization")
    if header is None:
        return None, False
    scheme, _space, secret = header.strip().partition(" ")
    if len(header) > HEADER_MAX or scheme.lower() != "bearer" or not secret.strip():
        return "", True  # malformed: never matches a token
    return secret.strip(), True


def _check() -> api_tokens.TokenCheck:
    if "api_token_check" not in g:
        secret, sent = _secret_from_header()
        if sent and not secret:
            result = api_tokens.TokenCheck(error=api_tokens.malformed())
        else:
            result = api_tokens.check(secret)
        g.api_token_check = result
        if result.token is not None:
            _note_use_after_response(result.token)
    return g.api_token_check


def _note_use_after_response(token: ApiToken) -> None:
    """Note the token's use after the response is built, in its own short write, at most once
    per ``api_tokens.USE_INTERVAL`` (not a write per request); a busy database skips it."""
    if token.last_used_at is not None and utcnow() - token.last_used_at < api_tokens.USE_INTERVAL:
        return
    token_id = token.id

    @after_this_request
    def note_use(response):
        try:
            db.session.rollback()
            begin_write()
            stored = db.session.get(ApiToken, token_id)
            if stored is not None:
                api_tokens.mark_used(stored)
            db.session.commit()
        except OperationalError:
            db.session.rollback()
        return response


def current_token() -> ApiToken | None:
    """The valid token that came with this request, or None (also outside a request)."""
    if not has_request_context():
        return None
    return _check().token


def current_member() -> User | None:
    """The member whose valid token came with this request, or None."""
    token = current_token()
    return token.user if token is not None else None


def current_token_id() -> int | None:
    """The id of this request's valid token, for the rate limiter, or None."""
    token = current_token()
    return token.id if token is not None else None


def _refuse(error: DomainError, challenge: str):
    response = problem_response(error)
    if response.status_code == 401:
        body = response.get_json()
        body["title"] = str(_l("Authentification requise"))
        response.set_data(json.dumps(body, ensure_ascii=False))
    response.headers["WWW-Authenticate"] = challenge
    abort(response)


def require(scope: Scope) -> Callable:
    """Decorator: the view runs only for a valid token that carries ``scope`` ("write" implies
    "read"); 401 problem JSON without one (saying what is wrong: missing, malformed, unknown or
    revoked, expired, account deleted), 403 for a suspended or banned member and with a
    read-only token on a write (``insufficient_scope``)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            result = _check()
            if result.token is None:
                error = result.error or Unauthorised()
                if error.code == "token_missing":
                    _refuse(error, REALM)
                _refuse(error, f'{REALM}, error="invalid_token"')
            if scope == "write" and result.token.scope != "write":
                error = InsufficientScope(
                    _l(
                        "Ce jeton d’accès est en lecture seule : créez un jeton « lecture et "
                        "écriture » pour cette opération."
                    )
                )
                _refuse(error, f'{REALM}, error="insufficient_scope", scope="write"')
            return view(*args, **kwargs)

        # In the OpenAPI document: the operation needs a token, and may answer 401 or 403
        wrapper.__dict__["_apidoc"] = deepcopy(getattr(view, "_apidoc", {}))
        wrapper._apidoc.setdefault("manual_doc", {})["security"] = [{SECURITY_SCHEME: []}]
        responses = wrapper._apidoc.setdefault("response", {}).setdefault("responses", {})
        for status in (401, 403):
            responses.setdefault(status, [HTTPStatus(status).name])
        return wrapper

    return decorate
