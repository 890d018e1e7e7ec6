"""Conversations about a listing: who may read and write, unread counts, batched email
notifications, bad input, personal data, and the inbox's fixed number of SQL statements."""

import re

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import func, select

from sportressources.accounts import personal_data
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.messaging import services as messaging
from sportressources.messaging.models import Conversation, Message
from sportressources.trade.exchanges import services as exchanges
from tests.factories import PASSWORD, make_listing, make_user, move_listing
from tests.fixtures.web import text

SUBJECT = "Nouveau message au sujet de « Ballon de basket taille 7 »"


@pytest.fixture
def listing(owner):
    return make_listing(
        owner=owner, title="Ballon de basket taille 7", category="ballons", size="7"
    )


@pytest.fixture
def conversation(asker, listing):
    conversation = messaging.start_conversation(asker, listing)
    db.session.commit()
    return conversation


def send(user, conversation, body: str = "Bonjour, est-il toujours disponible ?") -> Message:
    message = messaging.send_message(user, conversation, body)
    db.session.commit()
    return message


def without_csrf_token(page: str) -> str:
    # The token is signed with the current second: two pages a second apart differ there only
    return re.sub(r'name="csrf_token" (type="hidden" )?value="[^"]+"', 'name="csrf_token"', page)


def message_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Message))


# --- starting a conversation ----------------------------------------------------------------------


def test_a_member_starts_a_conversation_and_starting_again_reuses_it(asker, listing, conversation):
    assert (conversation.owner_id, conversation.interested_id) == (listing.owner_id, asker.id)
    again = messaging.start_conversation(asker, listing)
    assert again.id == conversation.id
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1


def test_the_owner_cannot_start_a_conversation_with_themselves(owner, listing):
    with pytest.raises(Forbidden):
        messaging.start_conversation(owner, listing)


@pytest.mark.parametrize("status", ["draft", "awaiting_review", "rejected", "withdrawn", "given"])
def test_a_conversation_needs_a_visible_listing(owner, asker, status):
    hidden = make_listing(owner=owner, status=status)
    with pytest.raises(NotFound):
        messaging.start_conversation(asker, hidden)


def test_a_reserved_listing_can_still_be_asked_about(owner, asker):
    reserved = make_listing(owner=owner, status="reserved")
    assert messaging.start_conversation(asker, reserved).listing_id == reserved.id


def test_an_existing_conversation_stays_open_after_the_listing_closed(asker, listing, conversation):
    move_listing(listing, "mark_given")
    assert messaging.start_conversation(asker, listing).id == conversation.id


def test_the_owner_can_write_first_to_a_member_who_requested_the_item(owner, asker, listing):
    request = exchanges.request_item(asker, listing)
    db.session.commit()
    conversation = messaging.start_conversation_about_request(owner, request)
    assert (conversation.owner_id, conversation.interested_id) == (owner.id, asker.id)
    assert messaging.start_conversation_about_request(asker, request).id == conversation.id


def test_a_stranger_cannot_open_the_conversation_of_a_request(asker, stranger, listing):
    request = exchanges.request_item(asker, listing)
    db.session.commit()
    with pytest.raises(NotFound):
        messaging.start_conversation_about_request(stranger, request)


# --- sending --------------------------------------------------------------------------------------


def test_messages_are_stored_trimmed_and_mark_the_senders_side_read(owner, asker, conversation):
    message = send(asker, conversation, "  Bonjour !\r\nJe peux passer samedi.  \n")
    assert message.body == "Bonjour !\nJe peux passer samedi."
    assert conversation.last_message_at == message.created_at
    assert messaging.is_unread(owner, conversation)
    assert not messaging.is_unread(asker, conversation)


@pytest.mark.parametrize("body", ["", "   ", "\n\t\n", "\x00\x07"])
def test_an_empty_message_is_refused_in_french(asker, conversation, body):
    with pytest.raises(ValidationFailed) as error:
        messaging.send_message(asker, conversation, body)
    assert error.value.fields == {"body": ["Écrivez un message avant de l’envoyer."]}


def test_a_message_of_2000_characters_passes_and_2001_is_refused(asker, conversation):
    send(asker, conversation, "a" * 2000)
    with pytest.raises(ValidationFailed) as error:
        messaging.send_message(asker, conversation, "a" * 2001)
    assert str(error.value.fields["body"][0]) == (
        "Le message ne peut pas dépasser 2000 caractères (il en compte 2001)."
    )


def test_control_characters_are_removed_so_every_database_accepts_the_text(asker, conversation):
    message = send(asker, conversation, "Bon\x00jour\x1b !\u202e")
    assert message.body == "Bonjour !"


