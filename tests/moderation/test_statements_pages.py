"""A member reads the statements of reasons that concern them on their account: a section of
« Mon compte », the list « /compte/decisions » and each decision with what was decided, the
facts, the ground (the law, or the numbered rule linked on the terms page), whether automated
means were used, the end date, and how to contest. Nobody else but moderators sees them."""

import re

import pytest

from tests.factories import fresh, make_user
from tests.fixtures.web import text
from tests.moderation.statement_factories import (
    FACTS,
    filed_appeal,
    past_deadline,
    rejected_listing_statement,
    suspension_statement,
)


@pytest.fixture
def statement(resident, moderator):
    return rejected_listing_statement(resident, moderator)


def test_the_account_page_lists_the_members_decisions(client_for, resident, statement):
    page = text(client_for(resident).get("/compte/"))
    section = page.split('id="decisions-moderation"', 1)[1]
    assert "Décisions de modération" in page
    assert "Annonce refusée" in section and "Raquette de tennis Babolat" in section
    assert f'href="/compte/decisions/{statement.id}"' in section
    assert 'href="/compte/decisions"' in page  # the account menu


def test_a_member_without_decisions_is_told_so(client_for, resident):
    page = text(client_for(resident).get("/compte/"))
    assert "Aucune décision de modération ne vous concerne." in page
    listing = client_for(resident).get("/compte/decisions")
    assert listing.status_code == 200
    assert "Aucune décision de modération ne vous concerne." in text(listing)


def test_the_list_shows_each_decision_newest_first(client_for, resident, moderator, statement):
    newer = suspension_statement(resident, moderator)
    page = text(client_for(resident).get("/compte/decisions"))
    first, second = (
        page.index(f"/compte/decisions/{newer.id}"),
        page.index(f"/compte/decisions/{statement.id}"),
    )
    assert first < second
    assert "Compte suspendu" in page and "votre compte" in page
    assert "Règle 3.4" in page and "Règle 5.1" in page


def test_a_statement_says_what_why_how_and_how_to_contest(client_for, resident, statement):
    response = client_for(resident).get(f"/compte/decisions/{statement.id}")
    assert response.status_code == 200
    page = text(response)
    assert "Annonce refusée" in page and "Raquette de tennis Babolat" in page
    assert "06 12 34 56 78" in page  # the facts
    # The ground: rule 3.4, linked to its anchor on the terms page
    assert 'href="/conditions-utilisation#regle-3-4"' in page
    assert "règle 3.4, « Pas de coordonnées ni de liens dans une annonce »" in page
    assert "Aucun moyen automatisé n’a été utilisé" in page
    assert "Aucune date de fin" in page
    assert "contester une fois, jusqu’au" in page
    assert f'action="/compte/decisions/{statement.id}/contester"' in page
    # The member is not told which moderator decided
    assert "Modo" not in page


def test_an_illegal_content_statement_cites_the_law_and_automated_detection(
    client_for, resident, moderator
):
    statement = rejected_listing_statement(
        resident,
        moderator,
        ground="illegal:counterfeit",
        automated_detection=True,
        from_report=True,
    )
    page = text(client_for(resident).get(f"/compte/decisions/{statement.id}"))
    assert "Contenu illicite : Contrefaçon." in page
    assert "Code de la propriété intellectuelle, art. L716-9 et L716-10" in page
    assert "repéré par un contrôle automatique du site" in page
    assert "fait suite à un signalement" in page
    assert "regle-" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_suspension_shows_its_end_date(client_for, resident, moderator):
    statement = suspension_statement(resident, moderator, days=7)
    page = text(client_for(resident).get(f"/compte/decisions/{statement.id}"))
    assert "Fin de la mesure" in page and "Compte suspendu" in page
    assert "Aucune date de fin" not in page


def test_after_six_months_the_page_says_the_deadline_passed(client_for, resident, statement):
    past_deadline(statement)
    page = text(client_for(resident).get(f"/compte/decisions/{statement.id}"))
    assert "Le délai de six mois pour contester cette décision a pris fin le" in page
    assert "/contester" not in page


