"""The review queue's pages: who may open them, the order and filters of the queue, what a case
shows (the item, why it is there, the previous decision, the author's history), the decision
form and its errors, hostile input, and the author's side (the reason, editing, resubmitting)."""

import re
from datetime import timedelta

import pytest

from sportressources.core.db import db, utcnow
from sportressources.listings import services as listings
from sportressources.listings.models import Listing
from sportressources.moderation import decisions, queue
from sportressources.moderation.models import ModerationCase
from tests.factories import committed, make_listing, make_user
from tests.fixtures.web import text
from tests.listings.helpers import form_data, listing_data
from tests.moderation.queue_helpers import (
    FACTS,
    GROUND,
    decide_rows,
    message_between,
    rating_of,
    reported,
    statements_of,
    submitted_listing,
)


def decide(client, case, **data):
    return client.post(f"/moderation/file/{case.id}/decision", data=data)


def status_of(listing) -> str:
    db.session.rollback()
    return db.session.get(Listing, listing.id).status


def position(page: str, *texts: str) -> list[int]:
    return [page.index(value) for value in texts]


# --- who may -------------------------------------------------------------------------------------


def test_visitors_are_sent_to_sign_in_and_residents_refused(
    client, client_for, resident, owner, moderator, admin
):
    listing, case = submitted_listing(owner)
    paths = ["/moderation/file", f"/moderation/file/{case.id}", "/moderation/annonces"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]
    response = decide(client, case, decision="approve")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]

    for member in (resident, owner):
        browser = client_for(member)
        for path in paths:
            assert browser.get(path).status_code == 403
        assert decide(browser, case, decision="approve").status_code == 403
    assert status_of(listing) == "awaiting_review"
    assert db.session.get(ModerationCase, case.id).status == "open"

    for member in (moderator, admin):
        browser = client_for(member)
        for path in paths[:2]:
            assert browser.get(path).status_code == 200


def test_the_menu_counts_what_waits_for_moderators_only(owner, resident, moderator, client_for):
    submitted_listing(owner)
    submitted_listing(owner, title="Casque de vélo")
    page = text(client_for(moderator).get("/"))
    assert re.search(r"File de modération\s*<span class=\"badge\">2 en attente</span>", page)
    assert "File de modération" not in text(client_for(resident).get("/"))


def test_a_post_without_csrf_token_is_refused(app, moderator_client, owner):
    listing, case = submitted_listing(owner)
    app.config["WTF_CSRF_ENABLED"] = True
    response = decide(moderator_client, case, decision="approve")
    assert response.status_code == 400 and "Formulaire expiré" in text(response)
    assert status_of(listing) == "awaiting_review"


# --- the queue -----------------------------------------------------------------------------------


def test_flagged_and_reported_items_come_first_then_the_oldest(app, moderator_client, owner):
    owner.created_at = utcnow() - timedelta(days=90)  # no « recent account » flag
    submitted_listing(owner, title="Ancienne annonce")
    submitted_listing(owner, title="Récente annonce")
    flagged, _case = submitted_listing(owner, title="Annonce avec alerte")
    committed(
        queue.open_case(
            "listing",
            flagged.id,
            author_id=owner.id,
            reason="new",
            flags=[{"code": "contact_details", "detail": "06 12 34 56 78 dans la description"}],
        )
    )
    talker = make_user(display_name="Bavard")
    message = message_between(talker, owner, body="Appelle-moi au 06 00 00 00 00")
    reported("message", message.id, talker, reason="rule:5.2")

    page = text(moderator_client.get("/moderation/file"))
    first, second, third, fourth = position(
        page, "Annonce avec alerte", "message de Bavard", "Ancienne annonce", "Récente annonce"
    )
    assert first < second < third < fourth
    assert "06 12 34 56 78 dans la description" in page  # the flag, explained
    assert "1 signalement" in page
    assert "4 éléments à examiner" in page


