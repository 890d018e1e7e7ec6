"""Telling members: the notice and its email in one transaction, the email in the member's
language and never lost when the mail server is down; in-app notifications stored as a kind and
parameters, written in the reader's language when shown, listed newest first, marked read when
shown, counted in the header."""

from datetime import timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from sportressources.accounts import personal_data
from sportressources.core.db import db, utcnow
from sportressources.core.mail import OutgoingMail
from sportressources.notifications import services as notifications
from sportressources.notifications.models import Notification
from sportressources.notifications.services import Email
from sportressources.trade.loans import services as loans
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Loan
from tests.factories import PASSWORD, committed, make_user


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def hello_kind():
    # A message the English catalogue already translates: « Bonjour %(name)s, » / « Hello … »
    notifications.register_kind("test_hello", _l("Bonjour %(name)s,"))


def test_a_notification_stores_its_kind_and_parameters_not_french_text(borrower, hello_kind):
    from datetime import date

    notification = notifications.notify(
        borrower, "test_hello", "/prets", name="Inès", date=date(2027, 3, 28)
    )
    db.session.commit()
    assert (notification.kind, notification.params) == (
        "test_hello",
        {"name": "Inès", "date": "2027-03-28"},
    )
    with pytest.raises(ValueError, match="unknown notification kind"):
        notifications.notify(borrower, "no_such_kind", "/")


def test_the_list_is_written_in_the_readers_language_and_marked_read(
    app, borrower, client_for, hello_kind
):
    for name in ("Ana", "Bo"):
        notifications.notify(borrower, "test_hello", "/prets", name=name)
    db.session.commit()
    browser = client_for(borrower)

    page = html(browser.get("/notifications"))
    assert page.index("Bonjour Bo,") < page.index("Bonjour Ana,")  # newest first
    assert page.count(">Nouveau</strong>") == 2
    assert (
        db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.read_at.is_(None))
        )
        == 0
    )
    assert ">Nouveau</strong>" not in html(browser.get("/notifications"))

    browser.post("/langue", data={"locale": "en"})
    english = html(browser.get("/notifications"))
    assert "Hello Bo," in english and "Bonjour Bo," not in english


def test_the_unread_count_is_the_members_own(app, borrower, rival, hello_kind):
    notifications.notify(borrower, "test_hello", name="A")
    notifications.notify(rival, "test_hello", name="B")
    db.session.commit()
    assert notifications.unread_count(borrower) == 1
    shown, _more = notifications.list_notifications(borrower)
    # Marking someone else's notifications does nothing
    assert notifications.mark_read(rival, [item.notification for item in shown]) == 0
    assert notifications.mark_read(borrower, [item.notification for item in shown]) == 1
    assert notifications.unread_count(borrower) == 0 and notifications.unread_count(rival) == 1


def test_the_header_global_counts_unread_notifications(app, borrower, client_for, hello_kind):
    from flask_login import login_user

    def count_seen_by_the_header() -> int:
        with app.app_context(), app.test_request_context("/"):  # a request's own ``g``
            login_user(db.session.get(type(borrower), borrower.id))
            return app.jinja_env.globals["unread_notification_count"]()

    notifications.notify(borrower, "test_hello", name="A")
    db.session.commit()
    assert count_seen_by_the_header() == 1
    client_for(borrower).get("/notifications")
    assert count_seen_by_the_header() == 0


def test_older_notifications_are_on_further_pages(app, borrower, client_for, hello_kind):
    for n in range(notifications.PAGE_SIZE + 2):
        notifications.notify(borrower, "test_hello", name=f"N{n}")
    db.session.commit()
    browser = client_for(borrower)
    first = html(browser.get("/notifications"))
    assert "Plus anciennes" in first and "Bonjour N0," not in first
    second = html(browser.get("/notifications?page=2"))
    assert "Bonjour N0," in second and "Plus récentes" in second
    assert notifications.unread_count(borrower) == 0
    assert browser.get("/notifications?page=99999999999999999999").status_code == 200


def test_the_acting_member_is_named_when_shown(app, owner, borrower, bike, client_for):
    from datetime import date

    from sportressources.trade.loans import services
    from tests.trade.loans.conftest import NOW

    services.request_loan(borrower, bike, date(2027, 3, 27), date(2027, 3, 29), now=NOW)
    db.session.commit()
    page = html(client_for(owner).get("/notifications"))
    assert (
        "Inès Emprunteuse demande à emprunter « Vélo enfant 20 pouces » du 27 mars 2027 au "
        "29 mars 2027." in page
    )
    # The same notification once the borrower has left: no name is kept in it
    personal_data.delete_account(borrower, PASSWORD)
    db.session.commit()
    page = html(client_for(owner).get("/notifications"))
    assert "Membre supprimé demande à emprunter" in page
    assert "Inès" not in page


