"""API test fixtures (temporary, until the personal API tokens land).

``bearer(member, scope="write", expires_at=None)`` gives the request headers of a call made with
``member``'s token. Until the tokens work replaces this file, the header names the member and
``sportressources.api.auth.current_member`` is patched to read it back (in the request's own
database session, so that calls from threads work too); scopes and expiry are not checked here.
"""

from __future__ import annotations

import pytest
from flask import request

from sportressources.accounts.models import User
from sportressources.api import auth
from sportressources.core.db import db

PREFIX = "Bearer stub-"


def _member_of_request():
    header = request.headers.get("Authorization", "")
    if not header.startswith(PREFIX) or not header[len(PREFIX) :].isdigit():
        return None
    return db.session.get(User, int(header[len(PREFIX) :]))


@pytest.fixture
def bearer(app, monkeypatch):
    monkeypatch.setattr(auth, "current_member", _member_of_request)

    def headers(member, scope: str = "write", expires_at=None) -> dict:
        return {"Authorization": f"{PREFIX}{member.id}"}

    return headers
