"""Deleting an alert asks first (core.web.confirmation)."""

import pytest

from sportressources.alerts.models import SavedSearch
from sportressources.alerts.services import save_search
from sportressources.core.db import db
from sportressources.listings.search.params import SearchParams
from tests.fixtures.web import text

CONFIRMED = {"confirmed": "yes"}


@pytest.fixture
def alert(resident):
    alert = save_search(resident, SearchParams(q="vélo"), name="Vélos pour Léa")
    db.session.commit()
    return alert.id


def kept(alert_id) -> bool:
    db.session.rollback()
    return db.session.get(SavedSearch, alert_id) is not None


def test_the_first_post_asks_and_the_confirmed_one_deletes(resident_client, alert):
    response = resident_client.post(f"/alertes/{alert}/supprimer")
    assert response.status_code == 200
    page = text(response)
    assert "Supprimer l’alerte « Vélos pour Léa » ?" in page
    assert "Vous ne recevrez plus d’e-mail" in page
    assert 'href="/alertes"' in page and "Non, revenir" in page
    assert kept(alert)
    assert resident_client.post(f"/alertes/{alert}/supprimer", data=CONFIRMED).status_code == 302
    assert not kept(alert)


def test_another_members_alert_is_not_found_at_both_steps(client_for, other_resident, alert):
    browser = client_for(other_resident)
    first = browser.post(f"/alertes/{alert}/supprimer")
    assert first.status_code == 404 and "Vélos pour Léa" not in text(first)
    assert browser.post(f"/alertes/{alert}/supprimer", data=CONFIRMED).status_code == 404
    assert kept(alert)


def test_a_confirmed_post_without_csrf_token_fails(app, resident_client, alert):
    app.config["WTF_CSRF_ENABLED"] = True
    assert resident_client.post(f"/alertes/{alert}/supprimer", data=CONFIRMED).status_code == 400
    assert kept(alert)
