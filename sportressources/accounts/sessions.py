"""Signed-in devices: one ``MemberSession`` per sign-in, checked on every request.

The session cookie and the « remember me » cookie carry a random token (Flask-Login's user id);
the database keeps only its SHA-256. Loading the user is one lookup on that unique hash, so a
session ended here (sign-out, the devices page, a password change, a sanction) signs nobody in,
whatever cookie is replayed. Where a device is is not recorded: no IP address, no geolocation.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from sportressources.accounts.models import MemberSession, User
from sportressources.accounts.policies import is_restricted
from sportressources.core.db import begin_write, db, utcnow
from sportressources.core.errors import NotFound

# last_seen_at is written at most this often per session, not on every request
TOUCH_INTERVAL = timedelta(minutes=5)

# (pattern, name): the first match wins, so Edge and Opera come before Chrome, Chrome before Safari
_BROWSERS = (
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
)
_SYSTEMS = (
    (r"Android", "Android"),
    (r"iPhone|iPad|iPod", "iOS"),
    (r"CrOS", "ChromeOS"),
    (r"Windows", "Windows"),
    (r"Macintosh|Mac OS X", "macOS"),
    (r"Linux", "Linux"),
)


def describe_user_agent(user_agent: str | None) -> tuple[str | None, str | None]:
    """The browser and system names a person recognises (« Firefox », « Android »), or None."""
    text = (user_agent or "")[:512]

    def first(table) -> str | None:
        return next((name for pattern, name in table if re.search(pattern, text)), None)

    return first(_BROWSERS), first(_SYSTEMS)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _is_expired(session: MemberSession, now: datetime) -> bool:
    # As long as its cookie would last: a session cookie kept open, or « remember me »
    key = "REMEMBER_COOKIE_DURATION" if session.remember else "PERMANENT_SESSION_LIFETIME"
    return session.last_seen_at + current_app.config[key] < now


def start_session(user: User, remember: bool, user_agent: str | None) -> MemberSession:
    """Open a session for ``user`` signing in on this device; the user's ``get_id`` then gives
    its token for the cookies. Flushes."""
    token = secrets.token_urlsafe(32)
    browser, system = describe_user_agent(user_agent)
    now = utcnow()
    session = MemberSession(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        browser=browser,
        system=system,
        remember=remember,
    )
    db.session.add(session)
    db.session.flush()
    user.current_session_token = token
    user.current_session_id = session.id
    return session


def load_user(token: str) -> User | None:
    """Flask-Login loader: the live account of a live session with this token, or None (also
    for a suspended or banned member, whatever session survived)."""
    if not token or len(token) > 64:
        return None
    row = db.session.execute(
        select(MemberSession, User)
        .join(User, User.id == MemberSession.user_id)
        .where(
            MemberSession.token_hash == hash_token(token),
            MemberSession.revoked_at.is_(None),
            User.deleted_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    session, user = row
    if _is_expired(session, utcnow()) or is_restricted(user):
        return None
    user.current_session_token = token
    user.current_session_id = session.id
    user.current_session_seen_at = session.last_seen_at
    return user


def touch_current_session(user: User) -> None:
    """Record that the session of this request was seen, at most every few minutes.

    Runs after the response is built, in its own short write; a busy database skips it (the
    next request will try again), since it never matters more than the page.
    """
    seen = getattr(user, "current_session_seen_at", None)
    if user.current_session_id is None or seen is None or utcnow() - seen < TOUCH_INTERVAL:
        return
    try:
        db.session.rollback()
        begin_write()
        db.session.execute(
            update(MemberSession)
            .where(MemberSession.id == user.current_session_id)
            .values(last_seen_at=utcnow())
        )
        db.session.commit()
    except OperationalError:
        db.session.rollback()


def live_sessions(user: User) -> list[MemberSession]:
    """The sessions of ``user`` still signing a device in, most recently seen first."""
    now = utcnow()
    sessions = db.session.scalars(
        select(MemberSession)
        .where(MemberSession.user_id == user.id, MemberSession.revoked_at.is_(None))
        .order_by(MemberSession.last_seen_at.desc(), MemberSession.id.desc())
    ).all()
    return [session for session in sessions if not _is_expired(session, now)]


def end_current_session(user: User) -> None:
    """Sign-out: the session of this request stops signing anyone in. Flushes."""
    if user.current_session_id is not None:
        _revoke(MemberSession.id == user.current_session_id, MemberSession.user_id == user.id)


def end_session(user: User, session_id: int) -> bool:
    """End one of the member's sessions from the devices page; True if it was this request's.

    Raises NotFound for a session that is not a live one of ``user``.
    """
    ended = _revoke(MemberSession.id == session_id, MemberSession.user_id == user.id)
    if not ended:
        raise NotFound(_l("Cette session n’existe pas ou est déjà terminée."))
    return session_id == user.current_session_id


def revoke_all_sessions(user: User, keep_current: bool = False) -> int:
    """End every session of ``user`` (all devices), or all but this request's; returns how many.

    For « sign out everywhere », a password change, a deleted account and sanctions. Flushes.
    """
    conditions = [MemberSession.user_id == user.id]
    if keep_current and user.current_session_id is not None:
        conditions.append(MemberSession.id != user.current_session_id)
    return _revoke(*conditions)


def _revoke(*conditions) -> int:
    result = db.session.execute(
        update(MemberSession)
        .where(MemberSession.revoked_at.is_(None), *conditions)
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount
