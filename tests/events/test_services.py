"""Adding, changing, cancelling and removing events: who may, and what the service refuses."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from sportressources.core.audit import AuditEntry
from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.core.security import Role
from sportressources.events import services
from sportressources.events.models import Event
from sportressources.venues.models import Venue, VenueStatus
from tests.events.conftest import event_data
from tests.factories import add_member, make_organisation, make_user


def test_admin_adds_an_event_without_organiser(admin):
    event = services.create_event(admin, event_data())
    assert event.slug.startswith("meeting-international-d-athletisme-")
    assert event.status == "published" and event.organisation_id is None
    assert event.commune_insee == "62510"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.create"))
    assert audit.target_id == event.id


def test_verified_organisation_manager_adds_an_event(club, manager, arena):
    event = services.create_event(
        manager, event_data(organisation_id=club.id, venue_id=arena.id, commune_insee="")
    )
    assert event.organisation_id == club.id
    assert event.commune_insee == arena.commune_insee  # the venue's commune


def test_manager_must_name_the_organisation(club, manager):
    with pytest.raises(ValidationFailed) as refused:
        services.create_event(manager, event_data())
    assert "organisation" in refused.value.fields


@pytest.mark.parametrize("who", ["resident", "volunteer", "unverified", "visitor", "moderator"])
def test_others_may_not_add_events(app, club, who):
    from flask_login import AnonymousUserMixin

    if who == "resident":
        actor = make_user()
    elif who == "volunteer":
        actor = add_member(club)
    elif who == "unverified":
        actor = make_user()
        make_organisation(manager=actor, status="pending")
    elif who == "moderator":
        actor = make_user(role=Role.MODERATOR)
    else:
        actor = AnonymousUserMixin()
    with pytest.raises(Forbidden):
        services.create_event(actor, event_data(organisation_id=club.id))


def test_manager_may_not_add_for_another_organisation(club, manager):
    other = make_organisation()
    with pytest.raises(ValidationFailed) as refused:
        services.create_event(manager, event_data(organisation_id=other.id))
    assert "organisation" in refused.value.fields


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "Run"}, "title", "Le titre doit compter entre 5 et 120 caractères."),
        ({"starts_on": None}, "starts_on", "Indiquez le premier jour de l’événement."),
        (
            {"starts_on": paris_today() - timedelta(days=1)},
            "starts_on",
            "Un événement ne peut pas commencer dans le passé.",
        ),
        (
            {"starts_on": paris_today() + timedelta(days=800)},
            "starts_on",
            "Un événement s’annonce au plus deux ans à l’avance.",
        ),
        (
            {"ends_on": paris_today()},
            "ends_on",
            "Le dernier jour ne peut pas précéder le premier.",
        ),
        (
            {"ends_on": paris_today() + timedelta(days=70)},
            "ends_on",
            "Un événement dure au plus un mois.",
        ),
        ({"start_time": None}, "start_time", "Indiquez l’heure de début"),
        (
            {"end_time": __import__("datetime").time(17)},
            "end_time",
            "L’heure de fin doit suivre l’heure de début.",
        ),
        ({"commune_insee": "99999"}, "commune", "Choisissez une commune du territoire."),
        ({"commune_insee": ""}, "commune", "Indiquez la commune ou le lieu de l’événement."),
        ({"sports": []}, "sports", "Choisissez au moins un sport."),
        ({"sports": ["quidditch"]}, "sports", "Choisissez les sports dans la liste"),
        ({"website": "javascript:alert(1)"}, "website", "commençant par https://"),
        ({"description": "x" * 4001}, "description", "4000 caractères"),
    ],
)
def test_create_event_refuses_bad_data(admin, changes, field, message):
    with pytest.raises(ValidationFailed) as refused:
        services.create_event(admin, event_data(**changes))
    assert message in str(refused.value.fields[field][0])
    assert db.session.scalar(select(Event.id)) is None


def test_unpublished_venue_is_refused(admin, arena):
    proposal = db.session.scalar(
        select(Venue).where(Venue.status != VenueStatus.PUBLISHED.value)
    ) or Venue(
        name="Salle proposée",
        slug="salle-proposee",
        kind=arena.kind,
        commune_insee="62498",
        latitude=50.4,
        longitude=2.8,
        status=VenueStatus.PROPOSED.value,
    )
    db.session.add(proposal)
    db.session.flush()
    with pytest.raises(ValidationFailed) as refused:
        services.create_event(admin, event_data(venue_id=proposal.id))
    assert "venue" in refused.value.fields


def test_manager_edits_their_event_but_not_others(event, manager, admin):
    services.update_event(
        manager, event, event_data(title="Meeting de Liévin", organisation_id=event.organisation_id)
    )
    assert event.title == "Meeting de Liévin"
    assert event.slug.startswith("meeting-international")  # the address stays
    other_event = services.create_event(admin, event_data(title="Route du Louvre"))
    with pytest.raises(Forbidden):
        services.update_event(
            manager, other_event, event_data(organisation_id=event.organisation_id)
        )
    services.update_event(admin, event, event_data(title="Meeting international de Liévin"))
    assert event.organisation_id is None  # an admin may drop the organiser


def test_resident_may_not_edit(event):
    with pytest.raises(Forbidden):
        services.update_event(make_user(), event, event_data())


def test_cancel_and_reinstate_through_transitions(event, manager):
    services.cancel_event(manager, event, "Piste en travaux")
    assert event.status == "cancelled" and event.cancelled_at is not None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "event")
    ).all()
    assert "event.cancel" in actions
    with pytest.raises(Conflict):
        services.cancel_event(manager, event)
    services.reinstate_event(manager, event)
    assert event.status == "published"


def test_only_moderators_remove_events(event, manager):
    with pytest.raises(Forbidden):
        services.remove_event(manager, event)
    moderator = make_user(role=Role.MODERATOR)
    event_id = event.id
    services.remove_event(moderator, event, "Doublon")
    assert db.session.get(Event, event_id) is None
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.remove"))
    assert audit.reason == "Doublon"


def test_a_drive_may_not_be_tied_to_a_past_or_cancelled_event(event, club, manager):
    from sportressources.drives import services as drive_services

    today = paris_today()
    services.cancel_event(manager, event)
    with pytest.raises(ValidationFailed) as refused:
        drive_services.create_drive(
            manager,
            club,
            drive_services.DriveData("Collecte de pointes", today, today, event_id=event.id),
        )
    assert "Choisissez un événement à venir" in str(refused.value.fields["event"][0])


def test_removing_an_event_unties_its_drives(event, club, manager):
    from sportressources.drives import services as drive_services

    today = paris_today()
    drive = drive_services.create_drive(
        manager,
        club,
        drive_services.DriveData("Collecte de pointes", today, today, event_id=event.id),
    )
    db.session.commit()
    services.remove_event(make_user(role=Role.MODERATOR), event)
    db.session.commit()
    db.session.expire_all()
    assert drive.event_id is None and drive.title == "Collecte de pointes"