def test_an_appealed_statement_shows_the_appeal_instead_of_the_form(
    client_for, resident, statement
):
    filed_appeal(resident, statement, "Le numéro est celui du club, pas le mien.")
    page = text(client_for(resident).get(f"/compte/decisions/{statement.id}"))
    assert "Contestation envoyée le" in page and "en cours d’examen" in page
    assert "Le numéro est celui du club, pas le mien." in page
    assert "/contester" not in page


# --- who may read a statement ---------------------------------------------------------------------


def test_another_member_gets_a_404_for_someone_elses_statement(
    client_for, other_resident, statement
):
    browser = client_for(other_resident)
    assert browser.get(f"/compte/decisions/{statement.id}").status_code == 404
    assert browser.get("/compte/decisions/999999").status_code == 404
    assert "Raquette" not in text(browser.get("/compte/decisions"))
    assert "Raquette" not in text(browser.get("/compte/"))


def test_a_visitor_is_sent_to_sign_in(client, statement):
    for path in (f"/compte/decisions/{statement.id}", "/compte/decisions"):
        response = client.get(path)
        assert response.status_code == 302 and "/compte/connexion" in response.location


def test_moderators_read_any_statement_but_cannot_contest_it(client_for, statement):
    other_moderator = make_user(display_name="Modo Deux", role="moderator")
    response = client_for(other_moderator).get(f"/compte/decisions/{statement.id}")
    assert response.status_code == 200
    page = text(response)
    assert "Camille Résidente" in page and "Modo" in page  # the member and who decided
    assert "Seul le membre concerné peut contester cette décision" in page
    assert "/contester" not in page


@pytest.mark.parametrize(
    "path", ["/compte/decisions/0", "/compte/decisions/-1", "/compte/decisions/x"]
)
def test_odd_statement_ids_are_not_found(client_for, resident, path):
    assert client_for(resident).get(path).status_code == 404


# --- the email ------------------------------------------------------------------------------------


def test_the_email_says_what_the_page_says(resident, moderator, outbox):
    statement = rejected_listing_statement(resident, moderator)
    mail = outbox.last(resident.email)
    assert mail.subject == "Une décision de modération vous concerne"
    assert "annonce refusée (« Raquette de tennis Babolat »)" in mail.text
    assert FACTS in mail.text
    assert "règle 3.4 des conditions d’utilisation" in mail.text
    assert mail.link("/conditions-utilisation#regle-3-4")
    assert "Aucun moyen automatisé" in mail.text
    assert re.search(
        r"contester cette décision une fois, en expliquant pourquoi, jusqu’au \d", mail.text
    )
    assert mail.link(f"/compte/decisions/{statement.id}")


def test_the_email_is_written_in_the_members_language(moderator, outbox):
    member = make_user(email="english@example.org", locale="en")
    rejected_listing_statement(member, moderator, ground="illegal:counterfeit")
    mail = outbox.last(member.email)
    assert mail.subject == "A moderation decision concerns you"
    assert "Counterfeit" in mail.text


def test_statements_store_the_reasons_in_french_whatever_the_moderators_language(
    app, resident, moderator
):
    from flask_babel import force_locale

    with force_locale("en"):
        statement = rejected_listing_statement(resident, moderator)
    stored = fresh(statement)
    assert stored.explanation == "Pas de coordonnées ni de liens dans une annonce"


# --- in English ---------------------------------------------------------------------------------


def test_the_decision_pages_are_english_for_an_english_member(app, client, moderator):
    from tests.core.test_i18n import assert_english_only
    from tests.fixtures.web import sign_in

    member = make_user(email="english@example.org", locale="en")
    statement = rejected_listing_statement(
        member, moderator, ground="illegal:counterfeit", title="Tennis racket"
    )
    client.post("/langue", data={"locale": "en"})  # before signing in: its message too
    browser = sign_in(client, member)
    for path in ("/compte/", "/compte/decisions", f"/compte/decisions/{statement.id}"):
        response = browser.get(path)
        assert response.status_code == 200
        assert_english_only(response)
    page = text(browser.get(f"/compte/decisions/{statement.id}"))
    assert "Illegal content: Counterfeit." in page
    assert 'Legal basis: <span lang="fr">Code de la propriété intellectuelle' in page
    invalid = browser.post(f"/compte/decisions/{statement.id}/contester", data={"explanation": ""})
    assert invalid.status_code == 422
    assert_english_only(invalid)
    assert "Explain why you are appealing this decision." in text(invalid)
