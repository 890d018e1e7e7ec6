"""The moderators' list of open reports: moderators only, grouped by item, the most reported
first, each group with its item, reasons, explanations, reporters and the link to its case; a
fixed number of SQL statements whatever it shows."""

import html
import re

import pytest
from flask import url_for

from sportressources.core.db import db
from sportressources.moderation import reports
from sportressources.moderation.queue import open_case_for
from sportressources.moderation.reports_queries import GROUPS_PER_PAGE
from sportressources.moderation.reports_targets import find_target
from tests.factories import committed, make_listing, make_user
from tests.fixtures.web import text
from tests.moderation.reporting import MESSAGE_BODY, decide, listing_by, message_from

PAGE = "/moderation/signalements"


def report(reporter, target_type, target_id, reason="rule:5.1", explanation="Pas correct.", **kw):
    target = find_target(reporter, target_type, target_id)
    data = reports.ReportData(reason=reason, explanation=explanation, good_faith=True, **kw)
    return committed(reports.submit_report(reporter, target, data))


def squeezed(response) -> str:
    return " ".join(html.unescape(text(response)).split())


@pytest.fixture
def case_endpoint(app):
    """The case page is the queue part's; where it is not merged yet, a stand-in with its name."""
    if "moderation.case" not in app.view_functions:
        app.add_url_rule(
            "/moderation/dossiers/<int:case_id>", "moderation.case", lambda case_id: ""
        )


def test_only_moderators_open_the_list(client, resident, moderator, admin, client_for):
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and "/compte/connexion" in anonymous.headers["Location"]
    assert client_for(resident).get(PAGE).status_code == 403
    assert client_for(moderator).get(PAGE).status_code == 200
    assert "Aucun signalement ouvert." in text(client_for(admin).get(PAGE))


def test_the_moderation_home_shows_moderators_the_open_reports(
    owner, resident, moderator, client_for
):
    listing = listing_by(owner)
    report(resident, "listing", listing.id)
    page = text(client_for(moderator).get("/moderation/"))
    assert 'href="/moderation/signalements">Signalements</a>' in page
    assert "1 signalement ouvert" in re.sub(r"<[^>]+>", "", page)
    assert client_for(resident).get("/moderation/").status_code == 403


def test_reports_are_grouped_by_item_most_reported_first(
    app, owner, asker, resident, other_resident, moderator, client_for, case_endpoint
):
    listing = listing_by(owner)
    message = message_from(owner, asker)
    third = make_user(display_name="Troisième Témoin")
    report(resident, "profile", owner.id, explanation="Nom de profil insultant.")
    report(resident, "listing", listing.id, reason="illegal:counterfeit", explanation="Faux.")
    report(other_resident, "listing", listing.id, reason="rule:3.4", explanation="Téléphone.")
    report(
        None,
        "listing",
        listing.id,
        reason="illegal:counterfeit",
        explanation="Logo mal imité.",
        name="Valérie Visiteuse",
        email="valerie@example.org",
    )
    report(asker, "message", message.id, reason="illegal:harassment", explanation="Menace.")
    report(third, "profile", owner.id, explanation="Usurpation.")

    page = squeezed(client_for(moderator).get(PAGE))

    headings = [h.strip() for h in re.findall(r"<h2 id=\"signalement-[^\"]+\">(.*?)</h2>", page)]
    assert headings == [
        'Annonce : Raquette de tennis Babolat <span class="badge">3 signalements</span>',
        'Profil : Olivier Propriétaire <span class="badge">2 signalements</span>',
        f'Message : {MESSAGE_BODY} <span class="badge">1 signalement</span>',
    ]
    assert "Annonce publiée par Olivier Propriétaire" in page
    assert (
        "Motifs : Contenu illicite : Contrefaçon ; Règle 3.4 des conditions d’utilisation" in page
    )
    for explanation in ("Faux.", "Téléphone.", "Logo mal imité.", "Menace.", "Usurpation."):
        assert explanation in page
    assert "par Camille Résidente (membre)" in page
    assert "par Valérie Visiteuse, valerie@example.org (visiteur)" in page
    assert "Message de Olivier Propriétaire" in page
    listing_case = open_case_for("listing", listing.id)
    with app.test_request_context():
        case_url = url_for("moderation.case", case_id=listing_case.id)
    assert f'href="{case_url}"' in page
    assert f"Examiner le dossier n° {listing_case.id} et décider" in page


def test_settled_reports_leave_the_list(owner, resident, moderator, client_for):
    listing = listing_by(owner)
    report(resident, "listing", listing.id)
    decide(open_case_for("listing", listing.id), "dismiss", moderator, upheld=False)
    assert "Aucun signalement ouvert." in text(client_for(moderator).get(PAGE))


def test_an_item_gone_since_it_was_reported_still_shows_its_reports(
    owner, resident, moderator, client_for
):
    listing = listing_by(owner)
    report(resident, "listing", listing.id, explanation="Arnaque évidente.")
    db.session.delete(db.session.get(type(listing), listing.id))
    db.session.commit()
    page = squeezed(client_for(moderator).get(PAGE))
    assert "Annonce : élément supprimé" in page and "Cet élément n’existe plus." in page
    assert "Arnaque évidente." in page


def test_what_reporters_wrote_is_shown_as_text(owner, resident, moderator, client_for):
    listing = listing_by(owner)
    report(resident, "listing", listing.id, explanation='<img src=x onerror="alert(1)">')
    page = text(client_for(moderator).get(PAGE))
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_the_list_pages_and_ignores_a_bad_page_number(owner, moderator, client_for):
    reporter = make_user()
    for number in range(GROUPS_PER_PAGE + 1):
        listing = make_listing(owner=owner, title=f"Annonce {number}")
        report(reporter, "listing", listing.id)
    browser = client_for(moderator)
    first = text(browser.get(PAGE))
    assert 'href="/moderation/signalements?page=2"' in first
    second = text(browser.get(f"{PAGE}?page=2"))
    assert second.count('class="card review-card"') == 1
    for junk in ("abc", "-1", "99999999999999999999", "0"):
        assert browser.get(f"{PAGE}?page={junk}").status_code == 200


def test_the_list_runs_the_same_statements_for_few_and_many_items(
    owner, asker, moderator, client_for, count_queries
):
    browser = client_for(moderator)

    def fill(count: int) -> None:
        for number in range(count):
            reporter = make_user()
            listing = make_listing(owner=owner, title=f"Annonce {number}")
            report(reporter, "listing", listing.id)
            report(reporter, "profile", make_user().id)
            report(asker, "message", message_from(owner, asker, f"Message {number}").id)

    fill(1)
    with count_queries() as few:
        assert browser.get(PAGE).status_code == 200
    fill(4)
    with count_queries() as many:
        assert browser.get(PAGE).status_code == 200
    assert len(many) == len(few)