def test_a_leaving_member_takes_their_notifications_and_the_export_lists_them(
    app, borrower, hello_kind
):
    notifications.notify(borrower, "test_hello", "/prets", name="Ana")
    db.session.commit()
    data = personal_data.export_personal_data(borrower)
    assert data["notifications"][0]["message"] == "Bonjour Ana,"
    assert data["notifications"][0]["url"] == "/prets"
    personal_data.delete_account(borrower, PASSWORD)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert notifications.notify(borrower, "test_hello", name="x") is None


def test_a_deleted_members_notifications_are_never_created(app, hello_kind):
    gone = make_user()
    personal_data.delete_account(gone, PASSWORD)
    db.session.commit()
    assert notifications.notify(gone, "test_hello", name="x") is None


# --- one way to tell a member: notice and email together ----------------------------------------


def hello_email(name: str) -> Email:
    return Email(_l("Bonjour %(name)s,", name=name), "accounts/account_deleted")


def outbox_rows() -> list[OutgoingMail]:
    db.session.rollback()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def test_telling_a_member_writes_the_notice_and_the_email_in_their_language(
    app, borrower, hello_kind, outbox
):
    borrower.locale = "en"
    db.session.commit()
    notifications.tell_member(
        borrower, "test_hello", "/prets", email=hello_email("Inès"), name="Inès"
    )
    assert len(outbox) == 0  # nothing leaves before the commit
    db.session.commit()
    [message] = outbox.messages()
    assert (message.to, message.subject) == ("borrower@example.org", "Hello Inès,")
    assert "Hello Inès Emprunteuse," in message.text
    assert notifications.unread_count(borrower) == 1


def test_a_rolled_back_action_tells_nothing_and_a_deleted_member_is_never_told(
    app, borrower, hello_kind, outbox
):
    notifications.tell_member(borrower, "test_hello", email=hello_email("A"), name="A")
    db.session.rollback()
    gone = make_user()
    personal_data.delete_account(gone, PASSWORD)
    db.session.commit()
    before = len(outbox_rows())  # the goodbye email of the deleted account
    assert notifications.tell_member(gone, "test_hello", email=hello_email("B"), name="B") is None
    with pytest.raises(ValueError, match="unknown notification kind"):
        notifications.tell_member(borrower, "no_such_kind", email=hello_email("C"))
    db.session.commit()
    assert len(outbox_rows()) == before
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert outbox.to("borrower@example.org") == []


def test_accepting_a_loan_with_the_mail_server_down_succeeds_and_the_email_leaves_once_later(
    app, owner, borrower, bike, client_for, smtp_server
):
    today = paris_today()
    loan = committed(
        loans.request_loan(borrower, bike, today + timedelta(days=1), today + timedelta(days=2))
    )
    response = client_for(owner).post(f"/prets/{loan.id}/accepter")
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(Loan, loan.id).status == "accepted"
    assert notifications.unread_count(borrower) == 1
    waiting = {row.recipient: row for row in outbox_rows()}
    accepted = waiting["borrower@example.org"]
    assert (accepted.status, accepted.subject) == (
        "pending",
        "Prêt accepté : « Vélo enfant 20 pouces »",
    )
    assert waiting["owner@example.org"].status == "pending"  # the request's email waits too

    smtp_server.start()
    runner = app.test_cli_runner()
    in_two_minutes = (utcnow() + timedelta(minutes=2)).isoformat()
    result = runner.invoke(args=["mail", "send", "--now", in_two_minutes])
    assert "2 courriel(s) envoyé(s)" in result.output, result.output
    result = runner.invoke(args=["mail", "send", "--now", in_two_minutes])
    assert "0 courriel(s) envoyé(s)" in result.output
    assert smtp_server.recipients() == ["borrower@example.org", "owner@example.org"]
    [to_borrower] = [e for e in smtp_server.received if e.rcpt_tos == ["borrower@example.org"]]
    assert "Bonne nouvelle" in to_borrower.content.decode()
    assert {row.status for row in outbox_rows()} == {"sent"}
