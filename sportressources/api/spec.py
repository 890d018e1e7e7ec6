"""flask-smorest's ``Api``, without its application-wide error handlers (``errors`` answers API
errors; the pages keep their own error pages)."""

from __future__ import annotations

from flask_smorest import Api as SmorestApi


class Api(SmorestApi):
    def _register_error_handlers(self) -> None:
        """Nothing here: ``sportressources.api.errors`` registers the API's handlers."""
