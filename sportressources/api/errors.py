"""Problem JSON (RFC 9457) with French messages for every error under ``/api/``.

Every error answer under ``/api/`` has the shape of ``core.web.problem_response``: ``type``,
``title``, ``status``, ``detail``, ``code`` and ``errors`` ({field: [messages]}), as
``application/problem+json``. The site's own handlers (``core.errorpages``) keep answering the
pages: ``init_app`` wraps each of them, so that a request under ``/api/`` gets problem JSON and
any other request the page it had before. ``problems`` declares an operation's error answers in
the OpenAPI document.
"""

from __future__ import annotations

import http
import json
from collections.abc import Callable, Mapping
from copy import deepcopy
from functools import wraps

from flask import Flask, Response, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from sportressources.core import errorpages

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Stable codes of the HTTP errors, for programs (a DomainError brings its own)
CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "server_error",
    503: "service_unavailable",
}

API_DETAILS = {
    404: _l("Cette adresse ne correspond à aucune ressource de l’API. Consultez sa documentation."),
}


def problems(*statuses: int) -> Callable:
    """Decorator (under the route): the problem JSON answers this operation may give, declared in
    the OpenAPI document (each a ``Problem`` in ``application/problem+json``)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        # The responses registered by spec.Api, one per status, referenced by name
        wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))
        responses = wrapper._apidoc.setdefault("response", {}).setdefault("responses", {})
        for status in statuses:
            responses.setdefault(status, []).append(http.HTTPStatus(status).name)
        return wrapper

    return decorate


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def problem(
    status: int,
    detail: str | None = None,
    *,
    code: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    title: str | None = None,
) -> Response:
    """A problem JSON answer, in the shape of ``core.web.problem_response``."""
    default_title, default_detail = errorpages.MESSAGES.get(
        status, errorpages.MESSAGES[500 if status >= 500 else 400]
    )
    response = jsonify(
        type="about:blank",
        title=str(title or default_title),
        status=status,
        detail=str(detail or default_detail),
        code=code or CODES.get(status, str(status)),
        errors={name: [str(m) for m in messages] for name, messages in (errors or {}).items()},
    )
    response.status_code = status
    response.mimetype = PROBLEM_CONTENT_TYPE
    return response


def field_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages flattened to {"field": [...]} (« a.b » for nested fields;
    the location webargs adds, such as « query » or « json », is left out)."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for name, value in messages.items():
            key = f"{prefix}.{name}" if prefix else str(name)
            if isinstance(value, Mapping):
                flat.update(field_errors(value, key))
            elif isinstance(value, list | tuple):
                flat.setdefault(key, []).extend(str(m) for m in value if not isinstance(m, Mapping))
                for item in value:
                    if isinstance(item, Mapping):
                        flat.update(field_errors(item, key))
            else:
                flat.setdefault(key, []).append(str(value))
    return flat


def _validation_problem(error: HTTPException) -> Response:
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    # webargs keys messages by location first: {"query": {"sport": [...]}}
    by_field: dict[str, list[str]] = {}
    for value in messages.values() if isinstance(messages, Mapping) else ():
        by_field.update(field_errors(value))
    if "_schema" in by_field:
        by_field["_general"] = by_field.pop("_schema")
    detail = None
    if len(by_field) == 1:
        detail = next(iter(by_field.values()))[0]
    return problem(422, detail, errors=by_field)


def _http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if status == 422:
        return _validation_problem(error)
    if status == 400 and "json" in (data.get("messages") or {}):
        return problem(
            400,
            _("Le corps de la requête n’est pas un JSON valide."),
            code="invalid_json",
        )
    if status == 405:
        methods = sorted(getattr(error, "valid_methods", None) or [])
        response = problem(
            405,
            _(
                "Cette adresse n’accepte pas la méthode %(method)s ; méthodes acceptées : "
                "%(methods)s.",
                method=request.method,
                methods=", ".join(methods),
            ),
        )
        response.headers["Allow"] = ", ".join(methods)
        return response
    if status == 415:
        return problem(
            415,
            _("Envoyez le corps de la requête en JSON (Content-Type: application/json)."),
            title=_("Format non pris en charge"),
        )
    return problem(status, API_DETAILS.get(status) and str(API_DETAILS[status]))


def _reshaped(response: Response) -> Response:
    """The site's JSON answer to an error (``errorpages.respond``), with every field of the
    problem shape; headers (Retry-After, Allow) kept."""
    try:
        body = json.loads(response.get_data(as_text=True))
    except ValueError:
        body = {}
    code = body.get("code") or ""
    reshaped = problem(
        response.status_code,
        body.get("detail"),
        code=CODES.get(response.status_code) if code.isdigit() else code,
        title=body.get("title"),
    )
    for name, value in response.headers.items():
        if name.lower() not in {"content-type", "content-length"}:
            reshaped.headers[name] = value
    return reshaped


def _handler_of(app: Flask, exception: type[Exception]) -> Callable | None:
    code = getattr(exception, "code", None)
    return app.error_handler_spec.get(None, {}).get(code, {}).get(exception)


def init_app(app: Flask) -> None:
    """Wrap the site's error handlers: under ``/api/``, problem JSON with French messages."""

    @app.before_request
    def refuse_json_nested_too_deep():
        """A JSON body nested beyond what the parser can follow (thousands of brackets) is a
        400 like any malformed JSON, not a 500: webargs catches only ValueError."""
        if not is_api_request() or not request.is_json or not request.content_length:
            return None
        try:
            json.loads(request.get_data(cache=True))
        except RecursionError:
            return problem(
                400,
                _("Le corps de la requête est imbriqué trop profondément."),
                code="invalid_json",
            )
        except ValueError:
            return None  # answered by the arguments' parser, as malformed JSON
        return None

    previous_http = _handler_of(app, HTTPException)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if not is_api_request():
            return previous_http(error) if previous_http else error
        if error.response is not None or error.code is None or error.code < 400:
            return error  # an answer already made (boundary.call's problem JSON), or a redirect
        if error.code == 413 and previous_http is not None:
            return _reshaped(previous_http(error))
        return _http_problem(error)

    # Those that log, roll back or compute Retry-After: the site's handler, reshaped
    for exception in (RateLimitExceeded, InternalServerError, OperationalError):
        previous = _handler_of(app, exception)
        if previous is None:
            continue
        app.register_error_handler(exception, _wrapped(previous))


def _wrapped(previous: Callable) -> Callable:
    @wraps(previous)
    def handler(error):
        response = previous(error)
        if not is_api_request():
            return response
        return _reshaped(response)

    return handler
