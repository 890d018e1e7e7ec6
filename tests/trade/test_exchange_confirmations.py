"""Withdrawing and declining an exchange request ask first (core.web.confirmation): the first
POST changes nothing and says what happens to the other member, the confirmed POST acts, anyone
else is refused at both steps, and a confirmed POST without CSRF token fails."""

import pytest

from sportressources.trade.exchanges import services as exchanges
from tests.factories import committed, fresh, make_listing
from tests.fixtures.web import text

CONFIRMED = {"confirmed": "yes"}


@pytest.fixture
def gift(owner):
    return make_listing(owner=owner, title="Vélo enfant 20 pouces")


@pytest.fixture
def pending(asker, gift):
    return committed(exchanges.request_item(asker, gift, ""))


@pytest.fixture(params=["withdraw", "decline"])
def step(request, owner, asker, pending, client_for):
    if request.param == "withdraw":
        return (
            f"/demandes/{pending.id}/retirer",
            client_for(asker),
            {"next": f"/annonces/{pending.listing_id}"},
            [
                "Retirer votre demande pour « Vélo enfant 20 pouces » ?",
                "Le propriétaire sera prévenu.",
                "Oui, retirer ma demande",
            ],
            f'href="/annonces/{pending.listing_id}"',
            "withdrawn",
        )
    return (
        f"/demandes/{pending.id}/refuser",
        client_for(owner),
        {f"decline-{pending.id}-reason": "Déjà donné à un voisin"},
        [
            "Refuser la demande de Inès Intéressée ?",
            "Inès Intéressée recevra une notification",
            "L’annonce reste disponible pour les autres demandes.",
            "Oui, refuser",
        ],
        f'href="/annonces/{pending.listing_id}/demandes"',
        "declined",
    )


def test_the_first_post_asks_and_changes_nothing(step, pending):
    path, browser, data, says, back, done = step
    response = browser.post(path, data=data)
    assert response.status_code == 200
    page = text(response)
    for words in says:
        assert words in page
    assert back in page and "Non, revenir" in page
    for name, value in data.items():
        assert f'name="{name}" value="{value}"' in page
    assert fresh(pending).status == "pending"


def test_the_confirmed_post_acts(step, pending):
    path, browser, data, says, back, done = step
    assert browser.post(path, data={**data, **CONFIRMED}).status_code == 303
    assert fresh(pending).status == done


def test_the_decline_reason_goes_with_the_confirmation(owner, pending, client_for, outbox):
    client_for(owner).post(
        f"/demandes/{pending.id}/refuser",
        data={f"decline-{pending.id}-reason": "Déjà donné à un voisin", **CONFIRMED},
    )
    assert fresh(pending).status == "declined"
    assert "Déjà donné à un voisin" in outbox.last("asker@example.org").text


def test_a_stranger_is_refused_at_both_steps(step, pending, stranger, client_for):
    path, browser, data, says, back, done = step
    intruder = client_for(stranger)
    assert intruder.post(path, data=data).status_code == 403
    assert intruder.post(path, data={**data, **CONFIRMED}).status_code == 403
    assert fresh(pending).status == "pending"


def test_the_other_party_is_refused_too(owner, asker, pending, client_for):
    assert client_for(owner).post(f"/demandes/{pending.id}/retirer").status_code == 403
    assert client_for(asker).post(f"/demandes/{pending.id}/refuser").status_code == 403
    assert fresh(pending).status == "pending"


def test_a_confirmed_post_without_csrf_token_fails(app, step, pending):
    path, browser, data, says, back, done = step
    app.config["WTF_CSRF_ENABLED"] = True
    assert browser.post(path, data={**data, **CONFIRMED}).status_code == 400
    assert fresh(pending).status == "pending"


def test_a_hostile_next_is_not_where_no_goes_back(asker, pending, client_for):
    page = text(
        client_for(asker).post(
            f"/demandes/{pending.id}/retirer", data={"next": "https://evil.example/"}
        )
    )
    assert 'href="https://evil.example/"' not in page
    assert 'href="/mes-demandes"' in page


def test_the_requests_page_explains_refuse(owner, pending, client_for):
    page = text(client_for(owner).get(f"/annonces/{pending.listing_id}/demandes"))
    assert (
        "Inès Intéressée reçoit une notification ; l’annonce reste disponible pour les autres "
        "demandes." in page
    )
