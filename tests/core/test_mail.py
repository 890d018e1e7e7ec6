"""The mail service: rendered in the recipient's language, queued in the outbox table in the
action's transaction, delivered after the commit, retried when the mail server fails, each message
sent once however many senders run."""

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from sportressources.core.db import db, utcnow
from sportressources.core.mail import OutgoingMail, deliver_due, external_url, send_mail


class _Person:
    display_name = "Camille"


def queue(to: str, subject: str = "Objet") -> None:
    send_mail(to, subject, "accounts/account_deleted", user=_Person())


def rows() -> dict[str, OutgoingMail]:
    """The outbox as the database has it now, by recipient."""
    db.session.rollback()
    return {row.recipient: row for row in db.session.scalars(select(OutgoingMail))}


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


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
    row = rows()["a@example.org"]
    assert (row.status, row.attempts, row.message_id) == (
        "sent",
        1,
        message.headers["Message-ID"],
    )


def test_mail_of_a_rolled_back_action_is_never_sent(app, outbox):
    queue("a@example.org")
    db.session.rollback()
    db.session.commit()
    assert len(outbox) == 0
    assert rows() == {}


def test_mail_queued_in_a_released_savepoint_waits_for_the_whole_transaction(app, outbox):
    with db.session.begin_nested():
        queue("a@example.org")
    assert len(outbox) == 0
    db.session.rollback()
    assert len(outbox) == 0
    assert rows() == {}


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


def test_in_queue_mode_mail_leaves_only_with_flask_mail_send(app, outbox, runner):
    app.config["MAIL_DELIVERY"] = "queue"
    queue("a@example.org")
    db.session.commit()
    assert len(outbox) == 0
    assert rows()["a@example.org"].status == "pending"

    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "1 courriel(s) envoyé(s)" in result.output
    assert [m.to for m in outbox.messages()] == ["a@example.org"]
    assert "0 courriel(s) envoyé(s)" in runner.invoke(args=["mail", "send"]).output
    assert len(outbox) == 1


def test_smtp_backend_delivers_to_a_real_smtp_server(app, smtp_server):
    smtp_server.start()
    send_mail("b@example.org", "Par SMTP", "accounts/account_deleted", user=_Person())
    db.session.commit()
    [envelope] = smtp_server.received
    assert envelope.rcpt_tos == ["b@example.org"]
    assert b"Subject: Par SMTP" in envelope.content


def test_with_the_mail_server_down_mail_waits_in_the_outbox_then_leaves_once(
    app, smtp_server, runner, caplog
):
    queue("c@example.org", "Patience")
    queue("d@example.org", "Patience aussi")
    with caplog.at_level(logging.WARNING):
        db.session.commit()  # nothing raised: the action stands
    waiting = rows()
    first, second = waiting["c@example.org"], waiting["d@example.org"]
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.next_attempt_at > utcnow()  # tried again after a delay
    assert "Connection refused" in first.last_error
    # The run stopped at the first failure: the second was given back untried, due at once
    assert (second.status, second.attempts, second.claimed_by) == ("pending", 0, None)
    assert "c***@example.org" in caplog.text
    assert "c@example.org" not in caplog.text  # addresses are masked in logs

    smtp_server.start()
    result = runner.invoke(args=["mail", "send"])
    assert "1 courriel(s) envoyé(s)" in result.output
    assert smtp_server.recipients() == ["d@example.org"]

    in_two_minutes = (utcnow() + timedelta(minutes=2)).isoformat()
    result = runner.invoke(args=["mail", "send", "--now", in_two_minutes])
    assert "1 courriel(s) envoyé(s)" in result.output
    result = runner.invoke(args=["mail", "send", "--now", in_two_minutes])
    assert "0 courriel(s) envoyé(s)" in result.output
    assert smtp_server.recipients() == ["c@example.org", "d@example.org"]
    assert {row.status for row in rows().values()} == {"sent"}


def test_a_recipient_refused_for_good_is_given_up_at_once_and_the_others_still_leave(
    app, smtp_server
):
    smtp_server.replies["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"
    smtp_server.start()
    queue("gone@example.org")
    queue("here@example.org")
    db.session.commit()
    outbox = rows()
    gone = outbox["gone@example.org"]
    assert (gone.status, gone.attempts) == ("failed", 1)
    assert gone.last_error == "recipient refused: 550 5.1.1 <***>: no such user"
    assert outbox["here@example.org"].status == "sent"
    assert smtp_server.recipients() == ["here@example.org"]


def test_a_recipient_refused_for_now_is_retried_later_then_given_up(app, smtp_server, caplog):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp_server.replies["busy@example.org"] = "450 4.2.1 Mailbox busy"
    smtp_server.start()
    queue("busy@example.org")
    db.session.commit()
    assert deliver_due().sent == 0  # not due again yet: not even tried
    assert smtp_server.rcpt_seen == {"busy@example.org": 1}
    row = rows()["busy@example.org"]
    assert (row.status, row.attempts, row.last_error) == (
        "pending",
        1,
        "recipient refused: 450 4.2.1 Mailbox busy",
    )

    tomorrow = utcnow() + timedelta(days=1)
    assert deliver_due(tomorrow).retrying == 1
    with caplog.at_level(logging.ERROR):
        assert deliver_due(tomorrow + timedelta(days=1)).failed == 1
    assert "given up after 3 attempt(s)" in caplog.text
    assert deliver_due(tomorrow + timedelta(days=30)).failed == 0
    assert smtp_server.rcpt_seen == {"busy@example.org": 3}
    assert smtp_server.received == []
    assert rows()["busy@example.org"].status == "failed"


def test_two_senders_at_once_send_each_message_once(app, outbox):
    app.config["MAIL_DELIVERY"] = "queue"
    addresses = [f"m{n:02}@example.org" for n in range(40)]
    for address in addresses:
        queue(address)
    db.session.commit()
    start = threading.Barrier(2)
    reports = []

    def sender():
        with app.app_context():
            start.wait()
            reports.append(deliver_due(batch=3))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.to for m in outbox.messages()) == addresses
    assert sum(report.sent for report in reports) == 40
    assert {(row.status, row.attempts) for row in rows().values()} == {("sent", 1)}


def test_purge_deletes_old_sent_and_given_up_mail_only(app, runner):
    long_ago = utcnow() - timedelta(days=31)
    for recipient, status, created_at in [
        ("old-sent@example.org", "sent", long_ago),
        ("old-failed@example.org", "failed", long_ago),
        ("old-pending@example.org", "pending", long_ago),
        ("new-sent@example.org", "sent", utcnow()),
    ]:
        db.session.add(
            OutgoingMail(
                recipient=recipient,
                subject="Objet",
                text="Texte",
                message_id=f"<{recipient}>",
                status=status,
                created_at=created_at,
            )
        )
    db.session.commit()
    result = runner.invoke(args=["mail", "purge"])
    assert result.exit_code == 0, result.output
    assert "2 courriel(s) supprimé(s)" in result.output
    assert sorted(rows()) == ["new-sent@example.org", "old-pending@example.org"]
