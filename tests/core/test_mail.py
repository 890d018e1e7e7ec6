"""The mail service: rendered in the recipient's language, sent only when the action commits."""

import logging
import socket
import threading

import pytest

from sportressources.core.db import db
from sportressources.core.mail import external_url, send_mail


def test_mail_waits_for_the_commit_then_lands_in_the_outbox(app, outbox):
    send_mail("a@example.org", "Objet de test", "accounts/account_deleted", user=_Person())
    assert len(outbox) == 0
    db.session.commit()
    [message] = outbox.messages()
    assert message.to == "a@example.org"
    assert message.subject == "Objet de test"
    assert "Bonjour Camille" in message.text
    assert message.headers["Auto-Submitted"] == "auto-generated"
    assert message.headers["Message-ID"].endswith("@localhost>")


def test_mail_of_a_rolled_back_action_is_never_sent(app, outbox):
    send_mail("a@example.org", "Objet", "accounts/account_deleted", user=_Person())
    db.session.rollback()
    db.session.commit()
    assert len(outbox) == 0


def test_links_in_mail_use_site_url_and_never_the_request_host(app):
    app.config["SITE_URL"] = "https://sportressources62.fr"
    with app.test_request_context("/", base_url="http://evil.example"):
        assert external_url("accounts.login") == "https://sportressources62.fr/compte/connexion"


def test_dev_outbox_lists_messages_and_makes_links_clickable(app, client, outbox):
    send_mail(
        "a@example.org",
        "Lien à cliquer",
        "accounts/reset_password",
        user=_Person(),
        reset_url="http://localhost/compte/reinitialiser/abc?x=1&y=2",
        max_age_minutes=60,
    )
    db.session.commit()
    listing = client.get("/dev/outbox").get_data(as_text=True)
    assert "Lien à cliquer" in listing
    assert "a@example.org" in listing
    name = sorted(p.name for p in outbox.directory.iterdir())[0]
    page = client.get(f"/dev/outbox/{name}").get_data(as_text=True)
    assert '<a href="http://localhost/compte/reinitialiser/abc?x=1&amp;y=2">' in page


def test_dev_outbox_refuses_paths_outside_the_outbox(client):
    assert client.get("/dev/outbox/..%2F..%2Fconfig.py").status_code == 404
    assert client.get("/dev/outbox/20260101T000000000000-deadbeef.eml").status_code == 404


class _Person:
    display_name = "Camille"


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port, collecting what it receives."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, received
    controller.stop()


def test_smtp_backend_delivers_to_a_real_smtp_server(app, smtp_server):
    controller, received = smtp_server
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_USE_TLS=False,
    )
    send_mail("b@example.org", "Par SMTP", "accounts/account_deleted", user=_Person())
    db.session.commit()
    [envelope] = received
    assert envelope.rcpt_tos == ["b@example.org"]
    assert b"Subject: Par SMTP" in envelope.content


def test_an_unreachable_smtp_server_is_logged_not_raised(app, caplog):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False)
    send_mail("c@example.org", "Perdu", "accounts/account_deleted", user=_Person())
    with caplog.at_level(logging.ERROR):
        db.session.commit()
    assert "could not be delivered" in caplog.text
    assert "c@example.org" not in caplog.text  # addresses are masked in logs


def test_each_thread_sends_only_its_own_mail(app, outbox):
    def worker(n):
        with app.app_context():
            send_mail(f"t{n}@example.org", f"Fil {n}", "accounts/account_deleted", user=_Person())
            if n % 2:
                db.session.rollback()
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.to for m in outbox.messages()) == [f"t{n}@example.org" for n in (0, 2, 4)]
