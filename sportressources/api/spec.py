"""flask-smorest's ``Api``, without its application-wide error handlers (``errors`` answers API
errors; the pages keep their own error pages), and with problem JSON (RFC 9457) as the error
answer of every operation in the OpenAPI document, instead of flask-smorest's ``Error``."""

from __future__ import annotations

import http

from flask_smorest import Api as SmorestApi
from flask_smorest.utils import prepare_response

from sportressources.api.schemas import Problem

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Api(SmorestApi):
    ERROR_SCHEMA = Problem

    def _register_error_handlers(self) -> None:
        """Nothing here: ``sportressources.api.errors`` registers the API's handlers."""

    def _register_responses(self) -> None:
        """One response per HTTP error status (and a default one), each a ``Problem`` in
        ``application/problem+json``; referenced by ``errors.problems`` and by flask-smorest's
        422 of every operation that reads arguments."""
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
