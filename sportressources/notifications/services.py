"""Notifications: tell a member that something happened, list notices in the reader's language,
mark them read.

``tell_member`` is the one way to tell a member something: the in-app notice and, if any, the
email, queued in the outbox in the same transaction (both or neither), the email in the member's
language. A domain registers each kind it sends with the (lazy, translatable) message that
describes it; the notice stores the kind and its parameters only. ``render`` writes the message
when it is shown, in the language of whoever reads it: dates are ISO strings formatted then, and
the member who acted is stored by id, so a member who deleted their account shows as « Membre
supprimé ». Functions flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import LazyString, format_date, gettext
from sqlalchemy import delete, func, select, update

from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from sportressources.core.mail import external_url, send_mail
from sportressources.core.templating import member_name
from sportressources.notifications.models import Notification

PAGE_SIZE = 30
# Parameters holding an ISO date: shown as « 27 mars 2027 » in the reader's language
DATE_PARAMS = frozenset({"start", "end", "new_end", "date"})

_KINDS: dict[str, LazyString] = {}


@dataclass(frozen=True)
class ShownNotification:
    notification: Notification
    message: str
    was_unread: bool


def register_kind(kind: str, message: LazyString) -> None:
    """Declare a kind and its message, a lazy msgid with ``%(name)s`` placeholders.

    Placeholders are the notification's parameters; ``%(actor)s`` is the name of the member whose
    id is the ``actor_id`` parameter, and date parameters (``start``, ``end``, ``new_end``,
    ``date``) are written out in the reader's language. Registering a kind twice keeps the last.
    """
    _KINDS[kind] = message


@dataclass(frozen=True)
class Email:
    """The email part of a notice: ``templates/email/<template>.txt`` (and ``.html``), rendered
    with ``context`` and the recipient as ``user``. ``subject`` should be lazy, so that it is
    written in the recipient's language; ``headers`` are extra email headers (List-Unsubscribe)."""

    subject: str | LazyString
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] | None = None


def site_path(endpoint: str, **values) -> str:
    """The path of a page of this site, for a notice's link (``url_for`` needs no request)."""
    return urlsplit(external_url(endpoint, **values)).path


def tell_member(
    user: User | None, kind: str, url: str = "", *, email: Email | None = None, **params
) -> Notification | None:
    """Tell ``user`` that something happened: the in-app notification of ``kind`` and, with
    ``email``, an email queued in the outbox, both in the current transaction; flushes.

    A rollback drops both; after the commit the email leaves from the outbox, so a mail server
    that is down delays it and loses nothing. The email is written in the member's language. A
    deleted account gets neither. ``kind``, ``url`` and ``params`` are those of ``notify``;
    raises ValueError for an unknown kind, before anything is queued.
    """
    notification = notify(user, kind, url, **params)
    if notification is not None and email is not None:
        send_mail(
            user.email,
            email.subject,
            email.template,
            locale=user.locale,
            headers=email.headers,
            **{"user": user, **email.context},
        )
    return notification


def notify(user: User | None, kind: str, url: str = "", **params) -> Notification | None:
    """Add a notification for ``user`` (nothing for a deleted account), without email; flushes.
    Members are told things through ``tell_member``.

    ``kind`` must be registered; ``params`` must be JSON values (dates as ISO strings or
    ``date`` objects, converted here); ``url`` is a path on this site. Raises ValueError for an
    unknown kind, so that a typo fails in tests rather than showing a blank line.
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown notification kind: {kind!r}")
    if user is None or user.is_deleted:
        return None
    values = {
        name: value.isoformat() if isinstance(value, date | datetime) else value
        for name, value in params.items()
    }
    notification = Notification(
        user_id=user.id, kind=kind, params=values, url=url, created_at=utcnow()
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def render(notification: Notification, actors: dict[int, User] | None = None) -> str:
    """The notification's message in the current language.

    ``actors`` maps ids to members, loaded beforehand for a whole list (one query); a missing
    actor shows as « Membre supprimé ».
    """
    message = _KINDS.get(notification.kind)
    if message is None:
        return gettext("Nouvelle notification")
    values: dict[str, object] = {}
    for name, value in (notification.params or {}).items():
        if name in DATE_PARAMS and isinstance(value, str):
            try:
                values[name] = format_date(date.fromisoformat(value), "long")
            except ValueError:
                values[name] = value
        else:
            values[name] = value
    actor_id = values.get("actor_id")
    values["actor"] = member_name((actors or {}).get(actor_id) if actor_id else None)
    try:
        return str(message) % values
    except (KeyError, TypeError, ValueError):
        return gettext("Nouvelle notification")


def unread_count(user: User) -> int:
    """How many of the member's notifications they have not seen yet."""
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def list_notifications(user: User, page: int = 1) -> tuple[list[ShownNotification], bool]:
    """One page of the member's notifications, newest first, with their messages; and whether an
    older page exists. Two queries whatever the page holds (notifications, then their actors)."""
    page = max(page, 1)
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    actors = _actors_of(rows)
    shown = [ShownNotification(row, render(row, actors), row.read_at is None) for row in rows]
    return shown, has_more


def _actors_of(rows: list[Notification]) -> dict[int, User]:
    ids = {
        row.params.get("actor_id")
        for row in rows
        if isinstance(row.params, dict) and isinstance(row.params.get("actor_id"), int)
    }
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def mark_read(user: User, notifications: list[Notification], now: datetime | None = None) -> int:
    """Mark these notifications of ``user`` as read (others' are left alone); returns how many
    changed."""
    ids = [n.id for n in notifications if n.user_id == user.id and n.read_at is None]
    if not ids:
        return 0
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id.in_(ids),
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
        )
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# --- personal data --------------------------------------------------------------------------------


def export_notifications(user, **_extra) -> tuple[str, list]:
    """RGPD export: the member's notifications, as shown to them."""
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    actors = _actors_of(rows)
    return "notifications", [
        {
            "kind": row.kind,
            "message": render(row, actors),
            "url": row.url,
            "created_at": row.created_at.isoformat(),
            "read_at": row.read_at.isoformat() if row.read_at else None,
        }
        for row in rows
    ]


def delete_notifications_of_deleted_member(user, **_extra) -> None:
    """A leaving member's notifications go with them."""
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