def test_a_nul_character_sent_from_the_page_is_dropped_not_a_500(asker, conversation, client_for):
    response = client_for(asker).post(f"/messages/{conversation.id}", data={"body": "A\x00B"})
    assert response.status_code == 302
    assert db.session.scalar(select(Message.body)) == "AB"


def test_a_stranger_can_neither_write_nor_read(stranger, conversation):
    with pytest.raises(NotFound):
        messaging.send_message(stranger, conversation, "Coucou")
    with pytest.raises(NotFound):
        messaging.messages_in(stranger, conversation)
    with pytest.raises(NotFound) as hidden:
        messaging.get_conversation(stranger, conversation.id)
    with pytest.raises(NotFound) as missing:
        messaging.get_conversation(stranger, conversation.id + 1000)
    assert str(hidden.value) == str(missing.value)


# --- unread counts --------------------------------------------------------------------------------


def test_unread_counts_follow_messages_and_reading(owner, asker, stranger, listing, conversation):
    assert messaging.unread_count(owner) == messaging.unread_count(asker) == 0

    send(asker, conversation)
    send(asker, conversation, "Et la taille ?")
    assert (messaging.unread_count(owner), messaging.unread_count(asker)) == (1, 0)

    other_listing = make_listing(owner=owner, title="Raquette de tennis")
    second = messaging.start_conversation(stranger, other_listing)
    db.session.commit()
    send(stranger, second)
    assert messaging.unread_count(owner) == 2

    messaging.mark_read(owner, conversation)
    db.session.commit()
    assert messaging.unread_count(owner) == 1
    send(owner, conversation, "Oui, taille 7.")
    assert (messaging.unread_count(owner), messaging.unread_count(asker)) == (1, 1)


def test_an_empty_conversation_is_unread_for_nobody(owner, asker, conversation):
    assert messaging.unread_count(owner) == 0
    assert messaging.unread_count(asker) == 0


def test_anonymous_visitors_have_no_unread_messages(app, client):
    with app.test_request_context("/"):
        assert render_template_string("{{ unread_message_count() }}") == "0"


def test_the_header_count_is_the_members_unread_conversations(app, owner, asker, conversation):
    send(asker, conversation)
    with app.test_request_context("/"):
        login_user(owner)
        assert render_template_string("{{ unread_message_count() }}") == "1"


# --- email notifications, batched -----------------------------------------------------------------


def test_ten_messages_in_a_row_send_one_email_with_a_link(owner, asker, conversation, outbox):
    for number in range(10):
        send(asker, conversation, f"Message numéro {number}")
    mails = outbox.to(owner.email)
    assert len(mails) == 1
    assert mails[0].subject == SUBJECT
    assert "Inès Intéressée vous a écrit" in mails[0].text
    assert mails[0].link(f"/messages/{conversation.id}") == (
        f"http://localhost/messages/{conversation.id}"
    )
    assert "Message numéro" not in mails[0].text  # the content stays on the site
    assert outbox.to(asker.email) == []


def test_reading_the_conversation_rearms_the_email(owner, asker, conversation, outbox):
    send(asker, conversation)
    send(asker, conversation)
    messaging.mark_read(owner, conversation)
    db.session.commit()
    send(asker, conversation)
    send(asker, conversation)
    assert len(outbox.to(owner.email)) == 2


def test_replying_also_rearms_the_email_of_the_one_who_replied(owner, asker, conversation, outbox):
    send(asker, conversation)
    send(owner, conversation, "Oui !")
    send(asker, conversation, "Merci, à samedi.")
    assert len(outbox.to(owner.email)) == 2
    assert len(outbox.to(asker.email)) == 1


def test_the_email_is_written_in_the_recipients_language(owner, asker, conversation, outbox):
    owner.locale = "en"
    db.session.commit()
    send(asker, conversation)
    send(owner, conversation, "Oui, passez samedi.")

    english = outbox.last(owner.email)
    assert english.subject == "New message about “Ballon de basket taille 7”"
    assert "wrote to you about the listing “Ballon de basket taille 7”." in english.text
    assert "To read the message and reply:" in english.text
    # The French-speaking member still gets French
    assert outbox.last(asker.email).subject == SUBJECT


def test_a_rolled_back_message_sends_no_email(owner, asker, conversation, outbox):
    messaging.send_message(asker, conversation, "Jamais envoyé")
    db.session.rollback()
    db.session.commit()
    assert outbox.to(owner.email) == []
    assert message_count() == 0


# --- deleted accounts and personal data -----------------------------------------------------------


