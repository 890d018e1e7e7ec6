"""Moderators rule on appeals (DSA art. 20): a list of open appeals, oldest first; a ruling page
where a moderator other than the one who decided rejects (the decision stands) or grants (it is
reversed), with a note. The ruling is a new statement, emailed to the member; the first ruling
wins."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sportressources.core.audit import AuditEntry
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.listings.models import Listing
from sportressources.moderation import appeals
from sportressources.moderation.models import Appeal, Sanction, Statement
from tests.concurrency import in_threads, post_at_once
from tests.factories import fresh, make_user
from tests.fixtures.web import text
from tests.moderation.statement_factories import (
    filed_appeal,
    rejected_listing_statement,
    suspension_statement,
)

NOTE = "Le numéro affiché est bien personnel : la règle 3.4 s’applique."


@pytest.fixture
def second_moderator(app):
    return make_user(email="second@example.org", display_name="Modo Second", role="moderator")


@pytest.fixture
def appeal(resident, moderator):
    statement = rejected_listing_statement(resident, moderator)
    return filed_appeal(resident, statement, "Le numéro est celui du club.")


def rulings() -> list[Statement]:
    db.session.rollback()
    return list(db.session.scalars(select(Statement).where(Statement.appeal_of_id.is_not(None))))


# --- the list -----------------------------------------------------------------------------------


def test_moderators_see_open_appeals_oldest_first_with_the_decision(
    client_for, resident, other_resident, moderator, second_moderator
):
    first = filed_appeal(resident, rejected_listing_statement(resident, moderator, title="Vélo"))
    second = filed_appeal(
        other_resident, rejected_listing_statement(other_resident, moderator, title="Gants")
    )
    second.created_at = first.created_at - timedelta(hours=1)  # filed earlier
    db.session.commit()
    page = text(client_for(second_moderator).get("/moderation/contestations"))
    assert page.index("Yanis Voisin") < page.index("Camille Résidente")
    assert "Annonce refusée – Vélo" in page and "Règle 3.4" in page
    assert f'href="/moderation/contestations/{first.id}"' in page
    home = text(client_for(second_moderator).get("/moderation/"))
    assert "2 contestations en attente" in re.sub(
        r"<[^>]+>", "", home
    )  # the moderation home counts them


def test_the_list_pins_its_queries(client_for, resident, moderator, count_queries):
    browser = client_for(make_user(role="moderator"))
    filed_appeal(resident, rejected_listing_statement(resident, moderator))
    with count_queries() as few:
        browser.get("/moderation/contestations")
    for number in range(3):
        member = make_user()
        filed_appeal(
            member, rejected_listing_statement(member, moderator, title=f"Ballon {number}")
        )
    with count_queries() as more:
        assert browser.get("/moderation/contestations").status_code == 200
    assert len(more) == len(few)


def test_ruled_appeals_leave_the_list(client_for, appeal, second_moderator):
    appeals.rule_on_appeal(second_moderator, appeal, grant=False, note=NOTE)
    db.session.commit()
    page = text(client_for(second_moderator).get("/moderation/contestations"))
    assert "Aucune contestation en attente." in page


def test_residents_cannot_open_the_appeals(client_for, resident, appeal):
    browser = client_for(resident)
    assert browser.get("/moderation/contestations").status_code == 403
    assert browser.get(f"/moderation/contestations/{appeal.id}").status_code == 403
    response = browser.post(
        f"/moderation/contestations/{appeal.id}", data={"outcome": "grant", "note": NOTE}
    )
    assert response.status_code == 403
    assert fresh(appeal).status == "open"


def test_visitors_are_sent_to_sign_in(client, appeal):
    response = client.get("/moderation/contestations")
    assert response.status_code == 302 and "/compte/connexion" in response.location


# --- who rules ------------------------------------------------------------------------------------


def test_the_deciding_moderator_sees_why_they_cannot_rule(client_for, moderator, appeal):
    browser = client_for(moderator)
    page = text(browser.get(f"/moderation/contestations/{appeal.id}"))
    assert "Vous avez pris la décision contestée" in page
    assert 'name="outcome"' not in page
    response = browser.post(
        f"/moderation/contestations/{appeal.id}", data={"outcome": "grant", "note": NOTE}
    )
    assert response.status_code == 403
    assert fresh(appeal).status == "open" and rulings() == []
    with pytest.raises(Forbidden):
        appeals.rule_on_appeal(moderator, appeal, grant=False, note=NOTE)


def test_another_moderator_rejects_and_the_member_gets_a_new_statement(
    client_for, resident, moderator, second_moderator, appeal, outbox
):
    browser = client_for(second_moderator)
    page = text(browser.get(f"/moderation/contestations/{appeal.id}"))
    assert "Le numéro est celui du club." in page and "Modo" in page  # appeal, who decided
    response = browser.post(
        f"/moderation/contestations/{appeal.id}", data={"outcome": "reject", "note": NOTE}
    )
    assert response.status_code == 303
    page = text(browser.get(response.location))
    assert "Votre décision est enregistrée et envoyée au membre." in page
    assert "Examinée par Modo Second" in page and "rejetée, la décision est maintenue" in page

    appeal = fresh(appeal)
    [ruling] = rulings()
    assert (appeal.status, appeal.ruled_by_id, appeal.ruling_note) == (
        "rejected",
        second_moderator.id,
        NOTE,
    )
    assert appeal.outcome_statement_id == ruling.id
    assert (ruling.decision, ruling.member_id, ruling.decided_by_id, ruling.facts) == (
        "appeal_rejected",
        resident.id,
        second_moderator.id,
        NOTE,
    )
    assert ruling.appeal_of_id == appeal.statement_id and ruling.appeal_until is None
    assert ruling.terms_rule == "3.4"
    # The listing stays rejected
    assert db.session.get(Listing, appeal.statement.target_id).status == "rejected"
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.actor_id == second_moderator.id)
    ).all()
    assert "appeal.reject" in actions and "statement.issue" in actions

    mail = outbox.last(resident.email)
    assert mail.subject == "Une décision de modération vous concerne"
    assert "a été rejetée : cette décision est maintenue" in mail.text
    assert NOTE in mail.text and "règlement extrajudiciaire" in mail.text
    assert mail.link(f"/compte/decisions/{ruling.id}")

    # The member reads the ruling, which cannot be contested again
    member_page = text(client_for(resident).get(f"/compte/decisions/{ruling.id}"))
    assert "Contestation rejetée" in member_page and NOTE in member_page
    assert "ne peut pas être contestée à nouveau" in member_page
    assert "/contester" not in member_page


def test_an_admin_may_rule_too(client_for, admin, appeal):
    response = client_for(admin).post(
        f"/moderation/contestations/{appeal.id}", data={"outcome": "reject", "note": NOTE}
    )
    assert response.status_code == 303
    assert fresh(appeal).status == "rejected"


# The grant path calls the parts that undo decisions: decisions.reverse_decision and
# sanctions.lift_sanction (NotImplementedError until those parts are merged).


def test_granting_an_appeal_reverses_a_content_decision(resident, second_moderator, appeal, outbox):
    ruling = appeals.rule_on_appeal(
        second_moderator, appeal, grant=True, note="Erreur de notre part."
    )
    db.session.commit()
    assert fresh(appeal).status == "granted" and ruling.decision == "appeal_granted"
    assert db.session.get(Listing, appeal.statement.target_id).status == "published"
    assert "a été acceptée : cette décision est annulée" in outbox.last(resident.email).text


def test_granting_an_appeal_lifts_an_active_sanction(resident, moderator, second_moderator):
    statement = suspension_statement(resident, moderator)
    appeal = filed_appeal(resident, statement, "Je n’ai insulté personne.")
    appeals.rule_on_appeal(second_moderator, appeal, grant=True, note="Messages mal attribués.")
    db.session.commit()
    assert db.session.get(Sanction, statement.sanction_id).status == "lifted"
    assert fresh(resident).suspended_until is None


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"note": NOTE}, "Choisissez de rejeter ou d’accepter la contestation."),
        (
            {"outcome": "maybe", "note": NOTE},
            "Choisissez de rejeter ou d’accepter la contestation.",
        ),
        ({"outcome": "reject", "note": ""}, "Expliquez votre décision au membre."),
        ({"outcome": "reject", "note": " \x00 "}, "Expliquez votre décision au membre."),
        (
            {"outcome": "reject", "note": "n" * 2001},
            "Ce texte ne peut pas dépasser 2000 caractères.",
        ),
        ({"outcome": ["reject", "grant"] * 50, "note": NOTE}, None),
    ],
)
def test_a_ruling_without_an_outcome_or_a_note_is_refused(
    client_for, second_moderator, appeal, data, field_message
):
    response = client_for(second_moderator).post(
        f"/moderation/contestations/{appeal.id}", data=data
    )
    if field_message is None:  # repeated values: the first one counts, nothing breaks
        assert response.status_code == 303
        return
    assert response.status_code == 422
    page = text(response)
    assert field_message in page and "field--error" in page
    assert fresh(appeal).status == "open" and rulings() == []


def test_a_second_ruling_is_told_who_ruled_and_how(client_for, second_moderator, appeal):
    appeals.rule_on_appeal(second_moderator, appeal, grant=False, note=NOTE)
    db.session.commit()
    third = make_user(display_name="Modo Trois", role="moderator")
    browser = client_for(third)
    response = browser.post(
        f"/moderation/contestations/{appeal.id}", data={"outcome": "grant", "note": "Non."}
    )
    assert response.status_code == 303
    page = text(browser.get(response.location))
    assert (
        "Cette contestation a déjà été examinée par Modo Second : rejetée, la décision est "
        "maintenue." in page
    )
    assert len(rulings()) == 1
    with pytest.raises(Conflict):
        appeals.rule_on_appeal(third, fresh(appeal), grant=False, note=NOTE)


def test_the_service_refuses_what_the_page_refuses(resident, second_moderator, appeal):
    with pytest.raises(Forbidden):
        appeals.rule_on_appeal(resident, appeal, grant=True, note=NOTE)
    with pytest.raises(ValidationFailed) as empty:
        appeals.rule_on_appeal(second_moderator, appeal, grant=False, note="")
    assert empty.value.fields == {"note": ["Expliquez votre décision au membre."]}


@pytest.mark.parametrize("path", ["/moderation/contestations/0", "/moderation/contestations/99999"])
def test_unknown_appeals_are_not_found(client_for, second_moderator, path):
    assert client_for(second_moderator).get(path).status_code == 404


# --- two moderators at once -----------------------------------------------------------------------


def test_two_moderators_ruling_at_once_through_the_pages_rule_once(
    app, client_for, appeal, second_moderator
):
    third = make_user(display_name="Modo Trois", role="moderator")
    browsers = [client_for(second_moderator), client_for(third)]
    path = f"/moderation/contestations/{appeal.id}"  # read here: the threads share no session
    statuses = post_at_once(
        app,
        [
            (browser, path, {"outcome": "reject", "note": f"Note {n}"})
            for n, browser in enumerate(browsers)
        ],
    )
    assert statuses == [303, 303]
    assert len(rulings()) == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "appeal.reject")
        )
        == 1
    )
    assert fresh(appeal).status == "rejected"


def test_two_rulings_at_once_in_services_one_wins(app, appeal, second_moderator):
    third = make_user(role="moderator")
    appeal_id = appeal.id

    def ruling(actor, note):
        return lambda: appeals.rule_on_appeal(actor, db.session.get(Appeal, appeal_id), False, note)

    results = in_threads(app, [ruling(second_moderator, "Première"), ruling(third, "Seconde")])
    kinds = sorted(type(result).__name__ for result in results)
    assert kinds == ["Conflict", "Statement"]
    assert len(rulings()) == 1


# --- CSRF -----------------------------------------------------------------------------------------


def test_tokenless_posts_are_refused(app, client_for, resident, second_moderator, appeal):
    moderator_browser, member_browser = client_for(second_moderator), client_for(resident)
    app.config["WTF_CSRF_ENABLED"] = True
    ruled = moderator_browser.post(
        f"/moderation/contestations/{appeal.id}", data={"outcome": "reject", "note": NOTE}
    )
    assert ruled.status_code == 400 and "Formulaire expiré" in text(ruled)
    contested = member_browser.post(
        f"/compte/decisions/{appeal.statement_id}/contester", data={"explanation": "x"}
    )
    assert contested.status_code == 400
    assert fresh(appeal).status == "open" and rulings() == []


def test_the_appeal_pages_are_english_for_an_english_moderator(client, resident, moderator):
    from tests.core.test_i18n import assert_english_only
    from tests.fixtures.web import sign_in

    # What members and moderators wrote stays as written: here in English
    statement = rejected_listing_statement(
        resident, moderator, title="Tennis racket", facts="A phone number in the text."
    )
    appeal = filed_appeal(resident, statement, "That number is the club's.")

    english = make_user(email="en-modo@example.org", role="moderator", locale="en")
    client.post("/langue", data={"locale": "en"})
    browser = sign_in(client, english)
    for path in ("/moderation/contestations", f"/moderation/contestations/{appeal.id}"):
        response = browser.get(path)
        assert response.status_code == 200
        assert_english_only(response)
    refused = browser.post(f"/moderation/contestations/{appeal.id}", data={"note": ""})
    assert refused.status_code == 422
    assert_english_only(refused)
    assert "Choose to reject or to grant the appeal." in text(refused)
    # The deciding moderator, in English, is told why they cannot rule
    client.post("/compte/deconnexion")
    mine = sign_in(client, moderator)
    client.post("/langue", data={"locale": "en"})
    response = mine.get(f"/moderation/contestations/{appeal.id}")
    assert_english_only(response)
    assert "You took the decision under appeal" in text(response)


def test_a_moderator_cannot_rule_on_their_own_appeal(client_for, moderator):
    sanctioned = make_user(display_name="Modo Sanctionné", role="moderator")
    appeal = filed_appeal(sanctioned, rejected_listing_statement(sanctioned, moderator))
    browser = client_for(sanctioned)
    page = text(browser.get(f"/moderation/contestations/{appeal.id}"))
    assert "Cette contestation est la vôtre" in page and 'name="outcome"' not in page
    response = browser.post(
        f"/moderation/contestations/{appeal.id}", data={"outcome": "grant", "note": NOTE}
    )
    assert response.status_code == 403
    assert fresh(appeal).status == "open" and rulings() == []


def test_only_an_admin_rules_on_the_appeal_of_a_closed_account(
    client_for, resident, admin, second_moderator
):
    other_admin = make_user(display_name="Admin Deux", role="admin")
    ban = statement_about_a_ban(resident, admin)
    appeal = filed_appeal(resident, ban, "Je n’ai jamais demandé de virement.")
    browser = client_for(second_moderator)
    page = text(browser.get(f"/moderation/contestations/{appeal.id}"))
    assert "Seul un administrateur examine la contestation d’une fermeture de compte." in page
    response = browser.post(
        f"/moderation/contestations/{appeal.id}", data={"outcome": "reject", "note": NOTE}
    )
    assert response.status_code == 403 and fresh(appeal).status == "open"
    response = client_for(other_admin).post(
        f"/moderation/contestations/{appeal.id}", data={"outcome": "reject", "note": NOTE}
    )
    assert response.status_code == 303 and fresh(appeal).status == "rejected"


def statement_about_a_ban(member, admin) -> Statement:
    from sportressources.moderation import grounds
    from sportressources.moderation.statements import issue_statement

    sanction = Sanction(
        member_id=member.id, kind="ban", status="active", reason="Arnaque.", created_by_id=admin.id
    )
    db.session.add(sanction)
    db.session.flush()
    made = issue_statement(
        member=member,
        decision="ban",
        target_type="profile",
        target_id=member.id,
        ground=grounds.rule("5.4"),
        facts="Demandes de virement avant la remise.",
        moderator=admin,
        subject="votre compte",
        sanction=sanction,
    )
    db.session.commit()
    return made
