"""The public JSON API, ``/api/v1``: the same services as the pages, as JSON.

Built with flask-smorest (marshmallow schemas, OpenAPI 3.1 generated from the code, served at
``/api/v1/openapi.json``). Each module holds one blueprint:

- ``views_public``: what anyone may read (listings search and detail, territory, venues,
  organisations, drives, events, impact figures), open to other sites' browsers (CORS);
- ``views_member``: a member's own listings, loans and conversations, and what they may do, with a
  personal API token (``auth``);

Errors are problem JSON (RFC 9457) with French messages (``errors``); every call that changes
something goes through ``boundary.call``, the API side of the one request boundary.
"""

from __future__ import annotations

from flask import Flask

API_PREFIX = "/api/v1"


def init_app(app: Flask) -> None:
    from sportressources.api import (
        auth,
        errors,
        limits,
        views_docs,
        views_member,
        views_member_listings,
        views_public,
    )
    from sportressources.api.spec import Api
    from sportressources.extensions import csrf

    app.config.setdefault("API_TITLE", "Sport ressources 62")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = Api(app)
    api.document(
        lambda: api.spec.components.security_scheme(
            auth.SECURITY_SCHEME,
            {
                "type": "http",
                "scheme": "bearer",
                "description": "Jeton d’accès personnel, créé sur la page « Accès à l’API » du "
                "compte (/compte/api) : en-tête « Authorization: Bearer sr62_… ».",
            },
        )
    )
    for module in (views_public, views_member, views_member_listings):
        # A token authenticates these requests, never a cookie: CSRF has nothing to protect
        csrf.exempt(module.blueprint)
        limits.apply(module.blueprint)
        api.register_blueprint(module.blueprint, url_prefix=API_PREFIX)
    errors.init_app(app)
    views_docs.init_app(app)