def test_a_deleted_members_messages_stay_readable_and_nothing_of_the_other_is_lost(
    owner, asker, conversation, client_for, outbox
):
    send(asker, conversation, "Je passe samedi.")
    send(owner, conversation, "Parfait.")
    conversation_id = conversation.id
    personal_data.delete_account(asker, PASSWORD)
    db.session.commit()

    page = text(client_for(owner).get(f"/messages/{conversation_id}"))
    assert "Je passe samedi." in page and "Parfait." in page
    assert "Conversation avec Membre supprimé" in page
    assert "Inès" not in page
    assert "plus y répondre" in page
    assert message_count() == 2

    with pytest.raises(Conflict):
        messaging.send_message(owner, db.session.get(Conversation, conversation_id), "Allô ?")
    db.session.rollback()
    subjects = [mail.subject for mail in outbox.to("asker@example.org")]
    assert subjects == [SUBJECT, "Votre compte a été supprimé"]


def test_no_email_ever_goes_to_a_deleted_account(owner, asker, conversation, outbox):
    personal_data.delete_account(owner, PASSWORD)
    db.session.commit()
    before = len(outbox)
    with pytest.raises(Conflict):
        messaging.send_message(asker, conversation, "Toujours là ?")
    db.session.rollback()
    assert len(outbox) == before


def test_personal_data_export_holds_the_conversations_and_their_messages(
    owner, asker, conversation
):
    send(asker, conversation, "Bonjour")
    send(owner, conversation, "Bonjour à vous")
    data = personal_data.export_personal_data(asker)
    [exported] = data["messages"]
    assert exported["listing_title"] == "Ballon de basket taille 7"
    assert exported["role"] == "interested"
    assert exported["other_party"] == "Olivier Propriétaire"
    assert [(m["from_me"], m["body"]) for m in exported["messages"]] == [
        (True, "Bonjour"),
        (False, "Bonjour à vous"),
    ]


# --- the inbox ------------------------------------------------------------------------------------


def test_the_inbox_lists_conversations_latest_first_with_unread_flags(owner, asker, stranger):
    first = make_listing(owner=owner, title="Ballon de basket taille 7")
    second = make_listing(owner=owner, title="Raquette de tennis")
    older = messaging.start_conversation(asker, first)
    newer = messaging.start_conversation(stranger, second)
    db.session.commit()
    send(asker, older, "Premier " + "mot " * 60)
    send(stranger, newer, "Second")
    messaging.mark_read(owner, newer)
    db.session.commit()

    summaries = messaging.conversations_of(owner)
    assert [s.conversation.id for s in summaries] == [newer.id, older.id]
    assert [s.other.id for s in summaries] == [stranger.id, asker.id]
    assert [s.unread for s in summaries] == [False, True]
    assert summaries[0].preview == "Second"
    assert len(summaries[1].preview) == messaging.PREVIEW_LENGTH
    assert summaries[1].preview.endswith("…")
    assert [s.listing.title for s in messaging.conversations_of(asker)] == [first.title]


def test_the_inbox_runs_the_same_number_of_statements_for_2_or_20_conversations(
    app, owner, client_for, count_queries
):
    browser = client_for(owner)

    def add_conversations(count: int) -> None:
        for _ in range(count):
            member = make_user()
            conversation = messaging.start_conversation(member, make_listing(owner=owner))
            db.session.commit()
            send(member, conversation)

    def statements() -> int:
        with count_queries() as executed:
            response = browser.get("/messages")
        assert response.status_code == 200
        return len(executed)

    add_conversations(2)
    assert owner.id  # loaded now, not inside the counted block
    with count_queries() as service_two:
        assert len(messaging.conversations_of(owner)) == 2
    two = statements()
    add_conversations(18)
    assert owner.id
    with count_queries() as service_twenty:
        assert len(messaging.conversations_of(owner)) == 20
    twenty = statements()
    assert len(service_two) == len(service_twenty) == 1
    assert two == twenty


# --- pages ----------------------------------------------------------------------------------------


def test_contacting_the_owner_opens_the_conversation_page(asker, listing, client_for):
    browser = client_for(asker)
    response = browser.post(f"/annonces/{listing.id}/contacter")
    assert response.status_code == 303
    conversation = db.session.scalar(select(Conversation))
    assert response.headers["Location"] == f"/messages/{conversation.id}"
    page = text(browser.get(response.headers["Location"]))
    assert "Conversation avec Olivier Propriétaire" in page
    assert "Ballon de basket taille 7" in page
    again = browser.post(f"/annonces/{listing.id}/contacter")
    assert again.headers["Location"] == f"/messages/{conversation.id}"


def test_visitors_must_sign_in_to_contact_or_read(client, listing, conversation):
    response = client.post(f"/annonces/{listing.id}/contacter")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/compte/connexion")
    for path in ("/messages", f"/messages/{conversation.id}"):
        assert client.get(path).headers["Location"].startswith("/compte/connexion")


