"""An organisation gives and sells its gear: any manager or volunteer answers the requests, hands
the item over and rates, nobody else and no former member; every member is told once; the
requester sees the organisation, not a person."""

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden
from sportressources.notifications.models import Notification
from sportressources.organisations.queries import membership_of
from sportressources.trade import reputation
from sportressources.trade.exchanges import queries
from sportressources.trade.exchanges import services as exchanges
from tests.factories import add_member, committed, make_listing, make_organisation, make_user
from tests.fixtures.web import sign_in, text


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
def outsider(app):
    return make_user(email="outsider@example.org")


@pytest.fixture
def shirts(manager, club):
    return make_listing(manager, title="Jeu de maillots enfant", category="vetements", size="",
                        organisation_id=club.id)  # fmt: skip


def leave(organisation, user):
    db.session.delete(membership_of(user.id, organisation.id))
    db.session.commit()


def kinds(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def ask(user, listing):
    return committed(exchanges.request_item(user, listing, "Pour l’équipe U9"))


def test_every_member_is_told_of_a_request_and_a_volunteer_accepts(
    shirts, manager, volunteer, asker, outbox
):
    request = ask(asker, shirts)
    assert kinds(manager) == ["exchange_requested"] and kinds(volunteer) == ["exchange_requested"]
    assert len(outbox.to(manager.email)) == 1 and len(outbox.to(volunteer.email)) == 1

    committed(exchanges.accept_request(volunteer, request))

    assert (request.status, shirts.status) == ("accepted", "reserved")
    assert "US Liévin Football" in outbox.to(asker.email)[-1].text
    assert queries.requests_received_by(volunteer) == [request]
    assert queries.exchange_state(shirts, volunteer).is_owner


def test_a_non_member_and_a_former_member_cannot_act_for_the_organisation(
    shirts, club, volunteer, outsider, asker
):
    request = ask(asker, shirts)
    with pytest.raises(Forbidden):
        exchanges.accept_request(outsider, request)
    with pytest.raises(Forbidden):
        queries.requests_for_listing(outsider, shirts)

    leave(club, volunteer)

    with pytest.raises(Forbidden):
        exchanges.decline_request(volunteer, request)
    with pytest.raises(Forbidden):
        queries.requests_for_listing(volunteer, shirts)
    assert queries.requests_received_by(volunteer) == []


def test_the_creator_who_left_can_no_longer_answer_but_may_ask_like_anyone(
    shirts, club, manager, volunteer, asker
):
    request = ask(asker, shirts)
    leave(club, manager)

    with pytest.raises(Forbidden):
        exchanges.accept_request(manager, request)
    assert queries.requests_received_by(manager) == []
    # Now an outsider to the club, they may ask for its shirts themselves
    assert ask(manager, shirts).status == "pending"
    assert "exchange_requested" in kinds(volunteer)


def test_two_members_hand_over_and_the_organisation_rates_once(
    shirts, manager, volunteer, asker, outsider
):
    request = committed(exchanges.accept_request(manager, ask(asker, shirts)))
    with pytest.raises(Forbidden):
        exchanges.confirm_handover(outsider, request)
    committed(exchanges.confirm_handover(asker, request))
    assert "exchange_handover_confirmed" in kinds(manager)
    assert "exchange_handover_confirmed" in kinds(volunteer)
    committed(exchanges.confirm_handover(volunteer, request))
    assert (request.status, shirts.status) == ("completed", "given")

    committed(exchanges.rate(manager, request, 5, "Merci !"))
    with pytest.raises(Conflict):
        exchanges.ensure_can_rate(volunteer, request)
    assert queries.rated_exchange_ids(volunteer, [request]) == {request.id}
    assert queries.rated_exchange_ids(asker, [request]) == set()
    committed(exchanges.rate(asker, request, 4, "Maillots propres."))
    assert "exchange_rated" in kinds(volunteer) and "exchange_rated" in kinds(manager)
    # The gift counts for the requester, not as the creator's own handover
    assert reputation.reliability(manager).completed == 0
    assert reputation.reliability(manager).ratings_count == 0
    assert reputation.reliability(asker).completed == 1


def test_the_requests_page_is_open_to_members_and_shows_the_organisation_to_the_requester(
    client, shirts, volunteer, asker
):
    ask(asker, shirts)
    sign_in(client, volunteer)
    page = client.get(f"/annonces/{shirts.id}/demandes")
    assert page.status_code == 200 and asker.display_name in text(page)
    client.post("/compte/deconnexion")
    sign_in(client, asker)
    mine = text(client.get("/mes-demandes"))
    assert "proposé par US Liévin Football" in mine


def test_the_requests_page_is_refused_to_a_former_member(client, shirts, club, volunteer):
    sign_in(client, volunteer)
    assert client.get(f"/annonces/{shirts.id}/demandes").status_code == 200
    leave(club, volunteer)
    assert client.get(f"/annonces/{shirts.id}/demandes").status_code == 403
