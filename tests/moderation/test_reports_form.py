"""The report form (DSA art. 16): anyone reports a listing, a profile, a message or a rating they
can see; visitors give a name and an email address; one open report per reporter and item; never
one's own item; wrong input gets French errors and loses nothing; acknowledgements by email."""

import html
import re

import pytest
from sqlalchemy import select

from sportressources.core.db import db, utcnow
from sportressources.core.errors import ValidationFailed
from sportressources.messaging import services as messaging
from sportressources.moderation import reports
from sportressources.moderation.models import ModerationCase
from sportressources.moderation.reports_targets import find_target
from sportressources.notifications.models import Notification
from tests.factories import committed, make_listing, make_user
from tests.fixtures.web import text
from tests.moderation.reporting import (
    EXPLANATION,
    LISTING_TITLE,
    MESSAGE_BODY,
    RATING_COMMENT,
    VISITOR,
    all_reports,
    listing_by,
    message_from,
    rating_by,
    report_form,
    reports_on,
)

RECEIVED = "Votre signalement est bien reçu"


@pytest.fixture
def listing(owner):
    return listing_by(owner)


def url(target_type: str, target_id: int | str) -> str:
    return f"/signaler/{target_type}/{target_id}"


def error_summary(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', text(response), re.S)
    return html.unescape(match.group(0)) if match else ""


def flashes(response) -> str:
    return html.unescape(text(response))


# --- visitors -------------------------------------------------------------------------------------


def test_a_visitor_reports_a_listing_with_a_name_and_an_email(client, owner, listing, outbox):
    form = client.get(url("listing", listing.id))
    assert form.status_code == 200
    page = html.unescape(text(form))
    assert "Signaler une annonce" in page and LISTING_TITLE in page
    assert '<optgroup label="Contenu illicite">' in page
    assert '<optgroup label="Règle des conditions d’utilisation">' in page
    assert "3.4 – Pas de coordonnées ni de liens dans une annonce" in page
    assert "Votre nom" in page and "Votre adresse e-mail" in page
    assert "Je déclare de bonne foi" in page

    sent = client.post(url("listing", listing.id), data=report_form(visitor=True))

    assert sent.status_code == 303
    assert sent.headers["Location"] == f"/signaler/listing/{listing.id}/envoye"
    thanks = client.get(sent.headers["Location"])
    assert "Merci, votre signalement est envoyé" in html.unescape(text(thanks))
    assert "l’adresse e-mail que vous avez indiquée" in html.unescape(text(thanks))
    [report] = reports_on("listing", listing.id)
    assert (report.reporter_id, report.reporter_name, report.reporter_email) == (
        None,
        "Valérie Visiteuse",
        "valerie@example.org",
    )
    assert (report.reason, report.explanation, report.status, report.locale) == (
        "rule:3.4",
        EXPLANATION,
        "open",
        "fr",
    )
    case = db.session.get(ModerationCase, report.case_id)
    assert (case.target_type, case.target_id, case.status) == ("listing", listing.id, "open")
    assert (case.reason, case.report_count, case.author_id) == ("reported", 1, owner.id)
    mail = outbox.last("valerie@example.org")
    assert mail.subject == RECEIVED
    assert "Bonjour Valérie Visiteuse," in mail.text
    assert f"votre signalement concernant l’annonce « {LISTING_TITLE} »" in mail.text
    assert (
        "Motif indiqué : Règle 3.4 des conditions d’utilisation : Pas de coordonnées ni de liens "
        "dans une annonce" in mail.text
    )
    assert EXPLANATION in mail.text
    assert mail.link("/annonces/") == f"http://localhost/annonces/{listing.id}"
    assert outbox.to(owner.email) == [] or all(
        "signalement" not in m.subject for m in outbox.to(owner.email)
    )


def test_a_visitor_without_a_name_or_an_email_is_asked_for_them_and_loses_nothing(
    client, listing, outbox
):
    typed = "Le vendeur demande un paiement par mandat cash avant toute remise."
    refused = client.post(
        url("listing", listing.id),
        data=report_form(reason="illegal:fraud", explanation=typed),
    )

    assert refused.status_code == 422
    summary = error_summary(refused)
    assert "Votre nom : Indiquez votre nom." in summary
    assert "Votre adresse e-mail : Indiquez une adresse e-mail." in summary
    assert typed in html.unescape(text(refused))
    assert '<option selected value="illegal:fraud">' in text(refused) or re.search(
        r'<option[^>]*value="illegal:fraud"[^>]*selected', text(refused)
    )
    assert all_reports() == []
    # the listing's case from its review is left as it was
    assert [case.report_count for case in db.session.scalars(select(ModerationCase))] == [0]
    assert len(outbox) == 0


def test_a_visitor_with_a_malformed_address_gets_a_french_error(client, listing):
    refused = client.post(
        url("listing", listing.id), data=report_form(visitor=True, email="pas-une-adresse")
    )
    assert refused.status_code == 422
    assert "Cette adresse e-mail n’est pas valide" in error_summary(refused)
    assert 'value="pas-une-adresse"' in text(refused)
    assert all_reports() == []


def test_a_visitor_reading_in_english_is_acknowledged_in_english(client, listing, outbox):
    client.post("/langue", data={"locale": "en", "next": "/"})
    page = text(client.get(url("listing", listing.id)))
    assert "Report a listing" in page

    sent = client.post(url("listing", listing.id), data=report_form(visitor=True))

    assert sent.status_code == 303
    [report] = all_reports()
    assert report.locale == "en"
    mail = outbox.last("valerie@example.org")
    assert mail.subject == "Your report has been received"
    assert "Hello Valérie Visiteuse," in mail.text


def test_a_bot_filling_the_hidden_field_is_refused(client, listing):
    refused = client.post(
        url("listing", listing.id), data=report_form(visitor=True, website="http://spam")
    )
    assert refused.status_code == 422
    assert "semble rempli par un robot" in error_summary(refused)
    assert all_reports() == []


# --- members --------------------------------------------------------------------------------------


def test_a_member_reports_a_listing_and_gets_a_notice_and_an_email(
    resident, listing, client_for, outbox
):
    browser = client_for(resident)
    page = html.unescape(text(browser.get(url("listing", listing.id))))
    assert "Vous signalez en tant que Camille Résidente." in page
    assert 'name="email"' not in page and 'name="name"' not in page

    sent = browser.post(url("listing", listing.id), data=report_form(reason="illegal:counterfeit"))

    assert sent.status_code == 303
    [report] = reports_on("listing", listing.id)
    assert (report.reporter_id, report.reporter_name, report.reporter_email) == (
        resident.id,
        None,
        None,
    )
    assert report.reason == "illegal:counterfeit"
    [notice] = db.session.scalars(select(Notification).where(Notification.user_id == resident.id))
    assert notice.kind == "moderation_report_received"
    assert notice.url == f"/annonces/{listing.id}"
    notifications = html.unescape(text(browser.get("/notifications")))
    assert f"Votre signalement concernant « {LISTING_TITLE} » est bien reçu" in notifications
    mail = outbox.last(resident.email)
    assert mail.subject == RECEIVED
    assert "Bonjour Camille Résidente," in mail.text
    assert "Motif indiqué : Contenu illicite : Contrefaçon" in mail.text


def test_reporting_the_same_item_twice_is_refused_kindly_and_nothing_is_duplicated(
    resident, listing, client_for, client, outbox
):
    browser = client_for(resident)
    assert browser.post(url("listing", listing.id), data=report_form()).status_code == 303

    again = browser.get(url("listing", listing.id))
    assert again.status_code == 303 and again.headers["Location"] == f"/annonces/{listing.id}"
    shown = flashes(browser.get(again.headers["Location"]))
    assert "Vous avez déjà signalé cet élément" in shown
    posted = browser.post(url("listing", listing.id), data=report_form())
    assert posted.status_code == 303 and posted.headers["Location"] == f"/annonces/{listing.id}"

    # A visitor is known by their address, whatever its case
    assert client.post(url("listing", listing.id), data=report_form(visitor=True)).status_code
    twice = client.post(
        url("listing", listing.id),
        data=report_form(visitor=True, email="VALERIE@example.org"),
    )
    assert twice.status_code == 303 and twice.headers["Location"] == f"/annonces/{listing.id}"

    assert len(reports_on("listing", listing.id)) == 2
    [case] = db.session.scalars(select(ModerationCase).where(ModerationCase.status == "open")).all()
    assert case.report_count == 2
    assert len([m for m in outbox.to(resident.email) if m.subject == RECEIVED]) == 1
    assert len(outbox.to("valerie@example.org")) == 1


def test_a_member_cannot_report_what_they_wrote(owner, asker, client_for):
    listing = listing_by(owner)
    message = message_from(owner, asker)
    rating = rating_by(owner, asker)
    browser = client_for(owner)
    for target_type, target_id in (
        ("listing", listing.id),
        ("profile", owner.public_id),
        ("message", message.id),
        ("rating", rating.id),
    ):
        shown = browser.get(url(target_type, target_id))
        assert shown.status_code == 303, target_type
        page = flashes(browser.get(shown.headers["Location"]))
        assert "Vous ne pouvez pas signaler ce que vous avez vous-même publié." in page
        posted = browser.post(url(target_type, target_id), data=report_form())
        assert posted.status_code == 303, target_type
    assert all_reports() == []
    # and no link invites them to
    assert "/signaler/" not in text(browser.get(f"/annonces/{listing.id}"))
    assert "/signaler/profile/" not in text(browser.get(f"/membres/{owner.public_id}"))


# --- what may be reported -------------------------------------------------------------------------


@pytest.mark.parametrize("target_type", ["listing", "profile", "message", "rating"])
def test_every_kind_of_item_is_reported_from_the_page_that_shows_it(
    target_type, owner, asker, client_for, outbox
):
    if target_type == "listing":
        item = listing_by(owner)
        page_url, label = f"/annonces/{item.id}", LISTING_TITLE
    elif target_type == "profile":
        item = owner
        page_url, label = f"/membres/{owner.public_id}", owner.display_name
    elif target_type == "message":
        item = message_from(owner, asker)
        page_url, label = f"/messages/{item.conversation_id}", MESSAGE_BODY
    else:
        item = rating_by(owner, asker)
        page_url, label = f"/membres/{asker.public_id}", RATING_COMMENT
    browser = client_for(asker)

    ref = item.public_id if target_type == "profile" else item.id
    page = browser.get(page_url)
    assert page.status_code == 200
    assert f'href="/signaler/{target_type}/{ref}"' in text(page)
    sent = browser.post(url(target_type, ref), data=report_form(reason="rule:5.1"))

    assert sent.status_code == 303
    [report] = reports_on(target_type, item.id)
    assert report.reporter_id == asker.id
    case = db.session.get(ModerationCase, report.case_id)
    assert (case.target_type, case.target_id, case.author_id) == (target_type, item.id, owner.id)
    thanks = browser.get(sent.headers["Location"])
    assert thanks.status_code == 200
    assert page_url in text(thanks)
    assert label in outbox.last(asker.email).text


def test_the_profile_lists_the_ratings_received_with_a_report_link_each(owner, asker, client):
    rating = rating_by(owner, asker)
    silent = rating_by(make_user(display_name="Rita Sans Mot"), asker, comment="", score=5)

    page = html.unescape(text(client.get(f"/membres/{asker.public_id}")))

    assert "Avis reçus" in page
    assert "Note moyenne : 3 sur 5 (2 avis)" in page
    assert "Note : 1 sur 5" in page and "Note : 5 sur 5" in page
    assert RATING_COMMENT in page
    assert f'href="/signaler/rating/{rating.id}"' in page
    assert f"/signaler/rating/{silent.id}" not in page  # nothing to report without a comment
    assert f'href="/signaler/profile/{asker.public_id}"' in page

    rating.comment_removed_at = utcnow()
    db.session.commit()
    page = html.unescape(text(client.get(f"/membres/{asker.public_id}")))
    assert "Commentaire retiré par la modération" in page
    assert RATING_COMMENT not in page
    assert f"/signaler/rating/{rating.id}" not in page


def test_items_the_reporter_cannot_see_are_not_found(owner, asker, stranger, client, client_for):
    draft = listing_by(owner, status="draft")
    waiting = listing_by(owner, status="awaiting_review")
    message = message_from(owner, asker)
    removed = message_from(owner, asker, "Un message retiré")
    removed.removed_at = utcnow()
    unconfirmed = make_user(confirmed=False)
    silent = rating_by(owner, asker, comment="")
    db.session.commit()
    member = client_for(stranger)
    party = client_for(asker)
    for browser, target_type, target_id in (
        (client, "listing", draft.id),
        (member, "listing", draft.id),
        (member, "listing", waiting.id),
        (client, "message", message.id),  # a visitor sees no conversation
        (member, "message", message.id),  # nor a member outside it
        (party, "message", removed.id),
        (client, "profile", unconfirmed.public_id),
        (client, "profile", owner.id),  # a member's integer id names no one
        (client, "listing", "abc"),
        (client, "rating", silent.id),
        (client, "listing", 10**6),
        (client, "listing", 10**25),
        (client, "venue", 1),
        (client, "nothing", owner.id),
    ):
        assert browser.get(url(target_type, target_id)).status_code == 404, target_type
        posted = browser.post(url(target_type, target_id), data=report_form(visitor=True))
        assert posted.status_code == 404, target_type
        assert browser.get(f"{url(target_type, target_id)}/envoye").status_code == 404
    assert all_reports() == []
    assert "/signaler/" not in text(client.get(f"/messages/{message.id}"))


def test_a_party_sees_a_report_link_under_the_other_partys_messages_only(owner, asker, client_for):
    theirs = message_from(owner, asker)
    mine = committed(messaging.send_message(asker, theirs.conversation, "Merci, je passe demain."))
    page = text(client_for(asker).get(f"/messages/{theirs.conversation_id}"))
    assert f'href="/signaler/message/{theirs.id}"' in page
    assert f"/signaler/message/{mine.id}" not in page


# --- wrong input ----------------------------------------------------------------------------------

LONG = "x" * (reports.EXPLANATION_MAX + 1)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reason": ""}, "Motif du signalement", "Choisissez un motif dans la liste."),
        ({"reason": None}, "Motif du signalement", "Choisissez un motif dans la liste."),
        ({"reason": "rule:9.9"}, "Motif du signalement", "Choisissez un motif dans la liste."),
        ({"reason": "illegal:'; DROP TABLE"}, "Motif du signalement", "Choisissez un motif"),
        ({"explanation": ""}, "Expliquez ce qui pose problème", "sans explication"),
        ({"explanation": "   \n  "}, "Expliquez ce qui pose problème", "sans explication"),
        ({"explanation": LONG}, "Expliquez ce qui pose problème", "dépasser 4000 caractères"),
        ({"good_faith": None}, "Je déclare de bonne foi", "Cochez la déclaration de bonne foi"),
        ({"name": "N" * 101}, "Votre nom", "ne peut pas dépasser 100 caractères"),
        ({"email": "a@" + "b" * 260 + ".fr"}, "Votre adresse e-mail", "trop longue"),
    ],
)
def test_wrong_input_gets_a_french_error_and_keeps_what_was_typed(
    client, listing, outbox, overrides, field, message
):
    data = report_form(visitor=True, **overrides)
    refused = client.post(url("listing", listing.id), data=data)

    assert refused.status_code == 422
    summary = error_summary(refused)
    assert field in summary and message in summary
    page = html.unescape(text(refused))
    for name in ("name", "email", "explanation"):
        assert data[name].strip() in page, name  # what was typed comes back, the long text too
    assert all_reports() == []
    assert len(outbox) == 0


