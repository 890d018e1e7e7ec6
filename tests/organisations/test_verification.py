"""Verification through the moderation queue: an organisation created, resubmitted or edited
waits there; a moderator verifies it (badge, drives) or refuses it with a reason its managers
read."""

import dataclasses

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Forbidden
from sportressources.moderation import decisions, queue
from sportressources.moderation.models import ModerationCase, Statement
from sportressources.notifications.models import Notification
from sportressources.organisations import services
from sportressources.organisations.models import Organisation
from sportressources.organisations.policies import can_run_drives
from tests.factories import add_member, make_organisation, make_user
from tests.fixtures.web import text
from tests.organisations.helpers import CLUB, created_by


def case_of(organisation) -> ModerationCase:
    case = queue.open_case_for("organisation", organisation.id)
    assert case is not None
    return case


def reload(organisation) -> Organisation:
    db.session.rollback()
    return db.session.get(Organisation, organisation.id)


def test_creating_an_organisation_opens_a_case(app):
    manager = make_user()
    organisation = created_by(manager)
    case = case_of(organisation)
    assert (case.reason, case.author_id) == ("new", manager.id)


def test_the_case_page_shows_the_organisation(app, moderator_client):
    manager = make_user(display_name="Alice Responsable")
    organisation = created_by(manager, dataclasses.replace(CLUB, siret="73282932000074"))
    page = text(moderator_client.get(f"/moderation/file/{case_of(organisation).id}"))
    for shown in (
        "Racing Club de Lens Athlétisme",
        "Association ou club sportif",
        "W623000123",
        "73282932000074",
        "Stade Bollaert",
        "Club d’athlétisme.",
        "Alice Responsable",
        "Nouvelle organisation à vérifier",
        "Vérifier l’organisation",
        "Refuser la vérification",
    ):
        assert shown in page, shown
    assert 'name="ground"' not in page


def test_the_queue_lists_and_filters_organisations(app, moderator_client):
    created_by(make_user())
    page = text(moderator_client.get("/moderation/file?type=organisation"))
    assert "Racing Club de Lens Athlétisme" in page


def test_verifying_in_the_queue_shows_the_badge_and_allows_drives(
    app, moderator_client, client, outbox
):
    manager = make_user(email="manager@example.org")
    organisation = created_by(manager)
    assert not can_run_drives(manager, organisation)
    response = moderator_client.post(
        f"/moderation/file/{case_of(organisation).id}/decision", data={"decision": "approve"}
    )
    assert response.status_code == 303
    organisation = reload(organisation)
    assert organisation.status == "verified"
    assert can_run_drives(manager, organisation)
    assert "Organisation vérifiée" in text(client.get(f"/organisations/{organisation.slug}"))
    assert outbox.last("manager@example.org").subject == "Votre organisation est vérifiée"
    assert db.session.scalar(
        select(Notification.kind).where(Notification.user_id == manager.id)
    ) == ("organisation_verified")


def test_refusing_needs_a_reason(app, moderator_client):
    organisation = created_by(make_user())
    response = moderator_client.post(
        f"/moderation/file/{case_of(organisation).id}/decision", data={"decision": "reject"}
    )
    assert response.status_code == 422
    assert "Décrivez les faits" in text(response)
    assert reload(organisation).status == "pending"


def test_refusing_with_a_reason_tells_the_managers(app, moderator_client, outbox):
    manager = make_user(email="manager@example.org")
    organisation = created_by(manager)
    response = moderator_client.post(
        f"/moderation/file/{case_of(organisation).id}/decision",
        data={"decision": "reject", "note": "Le numéro RNA ne correspond pas au nom."},
    )
    assert response.status_code == 303
    organisation = reload(organisation)
    assert organisation.status == "refused"
    assert organisation.review_note == "Le numéro RNA ne correspond pas au nom."
    mail = outbox.last("manager@example.org")
    assert mail.subject == "Votre organisation n’a pas été vérifiée"
    assert "Le numéro RNA ne correspond pas au nom." in mail.text
    # A verification is not a content decision: no statement of reasons
    assert db.session.scalar(select(Statement)) is None


def test_a_refused_organisation_resubmitted_goes_back_to_the_queue(app, moderator):
    manager = make_user()
    organisation = created_by(manager)
    decisions.decide(moderator, case_of(organisation).id, "reject", "RNA inconnu.")
    db.session.commit()
    services.resubmit_organisation(manager, organisation)
    db.session.commit()
    case = case_of(organisation)
    assert case.reason == "resubmitted"
    assert case.previous_case_id is not None


def test_a_volunteer_cannot_resubmit(app, moderator):
    manager = make_user()
    organisation = created_by(manager)
    decisions.decide(moderator, case_of(organisation).id, "reject", "RNA inconnu.")
    db.session.commit()
    with pytest.raises(Forbidden):
        services.resubmit_organisation(add_member(organisation), organisation)


def test_changing_identifiers_of_a_verified_organisation_reopens_a_case(app, moderator):
    manager = make_user()
    organisation = created_by(manager)
    decisions.decide(moderator, case_of(organisation).id, "approve")
    db.session.commit()
    services.update_profile(manager, organisation, dataclasses.replace(CLUB, rna="W623999999"))
    db.session.commit()
    assert case_of(organisation).reason == "edited"
    assert not can_run_drives(manager, organisation)


def test_closing_a_pending_organisation_closes_its_case(app):
    manager = make_user()
    organisation = created_by(manager)
    case_id = case_of(organisation).id
    services.close_organisation(manager, organisation)
    db.session.commit()
    assert db.session.get(ModerationCase, case_id).status == "closed"


def test_only_moderators_verify(app):
    organisation = make_organisation(status="pending")
    with pytest.raises(Forbidden):
        services.verify_organisation(organisation.memberships[0].user, organisation)
    with pytest.raises(Forbidden):
        services.refuse_organisation(make_user(), organisation, "Non.")


def test_an_unverified_organisation_cannot_run_drives(app):
    organisation = make_organisation(status="pending")
    volunteer = add_member(organisation)
    assert not can_run_drives(organisation.memberships[0].user, organisation)
    assert not can_run_drives(volunteer, organisation)
    assert not can_run_drives(make_user(), make_organisation())


def test_the_outcome_is_written_in_the_managers_language(app, moderator, outbox):
    from flask_babel import force_locale

    from sportressources.notifications import services as notifications

    manager = make_user(email="manager@example.org", locale="en")
    organisation = created_by(manager)
    decisions.decide(moderator, case_of(organisation).id, "reject", "RNA inconnu.")
    db.session.commit()
    assert outbox.last("manager@example.org").subject == "Your organisation was not verified"
    with force_locale("en"):
        shown, _more = notifications.list_notifications(manager)
    assert shown[0].message == (
        "“Racing Club de Lens Athlétisme” was not verified. Reason: RNA inconnu."
    )
    assert shown[0].notification.url == f"/organisations/{organisation.slug}/gerer"
