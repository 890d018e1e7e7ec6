"""A member contests a statement of reasons (DSA art. 20): once, within six months, with an
explanation; anyone else is refused. Each refusal is a French message and loses nothing."""

import pytest
from sqlalchemy import select

from sportressources.core.audit import AuditEntry
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.moderation import appeals
from sportressources.moderation.models import Appeal
from tests.factories import make_user
from tests.fixtures.web import text
from tests.moderation.statement_factories import (
    filed_appeal,
    past_deadline,
    rejected_listing_statement,
)

EXPLANATION = "Ce numéro est celui du club, affiché sur son site : ce ne sont pas mes coordonnées."


@pytest.fixture
def statement(resident, moderator):
    return rejected_listing_statement(resident, moderator)


def appeals_of(statement) -> list[Appeal]:
    db.session.rollback()
    return list(db.session.scalars(select(Appeal).where(Appeal.statement_id == statement.id)))


def test_the_member_contests_once_and_is_told_it_is_registered(
    client_for, resident, statement, outbox
):
    browser = client_for(resident)
    response = browser.post(
        f"/compte/decisions/{statement.id}/contester", data={"explanation": EXPLANATION}
    )
    assert response.status_code == 303
    assert response.location.endswith(f"/compte/decisions/{statement.id}")
    page = text(browser.get(response.location))
    assert "Votre contestation est enregistrée" in page
    assert "en cours d’examen" in page and EXPLANATION in page
    [appeal] = appeals_of(statement)
    assert (appeal.status, appeal.appellant_id, appeal.explanation) == (
        "open",
        resident.id,
        EXPLANATION,
    )
    mail = outbox.last(resident.email)
    assert mail.subject == "Votre contestation est enregistrée"
    assert "Raquette de tennis Babolat" in mail.text and EXPLANATION in mail.text
    assert mail.link(f"/compte/decisions/{statement.id}")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "appeal.file")).one()
    assert (entry.actor_id, entry.target_id, entry.after) == (resident.id, appeal.id, "open")


def test_a_second_appeal_is_refused(client_for, resident, statement):
    filed_appeal(resident, statement)
    response = client_for(resident).post(
        f"/compte/decisions/{statement.id}/contester", data={"explanation": "Encore une fois."}
    )
    assert response.status_code == 409
    assert "Vous avez déjà contesté cette décision : une seule contestation est possible." in text(
        response
    )
    assert len(appeals_of(statement)) == 1
    with pytest.raises(Conflict):
        appeals.file_appeal(resident, statement, "Et encore.")


def test_an_appeal_after_six_months_is_refused(client_for, resident, statement):
    past_deadline(statement)
    response = client_for(resident).post(
        f"/compte/decisions/{statement.id}/contester", data={"explanation": EXPLANATION}
    )
    assert response.status_code == 409
    assert "Le délai de six mois pour contester cette décision a pris fin le" in text(response)
    assert appeals_of(statement) == []


def test_the_ruling_on_an_appeal_cannot_be_contested(resident, moderator, statement):
    from sportressources.moderation.statements import issue_statement

    ruling = issue_statement(
        member=resident,
        decision="appeal_rejected",
        target_type="listing",
        target_id=statement.target_id,
        ground=appeals.statements.ground_of(statement),
        facts="Le numéro est bien personnel.",
        moderator=make_user(role="moderator"),
        subject="Raquette",
        appeal_of=statement,
        appealable=False,
    )
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        appeals.file_appeal(resident, ruling, EXPLANATION)
    assert "ne peut pas être contestée à nouveau" in str(refused.value)


@pytest.mark.parametrize(
    ("explanation", "message"),
    [
        ("", "Expliquez pourquoi vous contestez cette décision."),
        ("   \n\t  ", "Expliquez pourquoi vous contestez cette décision."),
        ("\x00\x07\u202e", "Expliquez pourquoi vous contestez cette décision."),
        ("x" * 4001, "Ce texte ne peut pas dépasser 4000 caractères."),
    ],
)
def test_an_empty_or_oversized_explanation_is_refused_and_kept(
    client_for, resident, statement, explanation, message
):
    response = client_for(resident).post(
        f"/compte/decisions/{statement.id}/contester", data={"explanation": explanation}
    )
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    if len(explanation) > 4000:
        assert explanation in page  # given back to shorten, not lost
    assert appeals_of(statement) == []


def test_markup_in_an_explanation_is_shown_as_text(client_for, resident, moderator, statement):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> « Bonjour »'
    appeal = filed_appeal(resident, statement, hostile)
    for browser, path in (
        (client_for(resident), f"/compte/decisions/{statement.id}"),
        (client_for(make_user(role="moderator")), f"/moderation/contestations/{appeal.id}"),
    ):
        page = text(browser.get(path))
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_control_characters_are_dropped_from_an_explanation(resident, statement):
    appeal = filed_appeal(resident, statement, "Mon\x00 explication\u202e\r\nsur deux lignes")
    assert appeal.explanation == "Mon explication\nsur deux lignes"


# --- who may contest ------------------------------------------------------------------------------


def test_another_member_cannot_contest_someone_elses_decision(
    client_for, other_resident, statement
):
    response = client_for(other_resident).post(
        f"/compte/decisions/{statement.id}/contester", data={"explanation": EXPLANATION}
    )
    assert response.status_code == 404
    assert appeals_of(statement) == []
    with pytest.raises(NotFound):
        appeals.file_appeal(other_resident, statement, EXPLANATION)


def test_a_moderator_cannot_contest_a_members_decision(client_for, statement):
    other_moderator = make_user(role="moderator")
    response = client_for(other_moderator).post(
        f"/compte/decisions/{statement.id}/contester", data={"explanation": EXPLANATION}
    )
    assert response.status_code == 403
    assert "Seul le membre concerné par une décision peut la contester." in text(response)
    assert appeals_of(statement) == []


def test_a_visitor_is_sent_to_sign_in(client, statement):
    response = client.post(
        f"/compte/decisions/{statement.id}/contester", data={"explanation": EXPLANATION}
    )
    assert response.status_code == 302 and "/compte/connexion" in response.location
    assert appeals_of(statement) == []


def test_contesting_an_unknown_decision_is_not_found(client_for, resident):
    response = client_for(resident).post(
        "/compte/decisions/424242/contester", data={"explanation": EXPLANATION}
    )
    assert response.status_code == 404


def test_the_service_refuses_what_the_pages_refuse(resident, other_resident, statement):
    with pytest.raises(ValidationFailed) as empty:
        appeals.file_appeal(resident, statement, "")
    assert empty.value.fields == {
        "explanation": ["Expliquez pourquoi vous contestez cette décision."]
    }
    moderator = make_user(role="moderator")
    with pytest.raises(Forbidden):
        appeals.file_appeal(moderator, statement, EXPLANATION)
    with pytest.raises(NotFound):
        appeals.file_appeal(None, statement, EXPLANATION)