def test_markup_is_shown_as_text_and_control_characters_are_dropped(client, listing, client_for):
    hostile = '<script>alert("x")</script> Numéro\x00 caché\u202e dans les photos'
    refused = client.post(
        url("listing", listing.id), data=report_form(visitor=True, explanation=hostile, reason="")
    )
    assert refused.status_code == 422
    assert "<script>alert" not in text(refused)
    assert "&lt;script&gt;" in text(refused)

    sent = client.post(
        url("listing", listing.id), data=report_form(visitor=True, explanation=hostile)
    )
    assert sent.status_code == 303
    [report] = all_reports()
    assert report.explanation == '<script>alert("x")</script> Numéro caché dans les photos'


def test_the_service_checks_what_a_form_would(app, listing, resident):
    target = find_target(None, "listing", listing.id)
    with pytest.raises(ValidationFailed) as refused:
        reports.submit_report(
            None,
            target,
            reports.ReportData(reason="rule:0", explanation=" ", good_faith=False),
        )
    assert set(refused.value.fields) == {"reason", "explanation", "good_faith", "name", "email"}
    db.session.rollback()
    report = committed(
        reports.submit_report(
            resident,
            target,
            reports.ReportData(
                reason="illegal:stolen",
                explanation="Vu sur un avis de vol.",
                good_faith=True,
                name="ignored",
                email="ignored",
            ),
        )
    )
    assert (report.reporter_id, report.reporter_name, report.reporter_email) == (
        resident.id,
        None,
        None,
    )


def test_the_report_form_refuses_a_post_without_csrf_token(app, client, listing):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.get(url("listing", listing.id)).status_code == 200
    response = client.post(url("listing", listing.id), data=report_form(visitor=True))
    assert response.status_code == 400
    assert "Formulaire expiré" in text(response)
    assert all_reports() == []


def test_a_visitor_may_report_a_listing_whose_page_they_read(client, listing):
    page = text(client.get(f"/annonces/{listing.id}"))
    assert f'href="/signaler/listing/{listing.id}"' in page
    assert "Signaler cette annonce" in page
    hidden = make_listing(status="draft")
    assert VISITOR["name"] not in page
    assert client.get(f"/annonces/{hidden.id}").status_code == 404
