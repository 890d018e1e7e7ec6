"""A small crowd writing at once to the live server: each request queues, none fails."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.accounts.services import CONFIRM
from sportressources.core.db import db
from sportressources.core.tokens import fingerprint, make_token
from tests.factories import PASSWORD, make_user

CROWD = 30


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


def signed_in_opener(base: str, email: str):
    """A browser of its own, signed in as ``email``: its requests read the member first."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    opener.open(f"{base}/compte/connexion", data=body, timeout=60).close()
    return opener


def fetch(opener, url: str) -> int:
    try:
        with opener.open(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_simultaneous_confirmation_links_and_notification_pages_all_succeed(app, live_server):
    """Each member, signed in, opens a confirmation link (a GET that writes) or the
    notification list (marked read as it shows) at the same moment."""
    newcomers = [make_user(email=f"new{n}@example.org", confirmed=False) for n in range(CROWD)]
    members = [make_user(email=f"member{n}@example.org") for n in range(CROWD + 10)]
    links = [
        f"{live_server.url}/compte/confirmer/"
        + make_token(CONFIRM, {"u": user.id, "f": fingerprint(user.email)})
        for user in newcomers
    ] + [f"{live_server.url}/notifications"] * 10
    openers = [signed_in_opener(live_server.url, member.email) for member in members]
    start = threading.Barrier(len(links))
    statuses: list[int] = []

    def run(opener, url):
        start.wait()
        statuses.append(fetch(opener, url))

    threads = [threading.Thread(target=run, args=pair) for pair in zip(openers, links, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(statuses) == len(links)
    assert all(status < 500 for status in statuses), sorted(statuses)
    db.session.rollback()
    unconfirmed = db.session.scalars(
        select(User.email).where(User.email.like("new%"), User.email_confirmed_at.is_(None))
    ).all()
    assert unconfirmed == []
