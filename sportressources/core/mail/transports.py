"""Where a message goes: an SMTP relay, or ``.eml`` files in the development outbox directory."""

from __future__ import annotations

import re
import secrets
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any


def hand_over(message: EmailMessage, config: dict[str, Any]) -> None:
    """Give ``message`` to the configured backend; raises OSError (smtplib's errors included)."""
    if config["MAIL_BACKEND"] == "outbox":
        write_to_outbox(message, Path(config["MAIL_OUTBOX_DIR"]))
    else:
        send_smtp(message, config)


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


ADDRESS = re.compile(r"[^\s<>]+@[^\s<>]+")
# Errors about one message; any other OSError means the relay (or the disk) is unavailable
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)


def is_permanent(error: BaseException) -> bool:
    """The relay refused the recipient for good (5xx): retrying cannot help."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _ in error.recipients.values()
    )


def describe(error: BaseException) -> str:
    """A short account of a failure for the outbox row and the logs: codes and the relay's
    words (addresses in them masked), never the message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (0, b""))
        detail = f"recipient refused: {code} {_text(reply)}"
    elif isinstance(error, smtplib.SMTPResponseException):
        detail = f"{type(error).__name__}: {error.smtp_code} {_text(error.smtp_error)}"
    elif isinstance(error, OSError) and error.strerror:
        detail = f"{type(error).__name__}: {error.strerror}"
    else:
        detail = type(error).__name__
    return detail[:200]


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return ADDRESS.sub("***", " ".join(text.split()))


def mask(address: str) -> str:
    _, email = parseaddr(address)
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
