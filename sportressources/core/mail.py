"""The one mail service of the site.

Services call ``send_mail``: the message is rendered at once, in the recipient's language, and
queued on the database session. It leaves only when that session commits, so that a rolled-back
action never sends an email about something that did not happen. ``MAIL_BACKEND`` chooses where
it goes: ``smtp`` in production, ``outbox`` (one ``.eml`` file per message in ``instance/outbox/``)
in development and tests.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import LazyString, force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_QUEUE_KEY = "sportressources.outgoing_mail"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL built from ``SITE_URL``, never from the request's Host header.

    Links in emails must not follow a forged Host header (the classic password-reset poisoning).
    """
    parts = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def render_mail(
    to: str,
    subject: str | LazyString,
    template: str,
    locale: str | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Mail:
    """Render ``templates/email/<template>.txt`` (and ``.html`` if present) in ``locale``."""
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject_text = str(subject)
        context = {"subject": subject_text, "site_url": current_app.config["SITE_URL"], **context}
        text = render_template(f"email/{template}.txt", **context)
        html = None
        if current_app.jinja_env.loader and _template_exists(f"email/{template}.html"):
            html = render_template(f"email/{template}.html", **context)
    return Mail(
        to=to, subject=subject_text, text=text, html=html, headers=tuple((headers or {}).items())
    )


def _template_exists(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(name)
    except Exception:  # noqa: BLE001 - jinja raises TemplateNotFound, a subclass of several bases
        return False
    return True


def send_mail(
    to: str,
    subject: str | LazyString,
    template: str,
    locale: str | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Mail:
    """Render a message and queue it on the current database session; it leaves at commit."""
    from sportressources.core.db import db

    mail = render_mail(to, subject, template, locale=locale, headers=headers, **context)
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any SQL still drops the message
    session.info.setdefault(_QUEUE_KEY, []).append(mail)
    return mail


def deliver(mails: list[Mail]) -> None:
    """Hand messages to the configured backend now; a failing message is logged, not raised."""
    config = current_app.config
    for mail in mails:
        message = build_message(mail, config["MAIL_DEFAULT_SENDER"], config["SITE_URL"])
        try:
            if config["MAIL_BACKEND"] == "outbox":
                write_to_outbox(message, Path(config["MAIL_OUTBOX_DIR"]))
            else:
                send_smtp(message, config)
        except (OSError, smtplib.SMTPException):
            log.exception("mail to %s could not be delivered", _mask(mail.to))


def build_message(mail: Mail, sender: str, site_url: str) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = urlsplit(site_url).hostname or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


def write_to_outbox(message: EmailMessage, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = directory / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(message.as_bytes())
    return path


def send_smtp(message: EmailMessage, config: dict[str, Any]) -> None:
    context = ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    kwargs: dict[str, Any] = {"timeout": config["MAIL_TIMEOUT"]}
    if config["MAIL_USE_SSL"]:
        kwargs["context"] = context
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], **kwargs) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _mask(address: str) -> str:
    _, email = parseaddr(address)
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def pending_mail(session: Session) -> list[Mail]:
    return list(session.info.get(_QUEUE_KEY, []))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    mails = session.info.pop(_QUEUE_KEY, [])
    if mails:
        deliver(mails)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_QUEUE_KEY, None)
