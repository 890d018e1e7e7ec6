"""A member's conversations through the API: read (which marks them read, as the page does)
and send, through the messaging services."""

from __future__ import annotations

import pytest

from sportressources.core.db import db
from sportressources.messaging import services as messaging
from sportressources.messaging.models import Message
from tests.factories import committed, make_listing, make_user
from tests.fixtures.web import sign_in


@pytest.fixture
def owner(app):
    return make_user(display_name="Olivier Propriétaire")


@pytest.fixture
def asker(app):
    return make_user(display_name="Inès Intéressée")


@pytest.fixture
def conversation(owner, asker):
    listing = make_listing(owner=owner, title="Raquette de tennis junior")
    conversation = committed(messaging.start_conversation(asker, listing))
    committed(messaging.send_message(asker, conversation, "Bonjour, est-elle encore là ?"))
    return conversation


def test_reading_a_conversation_marks_it_read(app, client, bearer, owner, conversation):
    inbox = client.get("/api/v1/me/conversations", headers=bearer(owner)).json
    assert [(item["id"], item["unread"]) for item in inbox] == [(conversation.id, True)]
    assert inbox[0]["other"] == "Inès Intéressée" and inbox[0]["side"] == "owner"
    assert inbox[0]["preview"] == "Bonjour, est-elle encore là ?"

    response = client.get(f"/api/v1/conversations/{conversation.id}", headers=bearer(owner))

    assert response.status_code == 200
    [message] = response.json["messages"]
    assert message["body"] == "Bonjour, est-elle encore là ?" and message["mine"] is False
    assert message["sender"] == "Inès Intéressée"
    inbox = client.get("/api/v1/me/conversations", headers=bearer(owner)).json
    assert inbox[0]["unread"] is False
    db.session.rollback()
    assert not messaging.is_unread(owner, db.session.get(type(conversation), conversation.id))


def test_a_message_sent_through_the_api_shows_in_the_conversation_page(
    app, client, bearer, owner, asker, conversation, outbox
):
    body = "Oui, <b>toujours</b> disponible & en bon état."

    response = client.post(
        f"/api/v1/conversations/{conversation.id}/messages",
        json={"body": body},
        headers=bearer(owner),
    )

    assert response.status_code == 201
    assert response.json["body"] == body and response.json["mine"] is True
    page = sign_in(app.test_client(), asker).get(f"/messages/{conversation.id}")
    html = page.get_data(as_text=True)
    assert "Oui, &lt;b&gt;toujours&lt;/b&gt; disponible &amp; en bon état." in html
    assert len(outbox.to(asker.email)) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Écrivez un message avant de l’envoyer."),
        ("x" * 2001, "Le message ne peut pas dépasser 2000 caractères (il en compte 2001)."),
    ],
)
def test_bad_messages_get_the_pages_french_message(
    app, client, bearer, owner, conversation, body, message
):
    response = client.post(
        f"/api/v1/conversations/{conversation.id}/messages",
        json={"body": body},
        headers=bearer(owner),
    )

    assert response.status_code == 422
    assert response.json["errors"]["body"] == [message]
    assert db.session.query(Message).count() == 1


@pytest.mark.parametrize("body", [{}, {"body": 3}, {"body": None}, {"body": "x" * 30_000}])
def test_wrongly_typed_messages_are_422(app, client, bearer, owner, conversation, body):
    response = client.post(
        f"/api/v1/conversations/{conversation.id}/messages", json=body, headers=bearer(owner)
    )

    assert response.status_code == 422
    assert db.session.query(Message).count() == 1


def test_strangers_and_moderators_see_nothing_as_on_the_site(app, client, bearer, conversation):
    for who in (make_user(), make_user(role="moderator")):
        read = client.get(f"/api/v1/conversations/{conversation.id}", headers=bearer(who))
        sent = client.post(
            f"/api/v1/conversations/{conversation.id}/messages",
            json={"body": "Coucou"},
            headers=bearer(who),
        )
        assert (read.status_code, sent.status_code) == (404, 404)
        assert client.get("/api/v1/me/conversations", headers=bearer(who)).json == []
    assert client.get(f"/api/v1/conversations/{conversation.id}").status_code == 401
    assert (
        client.get("/api/v1/conversations/987654", headers=bearer(make_user())).status_code == 404
    )
    assert db.session.query(Message).count() == 1


def test_a_token_call_needs_no_csrf_token_even_with_csrf_on(
    app, client, bearer, owner, conversation
):
    page = sign_in(app.test_client(), owner)
    app.config["WTF_CSRF_ENABLED"] = True

    response = client.post(
        f"/api/v1/conversations/{conversation.id}/messages",
        json={"body": "Toujours là."},
        headers=bearer(owner),
    )

    assert response.status_code == 201
    assert page.post(f"/messages/{conversation.id}", data={"body": "Sans jeton"}).status_code == 400