def test_the_queue_filters_by_kind_and_by_flag(app, moderator_client, owner, asker):
    plain, _ = submitted_listing(owner, title="Annonce ordinaire")
    flagged, _ = submitted_listing(owner, title="Annonce signalée par alerte")
    committed(
        queue.open_case(
            "listing",
            flagged.id,
            author_id=owner.id,
            reason="new",
            flags=[{"code": "forbidden_word", "detail": "mot interdit : « contrefaçon »"}],
        )
    )
    message = message_between(asker, owner)
    reported("message", message.id, asker)
    rating = rating_of(asker, owner)
    reported("rating", rating.id, asker)
    reported("profile", asker.id, asker)

    listings_page = text(moderator_client.get("/moderation/file?type=listing"))
    assert "Annonce ordinaire" in listings_page and "message de" not in listings_page
    assert "2 éléments à examiner" in listings_page
    messages_page = text(moderator_client.get("/moderation/file?type=message"))
    assert "message de Inès Intéressée" in messages_page
    assert "Annonce ordinaire" not in messages_page
    assert "Menteur et voleur" in text(moderator_client.get("/moderation/file?type=rating"))
    assert "Profil : Inès Intéressée" in text(moderator_client.get("/moderation/file?type=profile"))

    by_flag = text(moderator_client.get("/moderation/file?alerte=forbidden_word"))
    assert "Annonce signalée par alerte" in by_flag and "Annonce ordinaire" not in by_flag
    assert '<option value="forbidden_word" selected>' in by_flag
    none = text(moderator_client.get("/moderation/file?type=message&alerte=forbidden_word"))
    assert "Rien à examiner" in none


@pytest.mark.parametrize(
    "query",
    [
        "type=organisation",
        "type=%00",
        "alerte=%27%20OR%201%3D1",
        "alerte=" + "a" * 500,
        "page=-1",
        "page=99999999999",
        "page=abc",
        "alerte=code%22%7D%5D",
    ],
)
def test_odd_filters_are_ignored(app, moderator_client, owner, query):
    submitted_listing(owner, title="Toujours là")
    response = moderator_client.get(f"/moderation/file?{query}")
    assert response.status_code == 200
    page = text(response)
    assert "Toujours là" in page or "Rien à examiner" in page


def test_a_long_queue_is_paginated(app, moderator_client, owner, count_queries):
    app.config["MODERATION_BURST_LISTINGS"] = 100  # no « burst » flag reorders them
    for number in range(23):
        submitted_listing(owner, title=f"Annonce numéro {number:02d}")
    with count_queries() as statements:
        first = text(moderator_client.get("/moderation/file"))
    assert len(statements) < 25  # a few per page, not a few per item
    assert "Annonce numéro 00" in first and "Annonce numéro 19" in first
    assert "Annonce numéro 20" not in first and "Page suivante" in first
    second = text(moderator_client.get("/moderation/file?page=2"))
    assert "Annonce numéro 22" in second and "Annonce numéro 00" not in second
    assert "Page précédente" in second


def test_the_old_listings_queue_leads_to_the_new_one(moderator_client):
    response = moderator_client.get("/moderation/annonces")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/moderation/file?type=listing")


# --- one case ------------------------------------------------------------------------------------


def test_a_case_shows_the_item_with_its_photos_and_the_form(app, moderator_client, owner):
    listing = committed(listings.create_listing(owner, listing_data(title="Vélo enfant")))
    case = queue.open_case_for("listing", listing.id)
    page = text(moderator_client.get(f"/moderation/file/{case.id}"))
    assert f"/medias/{listing.photos[0].key}-m.jpg" in page
    assert "Photo 1 sur 1 : Vélo enfant" in page
    for label in ("Publier l’annonce", "Demander une modification", "Refuser l’annonce"):
        assert label in page
    assert 'value="remove"' not in page and 'value="dismiss"' not in page
    assert '<optgroup label="Règles des conditions d’utilisation">' in page
    assert '<optgroup label="Contenu illicite">' in page
    assert "3.4 – Pas de coordonnées ni de liens dans une annonce" in page
    # The queue shows the photo too, smaller
    thumbnail = f"/medias/{listing.photos[0].key}-s.jpg"
    assert thumbnail in text(moderator_client.get("/moderation/file"))


