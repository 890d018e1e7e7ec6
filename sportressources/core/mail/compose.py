"""Writing a message: rendered from templates in the recipient's language, links from SITE_URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import LazyString, force_locale


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


def new_message_id(site_url: str) -> str:
    return make_msgid(domain=urlsplit(site_url).hostname or "localhost")


def build_message(mail: Mail, sender: str, message_id: str, date: datetime) -> EmailMessage:
    """The message as it leaves. ``message_id`` and ``date`` are fixed when the message is queued,
    so that a retry carries the same ones and shows when the event happened."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message