def test_the_owner_contacting_their_own_listing_gets_a_french_403(owner, listing, client_for):
    response = client_for(owner).post(f"/annonces/{listing.id}/contacter")
    assert response.status_code == 403
    assert "vous ne pouvez pas vous écrire à vous-même" in text(response)


def test_contacting_about_a_missing_or_hidden_listing_is_a_404(owner, asker, client_for):
    draft = make_listing(owner=owner, status="draft")
    browser = client_for(asker)
    assert browser.post(f"/annonces/{draft.id}/contacter").status_code == 404
    assert browser.post(f"/annonces/{draft.id + 1000}/contacter").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_a_message_sent_from_the_page_reaches_the_other_side(
    owner, asker, conversation, client_for, outbox
):
    browser = client_for(asker)
    response = browser.post(f"/messages/{conversation.id}", data={"body": "Dispo samedi ?"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/messages/{conversation.id}#dernier-message"
    assert "Votre message est envoyé." in text(browser.get(response.headers["Location"]))
    assert len(outbox.to(owner.email)) == 1

    owner_browser = client_for(owner)
    assert "Dispo samedi ?" in text(owner_browser.get("/messages"))
    assert messaging.unread_count(owner) == 1
    page = text(owner_browser.get(f"/messages/{conversation.id}"))
    assert "Dispo samedi ?" in page
    db.session.rollback()
    assert messaging.unread_count(owner) == 0


@pytest.mark.parametrize(
    "body, error",
    [
        ("", "Écrivez un message avant de l’envoyer."),
        ("   ", "Écrivez un message avant de l’envoyer."),
        ("Long " * 401, "Ce texte ne peut pas dépasser 2000 caractères."),
    ],
)
def test_a_bad_message_is_refused_with_a_422_and_the_text_kept(
    asker, conversation, client_for, body, error
):
    response = client_for(asker).post(f"/messages/{conversation.id}", data={"body": body})
    assert response.status_code == 422
    page = text(response)
    assert error.replace("’", "&#39;") in page or error in page
    assert f"{body}</textarea>" in page
    assert message_count() == 0


def test_html_in_a_message_is_shown_as_text(owner, asker, conversation, client_for):
    send(asker, conversation, "<script>alert('x')</script> & <b>gras</b>")
    page = text(client_for(owner).get(f"/messages/{conversation.id}"))
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;" in page
    assert "<script>alert" not in page


def test_strangers_get_the_same_404_as_for_a_missing_conversation(
    stranger, conversation, client_for
):
    browser = client_for(stranger)
    browser.get("/")  # shows the sign-in message, so that both pages below are alike
    hidden = browser.get(f"/messages/{conversation.id}")
    missing = browser.get(f"/messages/{conversation.id + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert "Cette conversation n’existe pas ou ne vous concerne pas." in text(hidden)
    assert without_csrf_token(text(hidden)) == without_csrf_token(text(missing)).replace(
        f"/messages/{conversation.id + 1000}", f"/messages/{conversation.id}"
    )
    posted = browser.post(f"/messages/{conversation.id}", data={"body": "Coucou"})
    assert posted.status_code == 404
    assert message_count() == 0


def test_the_inbox_page_shows_unread_conversations(owner, asker, conversation, client_for):
    send(asker, conversation, "Bonjour, toujours disponible ?")
    page = text(client_for(owner).get("/messages"))
    assert "1 conversation a de nouveaux messages." in page
    assert "Nouveau" in page
    assert "Avec Inès Intéressée, intéressé par votre annonce" in page
    assert "Bonjour, toujours disponible ?" in page
    assert f'href="/messages/{conversation.id}"' in page


def test_message_forms_refuse_a_post_without_csrf_token(app, asker, listing, client_for):
    browser = client_for(asker)
    conversation = messaging.start_conversation(asker, listing)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    for path in (f"/annonces/{listing.id}/contacter", f"/messages/{conversation.id}"):
        response = browser.post(path, data={"body": "Bonjour"})
        assert response.status_code == 400
        assert "Formulaire expiré" in text(response)
    assert message_count() == 0


def test_ids_too_large_for_the_database_are_a_404(asker, client_for):
    browser = client_for(asker)
    huge = 10**25
    assert browser.get(f"/messages/{huge}").status_code == 404
    assert browser.post(f"/annonces/{huge}/contacter").status_code == 404


def test_the_message_box_has_no_maxlength_that_would_cut_pasted_text(
    asker, conversation, client_for
):
    page = text(client_for(asker).get(f"/messages/{conversation.id}"))
    [textarea] = re.findall(r"<textarea[^>]*>", page)
    assert 'name="body"' in textarea
    assert "maxlength" not in textarea
