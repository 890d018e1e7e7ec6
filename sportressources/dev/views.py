"""Development-only pages: the outbox, where every email the site sends can be read and clicked.

Registered only when APP_ENV is development or testing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template
from markupsafe import Markup, escape

bp = Blueprint("dev", __name__, url_prefix="/dev")

FILENAME = re.compile(r"^[0-9T]+-[0-9a-f]{8}\.eml$")
URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class OutboxMessage:
    name: str
    to: str
    subject: str
    sent_at: datetime | None
    text: str


def read_message(path: Path) -> OutboxMessage:
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(path.read_bytes())  # type: ignore[assignment]
    body = message.get_body(preferencelist=("plain",))
    date = message["Date"]
    return OutboxMessage(
        name=path.name,
        to=str(message["To"]),
        subject=str(message["Subject"]),
        sent_at=parsedate_to_datetime(date) if date else None,
        text=body.get_content() if body is not None else "",
    )


def outbox_dir() -> Path:
    return Path(current_app.config["MAIL_OUTBOX_DIR"])


def linkify(text: str) -> Markup:
    """Escape the text, then turn each URL into a link."""
    escaped = str(escape(text))
    return Markup(URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))


@bp.route("/outbox")
def outbox():
    directory = outbox_dir()
    paths = sorted(directory.glob("*.eml"), reverse=True)[:200] if directory.is_dir() else []
    return render_template("dev/outbox.html", messages=[read_message(p) for p in paths])


@bp.route("/outbox/<name>")
def outbox_message(name: str):
    if not FILENAME.match(name):
        abort(404)
    path = outbox_dir() / name
    if not path.is_file():
        abort(404)
    message = read_message(path)
    return render_template("dev/message.html", message=message, body=linkify(message.text))