def test_a_reported_item_offers_to_keep_or_remove_it(app, moderator_client, owner, asker):
    message = message_between(asker, owner, body="Réponds ou je viens chez toi.")
    case = reported("message", message.id, asker, reason="illegal:harassment")
    page = text(moderator_client.get(f"/moderation/file/{case.id}"))
    assert "Réponds ou je viens chez toi." in page
    assert "Contenu illicite : Harcèlement ou menaces" in page
    assert "Conserver : aucune règle n’est enfreinte" in page and "Retirer le contenu" in page
    assert 'value="approve"' not in page


def test_a_case_shows_the_authors_history(app, moderator_client, owner, asker, moderator):
    rating_of(asker, owner, comment="Très bon échange, merci.", score=5)
    earlier, earlier_case = submitted_listing(owner, title="Annonce refusée avant")
    committed(decisions.decide(moderator, earlier_case.id, "reject", FACTS, GROUND))
    old = make_listing(owner=owner, title="Ancienne annonce signalée")
    reported("listing", old.id, owner, reason="rule:3.6")
    _listing, case = submitted_listing(owner, title="Nouvelle annonce")

    page = text(moderator_client.get(f"/moderation/file/{case.id}"))
    history = page[page.index("Historique de l’auteur : Olivier Propriétaire") :]
    assert "Annonce refusée avant" in history and "Refusée" in history
    assert "Ancienne annonce signalée" in history
    assert "annonce refusée" in history  # the past decision
    assert "Règle 3.6 : Pas d’annonce fictive, en double ou publiée en masse" in history
    assert "5 sur 5 par Inès Intéressée" in history and "Très bon échange" in history
    assert "1 échange réalisé" in history  # the reliability figure


def test_a_missing_case_is_not_found(moderator_client):
    for path in ("/moderation/file/999999", f"/moderation/file/{2**31}", "/moderation/file/x"):
        assert moderator_client.get(path).status_code == 404
    assert moderator_client.post("/moderation/file/999999/decision").status_code == 404
    assert moderator_client.post(f"/moderation/file/{2**40}/decision").status_code == 404


# --- deciding through the page -------------------------------------------------------------------


def test_refusing_needs_facts_and_a_ground_and_loses_nothing(app, moderator_client, owner):
    listing, case = submitted_listing(owner)
    response = decide(moderator_client, case, decision="reject", note="Photo floue, ", ground="")
    assert response.status_code == 422
    page = text(response)
    assert "Choisissez le motif" in page
    assert "Photo floue, </textarea>" in page  # what the moderator wrote is still there
    assert re.search(r'<input checked[^>]*value="reject"', page)
    response = decide(moderator_client, case, decision="reject", note="", ground=GROUND)
    assert response.status_code == 422
    assert "Décrivez les faits" in text(response)
    assert status_of(listing) == "awaiting_review"
    assert statements_of(case) == []


@pytest.mark.parametrize(
    "data, message",
    [
        ({"decision": "explode"}, "Choisissez une décision dans la liste."),
        ({}, "Choisissez une décision dans la liste."),
        ({"decision": "reject", "note": FACTS, "ground": "rule:9.9"}, "Choisissez un motif"),
        ({"decision": "reject", "note": FACTS, "ground": "x" * 10_000}, "Choisissez un motif"),
        (
            {"decision": "reject", "note": "é" * 100_000, "ground": GROUND},
            "ne peut pas dépasser 2000 caractères",
        ),
        ({"decision": "remove", "note": FACTS, "ground": GROUND}, "pas possible pour cet élément"),
    ],
)
def test_hostile_decisions_get_a_french_message(app, moderator_client, owner, data, message):
    listing, case = submitted_listing(owner)
    response = decide(moderator_client, case, **data)
    assert response.status_code == 422
    assert message in text(response)
    assert status_of(listing) == "awaiting_review"
    assert db.session.get(ModerationCase, case.id).status == "open"


