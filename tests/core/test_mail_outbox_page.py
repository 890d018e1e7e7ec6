"""The admins' outbox page: what waits, what is retried, what was given up (masked recipient,
the relay's last words), and « Réessayer », which puts a given-up message back in the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sportressources.core.audit import entries_for
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden
from sportressources.core.mail import OutgoingMail
from sportressources.core.mail.admin import retry_given_up_mail
from tests.fixtures.web import text

PAGE = "/administration/courriels"


def add_mail(recipient: str, **values) -> OutgoingMail:
    row = OutgoingMail(
        recipient=recipient,
        subject="Votre demande de prêt",
        text="Bonjour",
        message_id=f"<{recipient}@localhost>",
        **values,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def given_up(app):
    return add_mail(
        "camille.martin@example.org",
        status="failed",
        attempts=12,
        last_error="recipient refused: 550 mailbox unavailable",
    )


@pytest.fixture
def retrying(app):
    return add_mail(
        "yanis@example.org",
        attempts=2,
        next_attempt_at=utcnow() + timedelta(minutes=4),
        created_at=utcnow() - timedelta(hours=3),
        last_error="ConnectionRefusedError: Connection refused",
    )


def test_admin_sees_the_backlog_retries_and_given_up_mail_masked(admin_client, given_up, retrying):
    response = admin_client.get(PAGE)

    assert response.status_code == 200
    page = text(response)
    assert '<span class="figure-count">1</span> courriel à envoyer' in page
    assert "Le plus ancien attend depuis 3 heures." in page
    assert "y***@example.org" in page
    assert "ConnectionRefusedError: Connection refused" in page
    assert "c***@example.org" in page
    assert "recipient refused: 550 mailbox unavailable" in page
    assert "camille.martin@example.org" not in page
    assert "yanis@example.org" not in page
    assert page.count(">Réessayer</button>") == 1


def test_the_page_says_when_nothing_waits(admin_client):
    page = text(admin_client.get(PAGE))
    assert "Rien n’attend." in page
    assert "Aucun courriel abandonné." in page


@pytest.mark.parametrize("who", ["resident_client", "moderator_client"])
def test_only_admins_see_the_outbox_or_retry(request, who, given_up):
    client = request.getfixturevalue(who)

    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/{given_up.id}/reessayer").status_code == 403
    db.session.rollback()
    assert db.session.get(OutgoingMail, given_up.id).status == "failed"


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/compte/connexion" in response.headers["Location"]


def test_retry_sends_a_given_up_mail_again_and_records_who(app, admin, admin_client, given_up):
    response = admin_client.post(f"{PAGE}/{given_up.id}/reessayer")

    assert response.status_code == 302
    assert "Le courriel à c***@example.org repart" in text(admin_client.get(PAGE))
    db.session.rollback()
    row = db.session.get(OutgoingMail, given_up.id)
    # Sent after the commit (in-process here: no broker, MAIL_DELIVERY=immediate)
    assert (row.status, row.attempts) == ("sent", 1)
    [entry] = entries_for("outgoing_mail", given_up.id)
    assert (entry.action, entry.before, entry.after, entry.actor_id) == (
        "outgoing_mail.retry",
        "failed",
        "pending",
        admin.id,
    )


def test_retry_of_a_mail_that_is_not_given_up_is_refused(admin_client, retrying):
    response = admin_client.post(f"{PAGE}/{retrying.id}/reessayer")

    assert response.status_code == 303
    assert "Ce courriel n’est pas abandonné" in text(admin_client.get(PAGE))
    db.session.rollback()
    assert db.session.get(OutgoingMail, retrying.id).attempts == 2


def test_retry_of_a_mail_no_longer_there_is_a_404(admin_client):
    assert admin_client.post(f"{PAGE}/999/reessayer").status_code == 404


def test_the_retry_service_refuses_a_moderator_and_a_second_retry(app, admin, moderator):
    row = add_mail("a@example.org", status="failed", attempts=12, last_error="x")
    app.config["MAIL_DELIVERY"] = "queue"

    with pytest.raises(Forbidden):
        retry_given_up_mail(moderator, row.id)
    retry_given_up_mail(admin, row.id)
    db.session.commit()
    with pytest.raises(Conflict):
        retry_given_up_mail(admin, row.id)
    db.session.rollback()
    assert db.session.scalar(select(OutgoingMail.status)) == "pending"


def test_the_moderation_home_links_the_outbox_for_admins_only(moderator_client, client_for, admin):
    assert PAGE not in text(moderator_client.get("/moderation/"))
    assert f'href="{PAGE}"' in text(client_for(admin).get("/moderation/"))
