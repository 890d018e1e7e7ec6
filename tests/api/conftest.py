"""Fixtures of the API tests: ``bearer`` headers of a member's personal token, and a small probe
blueprint that the token tests call (registered the way ``sportressources.api`` registers its
own: CSRF-exempt, with the API's rate limits)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Blueprint, jsonify
from sqlalchemy import select

from sportressources.accounts import api_tokens
from sportressources.accounts.models import ApiToken
from sportressources.api import API_PREFIX, limits
from sportressources.api.auth import current_member, require
from sportressources.core.db import db, utcnow
from sportressources.extensions import csrf

PROBE = f"{API_PREFIX}/test-probe"


@pytest.fixture
def bearer(app):
    """``bearer(member, scope="write", expires_at=None)``: the headers of a new committed token of
    ``member``. An ``expires_at`` in the past gives a token that has already expired."""

    def make(member, scope: str = "write", expires_at=None) -> dict:
        future = expires_at is None or expires_at > utcnow() + timedelta(seconds=5)
        token, secret = api_tokens.create_token(
            member,
            name=f"Jeton de test {scope}",
            scope=scope,
            expires_at=expires_at if future else None,
        )
        if not future:
            token.expires_at = expires_at
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


def secret_of(headers: dict) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def token_of(headers: dict) -> ApiToken:
    """The row of the token these headers carry."""
    digest = api_tokens.hash_secret(secret_of(headers))
    return db.session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).one()


@pytest.fixture
def probe(app) -> str:
    """Endpoints under /api/v1/test-probe: GET /lire (scope read), POST /ecrire (scope write),
    GET /public (anyone); each answers who called. Returns the URL prefix."""
    blueprint = Blueprint("api_test_probe", __name__)

    def who() -> dict:
        member = current_member()
        return {"member": member.public_id if member else None}

    @blueprint.get("/lire")
    @require("read")
    def read():
        return jsonify(who())

    @blueprint.post("/ecrire")
    @require("write")
    def write():
        return jsonify(who())

    @blueprint.get("/public")
    def public():
        return jsonify(who())

    csrf.exempt(blueprint)
    limits.apply(blueprint)
    app.register_blueprint(blueprint, url_prefix=PROBE)
    return PROBE