def test_nul_bytes_in_the_facts_are_dropped(app, moderator_client, owner):
    listing, case = submitted_listing(owner)
    response = decide(
        moderator_client, case, decision="reject", note="Photo\x00 floue.", ground=GROUND
    )
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(Listing, listing.id).review_note == "Photo floue."


def test_the_second_moderator_is_told_who_decided(app, owner, moderator, client_for):
    listing, case = submitted_listing(owner)
    first = client_for(moderator)
    second = client_for(make_user(display_name="Modo Deux", role="moderator"))
    second.get(f"/moderation/file/{case.id}")  # both have the form open

    response = decide(first, case, decision="reject", note=FACTS, ground=GROUND)
    assert response.status_code == 303
    queue_page = text(first.get(response.headers["Location"]))
    assert "Décision enregistrée : annonce refusée." in queue_page
    response = decide(second, case, decision="approve")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/moderation/file/{case.id}")
    page = text(second.get(response.headers["Location"]))
    assert re.search(r"Déjà traité par Modo le .* : annonce refusée\.", page)
    assert "Décidé le" in page and 'name="decision"' not in page
    assert status_of(listing) == "rejected"
    assert len(statements_of(case)) == 1 and decide_rows(case) == 1


# --- the author's side ---------------------------------------------------------------------------


def test_the_author_reads_the_reason_edits_and_the_resubmission_shows_it(
    app, moderator_client, owner, client_for, outbox
):
    listing = committed(listings.create_listing(owner, listing_data(title="Vélo enfant")))
    key = listing.photos[0].key
    case = queue.open_case_for("listing", listing.id)
    response = decide(moderator_client, case, decision="reject", note=FACTS, ground=GROUND)
    assert response.status_code == 303

    [mail] = outbox.to(owner.email)
    assert FACTS in mail.text
    author = client_for(owner)
    assert FACTS in text(author.get(f"/annonces/{listing.id}"))
    assert "Une décision de modération concerne" in text(author.get("/notifications"))
    response = author.post(
        f"/annonces/{listing.id}/modifier",
        data=form_data(title="Vélo enfant 20 pouces", description="Sans téléphone cette fois.")
        | {"existing_photos": key},
    )
    assert response.status_code == 302
    assert status_of(listing) == "awaiting_review"

    again = queue.open_case_for("listing", listing.id)
    assert again.id != case.id and again.reason == "resubmitted"
    queue_page = text(moderator_client.get("/moderation/file"))
    assert "Renvoyée après une décision" in queue_page
    assert re.search(r"Décision précédente, le .* par Modo : annonce refusée\.", queue_page)
    assert FACTS in queue_page
    response = decide(moderator_client, again, decision="approve")
    assert response.status_code == 303
    assert status_of(listing) == "published"
    assert outbox.last(owner.email).subject == "Votre annonce est publiée"


def test_asking_for_changes_shows_the_author_what_to_change(moderator_client, owner, client_for):
    listing, case = submitted_listing(owner)
    decide(
        moderator_client,
        case,
        decision="request_changes",
        note="Ajoutez une photo de la semelle.",
        ground="rule:3.1",
    )
    author = client_for(owner)
    page = text(author.get(f"/annonces/{listing.id}"))
    assert "vous demande de modifier cette annonce" in page
    assert "Ajoutez une photo de la semelle." in page
    assert f"/annonces/{listing.id}/modifier" in page
    assert "Modification demandée" in text(author.get("/mon-espace"))


def test_both_sides_of_a_conversation_see_a_removed_message_as_removed(
    app, moderator_client, owner, asker, client_for
):
    message = message_between(asker, owner, body="Je sais où tu habites.")
    case = reported("message", message.id, asker, reason="illegal:harassment")
    response = decide(
        moderator_client, case, decision="remove", note="Menaces.", ground="illegal:harassment"
    )
    assert response.status_code == 303
    for member in (owner, asker):
        browser = client_for(member)
        page = text(browser.get(f"/messages/{message.conversation_id}"))
        assert "Message retiré par la modération" in page
        assert "Je sais où tu habites." not in page
        assert "Je sais où tu habites." not in text(browser.get("/messages"))
