"""flask-smorest's ``Api``, without its application-wide error handlers (``errors`` answers API
errors; the pages keep their own error pages), and with problem JSON (RFC 9457) as the error
answer of every operation in the OpenAPI document, instead of flask-smorest's ``Error``.

The document is written when it is first read (``openapi.json``, the documentation page, the
``flask openapi`` commands), not when the app is built: describing the API's hundred-odd schemas
and operations cost two thirds of building the whole app, which every worker, every command and
every test does and almost none of them ever reads the document.
"""

from __future__ import annotations

import http
import threading
from collections.abc import Callable

from flask_smorest import Api as SmorestApi
from flask_smorest.utils import prepare_response

from sportressources.api.schemas import Problem

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Api(SmorestApi):
    ERROR_SCHEMA = Problem

    def __init__(self, app=None, **options) -> None:
        self._pending: list[Callable[[], None]] = []
        self._writing = threading.local()
        self._lock = threading.RLock()
        super().__init__(app, **options)

    @property
    def spec(self):
        """The OpenAPI document, completed with everything registered so far."""
        if self.__dict__.get("_pending") and not getattr(self._writing, "active", False):
            with self._lock:  # two first readers at once: one writes, the other waits
                self._writing.active = True
                try:
                    while self._pending:
                        self._pending.pop(0)()
                finally:
                    self._writing.active = False
        return self.__dict__.get("_spec")

    @spec.setter
    def spec(self, value) -> None:
        self._spec = value

    def document(self, write: Callable[[], None]) -> None:
        """Run ``write`` (which adds to ``self.spec``) when the document is first read, after
        what was registered before it."""
        self._pending.append(write)

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        """flask-smorest's, with the blueprint's operations described later (``spec``)."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)

        def describe() -> None:
            blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
            self.spec.tag({"name": name, "description": blp.description})

        self.document(describe)

    def _register_error_handlers(self) -> None:
        """Nothing here: ``sportressources.api.errors`` registers the API's handlers."""

    def _register_etag_headers(self) -> None:
        self.document(super()._register_etag_headers)

    def _register_pagination_header(self) -> None:
        self.document(super()._register_pagination_header)

    def _register_responses(self) -> None:
        """One response per HTTP error status (and a default one), each a ``Problem`` in
        ``application/problem+json``; referenced by ``errors.problems`` and by flask-smorest's
        422 of every operation that reads arguments. Written with the rest of the document."""
        self.document(self._write_responses)

    def _write_responses(self) -> None:
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response = {"description": status.phrase, "schema": self.ERROR_SCHEMA}
            if status == 429:
                response["headers"] = {
                    "Retry-After": {
                        "description": "Secondes à attendre avant de réessayer",
                        "schema": {"type": "integer"},
                    }
                }
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Erreur (problem JSON, RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)
