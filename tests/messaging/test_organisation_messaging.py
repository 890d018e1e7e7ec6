"""Conversations about an organisation's listing: every manager and volunteer reads and answers
them, each message signed « <member> pour <organisation> »; everyone on the organisation's side is
told once, but not the sender; a non-member and a former member see nothing."""

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Forbidden, NotFound
from sportressources.messaging import services as messaging
from sportressources.notifications.models import Notification
from sportressources.organisations.queries import membership_of
from sportressources.trade.exchanges import services as exchanges
from tests.factories import add_member, committed, make_listing, make_organisation, make_user
from tests.fixtures.web import text


@pytest.fixture
def manager(app):
    return make_user(email="manager@example.org", display_name="Margaux Responsable")


@pytest.fixture
def club(manager):
    return make_organisation(manager=manager, name="US Liévin Football")


@pytest.fixture
def volunteer(club):
    return add_member(club, make_user(email="benevole@example.org", display_name="Victor B."))


@pytest.fixture
def goals(manager, club):
    return make_listing(manager, title="Mini-buts", kind="loan", category="materiel_collectif",
                        size="", organisation_id=club.id)  # fmt: skip


@pytest.fixture
def conversation(asker, goals):
    return committed(messaging.start_conversation(asker, goals))


def send(user, conversation, body="Bonjour, sont-ils libres samedi ?"):
    return committed(messaging.send_message(user, conversation, body))


def new_message_notices(user) -> int:
    return len(
        db.session.scalars(
            select(Notification.id).where(
                Notification.user_id == user.id, Notification.kind == "new_message"
            )
        ).all()
    )


def leave(organisation, user):
    db.session.delete(membership_of(user.id, organisation.id))
    db.session.commit()


def test_two_volunteers_answer_in_one_conversation_and_each_member_is_told_once(
    asker, manager, volunteer, conversation, outbox
):
    send(asker, conversation)
    assert new_message_notices(manager) == 1 and new_message_notices(volunteer) == 1
    assert len(outbox.to(manager.email)) == 1 and len(outbox.to(volunteer.email)) == 1

    send(volunteer, conversation, "Oui, passez au stade à 10 h.")
    send(manager, conversation, "Je serai là aussi.")

    assert new_message_notices(asker) == 1  # one email per batch of unread messages
    assert new_message_notices(volunteer) == 1  # never told of their own message
    assert [m.sender_id for m in messaging.messages_in(manager, conversation)] == [
        conversation.interested_id,
        volunteer.id,
        manager.id,
    ]


def test_a_member_of_the_organisation_cannot_write_to_it_about_its_own_listing(volunteer, goals):
    with pytest.raises(Forbidden):
        messaging.start_conversation(volunteer, goals)


def test_the_members_inbox_and_unread_count_include_the_organisations_conversations(
    asker, volunteer, conversation
):
    send(asker, conversation)
    summaries = messaging.conversations_of(volunteer)
    assert [s.conversation.id for s in summaries] == [conversation.id]
    assert messaging.unread_count(volunteer) == 1
    committed(messaging.mark_read(volunteer, conversation))
    # Read by the organisation's side, for all its members
    assert messaging.unread_count(volunteer) == 0


def test_a_stranger_and_a_former_member_see_nothing(asker, club, volunteer, conversation):
    stranger = make_user()
    send(asker, conversation)
    with pytest.raises(NotFound):
        messaging.get_conversation(stranger, conversation.id)
    assert messaging.get_conversation(volunteer, conversation.id) == conversation

    leave(club, volunteer)

    with pytest.raises(NotFound):
        messaging.get_conversation(volunteer, conversation.id)
    with pytest.raises(NotFound):
        messaging.send_message(volunteer, conversation, "Encore moi")
    assert messaging.conversations_of(volunteer) == []
    assert messaging.unread_count(volunteer) == 0
    send(asker, conversation, "Toujours là ?")
    assert new_message_notices(volunteer) == 1


def test_the_creator_who_left_no_longer_reads_the_conversation(asker, club, manager, conversation):
    leave(club, manager)
    with pytest.raises(NotFound):
        messaging.get_conversation(manager, conversation.id)
    assert messaging.conversations_of(manager) == []


def test_the_page_shows_the_organisation_and_who_wrote_for_it(
    asker, volunteer, conversation, client_for
):
    send(asker, conversation)
    send(volunteer, conversation, "Oui, passez au stade à 10 h.")

    page = text(client_for(asker).get(f"/messages/{conversation.id}"))
    assert "Conversation avec US Liévin Football" in page
    assert "Victor B. pour US Liévin Football" in page
    inbox = text(client_for(asker).get("/messages"))
    assert "Avec US Liévin Football, propriétaire de l’annonce" in inbox

    theirs = text(client_for(volunteer).get("/messages"))
    assert "intéressé par l’annonce de US Liévin Football" in theirs
    reply = client_for(volunteer).post(
        f"/messages/{conversation.id}", data={"body": "Je confirme."}
    )
    assert reply.status_code == 302


def test_a_member_writes_first_to_a_member_who_requested_the_organisations_gift(
    club, manager, volunteer, asker
):
    shirts = make_listing(manager, title="Maillots", organisation_id=club.id)
    request = committed(exchanges.request_item(asker, shirts, ""))
    conversation = committed(messaging.start_conversation_about_request(volunteer, request))
    send(volunteer, conversation, "Bonjour, quand passez-vous ?")
    assert new_message_notices(asker) == 1
    assert new_message_notices(manager) == 0
    with pytest.raises(NotFound):
        messaging.start_conversation_about_request(make_user(), request)


def test_the_listing_page_offers_to_write_to_the_organisation(goals, asker, client_for):
    page = text(client_for(asker).get(f"/annonces/{goals.id}"))
    assert "Écrire à l’organisation" in page and "Écrire au propriétaire" not in page
    started = client_for(asker).post(f"/annonces/{goals.id}/contacter")
    assert started.status_code in (302, 303)


def test_the_inbox_adds_no_statement_per_organisation_conversation(
    club, manager, volunteer, client_for, count_queries
):
    browser = client_for(volunteer)

    def inbox_statements() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert browser.get("/messages").status_code == 200
        return len(statements)

    def converse(number):
        listing = make_listing(manager, title=f"Ballon {number}", category="ballons", size="5",
                               organisation_id=club.id)  # fmt: skip
        conversation = committed(messaging.start_conversation(make_user(), listing))
        send(conversation.interested, conversation)

    converse(0)
    few = inbox_statements()
    for number in range(1, 6):
        converse(number)
    assert inbox_statements() == few
