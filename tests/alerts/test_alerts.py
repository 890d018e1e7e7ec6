"""Saved searches and the daily digest: one email per member, once a day, one-click unsubscribe."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from sportressources.alerts import services as alerts
from sportressources.alerts.models import SavedSearch
from sportressources.alerts.services import (
    _claim,
    alerts_cli,
    delete_search,
    save_search,
    send_digests,
    start_of_day,
    unsubscribe_token,
)
from sportressources.core.db import db
from sportressources.core.errors import Conflict, NotFound, ValidationFailed
from sportressources.listings.search.params import SearchParams, parse_search_args
from tests.factories import make_listing, make_user, move_listing
from tests.fixtures.web import sign_in


def params(**args) -> SearchParams:
    parsed, errors = parse_search_args(MultiDict(args))
    assert not errors
    return parsed


def later(hours: float = 1) -> datetime:
    """A run of the digest some time from now (listings must settle for a few minutes)."""
    return datetime.now(UTC) + timedelta(hours=hours)


@pytest.fixture
def seller(app):
    return make_user(email="seller@example.org", display_name="Vendeur")


def bike(seller, title="Vélo enfant", **fields):
    return make_listing(seller, title=title, sport="cyclisme", category="velos", size='20"',
                        description="Bon état.", **fields)  # fmt: skip


# --- Saving --------------------------------------------------------------------------------------


def test_save_search_names_it_and_sends_only_later_listings(resident, seller):
    bike(seller, title="Vélo déjà là")

    alert = save_search(resident, params(q="vélo", kind="gift"))
    db.session.commit()

    assert alert.name == "« vélo » · Don"
    assert alert.query == "kind=gift&q=v%C3%A9lo"
    report = send_digests(later())
    assert report.emails == 0


def test_save_search_removes_invisible_characters_from_the_name(resident):
    alert = save_search(resident, params(q="vélo"), name="Mes\x00 vélos\u202e")
    db.session.commit()

    assert alert.name == "Mes vélos"


def test_save_search_refuses_duplicates_empty_searches_and_a_21st_alert(resident):
    save_search(resident, params(q="vélo"))
    with pytest.raises(Conflict, match="déjà enregistrée"):
        save_search(resident, params(q="vélo", after="12"))
    with pytest.raises(ValidationFailed, match="au moins un critère"):
        save_search(resident, SearchParams(sort="cheapest"))
    with pytest.raises(ValidationFailed, match="80"):
        save_search(resident, params(q="ballon"), name="x" * 81)
    for number in range(19):
        save_search(resident, params(q=f"ballon{number}"))
    with pytest.raises(Conflict, match="20 alertes"):
        save_search(resident, params(q="raquette"))


def test_another_member_cannot_delete_my_alert(resident, other_resident):
    alert = save_search(resident, params(q="vélo"))
    db.session.commit()

    with pytest.raises(NotFound):
        delete_search(other_resident, alert.id)
    delete_search(resident, alert.id)
    assert db.session.get(SavedSearch, alert.id) is None


# --- Pages ---------------------------------------------------------------------------------------


def test_saving_from_the_search_page_redirects_back_with_a_message(resident_client, resident):
    response = resident_client.post(
        "/alertes", data={"query": "sport=cyclisme&q=V%C3%A9lo&bogus=1", "name": "Vélo pour Léa"}
    )

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).query == "q=V%C3%A9lo&sport=cyclisme"
    alert = db.session.scalar(select(SavedSearch))
    assert (alert.user_id, alert.name) == (resident.id, "Vélo pour Léa")
    page = resident_client.get("/alertes")
    assert "Vélo pour Léa" in page.get_data(as_text=True)
    assert "Alerte « Vélo pour Léa » créée" in page.get_data(as_text=True)


def test_saving_needs_an_account(client):
    response = client.post("/alertes", data={"query": "q=velo"})

    assert response.status_code == 302
    assert "/compte/connexion" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0


def test_my_alerts_page_deletes_only_my_own(client, resident, other_resident):
    mine = save_search(resident, params(q="vélo"))
    theirs = save_search(other_resident, params(q="ballon"))
    db.session.commit()
    sign_in(client, resident)

    page = client.get("/alertes").get_data(as_text=True)
    assert "« vélo »" in page and "« ballon »" not in page

    refused = client.post(f"/alertes/{theirs.id}/supprimer")
    assert refused.status_code == 404
    assert "Cette alerte n’existe pas" in refused.get_data(as_text=True)
    assert db.session.get(SavedSearch, theirs.id) is not None

    mine_id = mine.id
    assert (
        client.post(f"/alertes/{mine_id}/supprimer", data={"confirmed": "yes"}).status_code == 302
    )
    assert "Alerte supprimée" in client.get("/alertes").get_data(as_text=True)
    assert db.session.get(SavedSearch, mine_id) is None


def test_alert_forms_refuse_a_post_without_csrf_token(app, resident_client, resident):
    alert = save_search(resident, params(q="vélo"))
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True

    assert resident_client.post("/alertes", data={"query": "q=ballon"}).status_code == 400
    assert resident_client.post(f"/alertes/{alert.id}/supprimer").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 1
    # One-click unsubscribe comes from mail clients, without a form: the token is the proof
    token = unsubscribe_token([alert])
    assert resident_client.post(f"/alertes/desinscription/{token}").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0


# --- The digest ----------------------------------------------------------------------------------


def test_digest_sends_one_email_per_member_grouping_their_alerts(resident, other_resident,
                                                                 seller, outbox):  # fmt: skip
    save_search(resident, params(q="vélo"), name="Vélos")
    save_search(resident, params(sport="cyclisme", kind="sale"), name="Ventes cyclisme")
    save_search(resident, params(q="raquette"), name="Raquettes")
    save_search(other_resident, params(q="vélo enfant"), name="Vélo enfant")
    db.session.commit()
    bike(seller, title="Vélo enfant rouge")
    bike(seller, title="VTT adulte", kind="sale", price_cents=4000)
    make_listing(seller, title="Ballon", description="Cuir.")
    bike(seller, title="Vélo brouillon", status="draft")

    report = send_digests(later())

    assert (report.emails, report.alerts_sent) == (2, 3)
    mine = outbox.to("resident@example.org")
    assert len(mine) == 1
    text = mine[0].text
    assert "== Vélos ==" in text and "== Ventes cyclisme ==" in text
    assert "Raquettes" not in text and "brouillon" not in text and "Ballon" not in text
    assert "Vélo enfant rouge" in text and "VTT adulte" in text and "40 €" in text
    theirs = outbox.to("other@example.org")
    assert len(theirs) == 1 and "Vélo enfant rouge" in theirs[0].text
    assert "VTT adulte" not in theirs[0].text


def test_digest_is_idempotent_and_sent_at_most_once_a_day(resident, seller, outbox):
    alert = save_search(resident, params(q="vélo"))
    db.session.commit()
    bike(seller, title="Vélo un")
    morning = datetime(2030, 6, 15, 5, 0, tzinfo=UTC)  # 7:00 in Paris (summer time)

    assert send_digests(morning).emails == 1
    assert send_digests(morning).emails == 0
    bike(seller, title="Vélo deux")
    evening = datetime(2030, 6, 15, 21, 30, tzinfo=UTC)  # 23:30 in Paris, same day
    report = send_digests(evening)
    assert (report.emails, report.skipped_today) == (0, 1)
    next_day = datetime(2030, 6, 15, 22, 30, tzinfo=UTC)  # 0:30 in Paris, the next day
    assert send_digests(next_day).emails == 1
    assert send_digests(next_day).emails == 0

    texts = [mail.text for mail in outbox.to("resident@example.org")]
    assert len(texts) == 2
    assert "Vélo un" in texts[0] and "Vélo deux" not in texts[0]
    assert "Vélo deux" in texts[1] and "Vélo un" not in texts[1]
    db.session.refresh(alert)
    assert alert.last_sent_at == next_day


def test_listings_published_in_the_last_minutes_wait_for_the_next_run(resident, seller, outbox):
    save_search(resident, params(q="vélo"))
    db.session.commit()
    bike(seller)

    assert send_digests(datetime.now(UTC)).emails == 0
    assert send_digests(later()).emails == 1


def test_a_listing_drafted_before_the_alert_and_published_after_is_sent(resident, seller,
                                                                        outbox):  # fmt: skip
    draft = bike(seller, title="Vélo en relecture", status="awaiting_review")
    save_search(resident, params(q="vélo"))
    db.session.commit()
    move_listing(draft, "approve")

    assert send_digests(later()).emails == 1
    assert "Vélo en relecture" in outbox.last("resident@example.org").text


def test_a_run_that_read_a_mark_another_run_moved_claims_nothing(resident, seller):
    alert = save_search(resident, params(q="vélo"))
    db.session.commit()
    bike(seller)
    now = later()
    seen = SimpleNamespace(id=alert.id, last_listing_id=alert.last_listing_id)
    # Another run claims the alert between this run's read and its write
    db.session.execute(
        update(SavedSearch)
        .where(SavedSearch.id == alert.id)
        .values(last_listing_id=seen.last_listing_id + 1)
    )
    db.session.commit()

    assert _claim(seen, seen.last_listing_id + 1, now, start_of_day(now)) is False
    fresh = SimpleNamespace(id=alert.id, last_listing_id=seen.last_listing_id + 1)
    assert _claim(fresh, seen.last_listing_id + 2, now, start_of_day(now)) is True


def test_two_runs_at_the_same_time_send_one_email(app, backend, resident, seller, outbox,
                                                  monkeypatch):  # fmt: skip
    save_search(resident, params(q="vélo"))
    db.session.commit()
    bike(seller)
    now = later()
    if backend == "postgresql":
        # Both runs read the alert before either claims it (on SQLite the write lock taken
        # at the start of each member's transaction already puts one run after the other)
        barrier = threading.Barrier(2, timeout=10)
        original = alerts._claim

        def claim_together(*args):
            barrier.wait()
            return original(*args)

        monkeypatch.setattr(alerts, "_claim", claim_together)
    reports, failures = [], []

    def run():
        try:
            with app.app_context():
                reports.append(send_digests(now))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not failures, failures
    assert sorted(report.emails for report in reports) == [0, 1]
    assert len(outbox.to("resident@example.org")) == 1


def test_members_who_deleted_their_account_get_nothing(resident, seller, outbox):
    save_search(resident, params(q="vélo"))
    resident.deleted_at = datetime.now(UTC)
    db.session.commit()
    bike(seller)

    assert send_digests(later()).emails == 0


def test_flask_alerts_send_reports_what_it_did(app, resident, seller, outbox):
    save_search(resident, params(q="vélo"))
    db.session.commit()
    bike(seller, title="Vélo très ancien")
    # Backdate the listing so that the command's own "now" sees it settled
    from sportressources.listings.search.index import listing_search

    db.session.execute(
        update(listing_search).values(visible_since=datetime.now(UTC) - timedelta(hours=1))
    )
    db.session.commit()

    result = app.test_cli_runner().invoke(alerts_cli, ["send"])

    assert result.exit_code == 0, result.output
    assert "1 e-mail(s) envoyé(s)" in result.output
    assert len(outbox.to("resident@example.org")) == 1


# --- Unsubscribing -------------------------------------------------------------------------------


@pytest.fixture
def digest(resident, seller, outbox):
    save_search(resident, params(q="vélo"), name="Vélos")
    save_search(resident, params(q="enfant"), name="Enfants")
    save_search(resident, params(q="ballon"), name="Ballons")
    db.session.commit()
    bike(seller, title="Vélo enfant")
    send_digests(later())
    return outbox.last("resident@example.org")


def test_digest_carries_one_click_unsubscribe_headers(digest):
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = digest.headers["List-Unsubscribe"]
    assert url.startswith("<http://localhost/alertes/desinscription/") and url.endswith(">")


def test_one_click_post_deletes_the_alerts_of_the_digest_without_login(client, digest):
    url = digest.headers["List-Unsubscribe"].strip("<>")

    response = client.post(
        urlsplit(url).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "supprimées" in response.get_data(as_text=True)
    names = set(db.session.scalars(select(SavedSearch.name)))
    assert names == {"Ballons"}  # not in this digest: kept
    again = client.post(urlsplit(url).path)
    assert again.status_code == 200 and "déjà supprimées" in again.get_data(as_text=True)


def test_the_link_of_one_alert_asks_to_confirm_then_deletes_it_only(client, digest):
    link = urlsplit(digest.link("/alertes/desinscription/")).path

    page = client.get(link)
    assert page.status_code == 200
    assert "Vélos" in page.get_data(as_text=True) and "Enfants" not in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 3

    assert client.post(link).status_code == 200
    assert set(db.session.scalars(select(SavedSearch.name))) == {"Enfants", "Ballons"}


def test_a_forged_or_foreign_token_deletes_nothing(client, resident, other_resident):
    mine = save_search(resident, params(q="vélo"))
    db.session.commit()
    token = unsubscribe_token([mine])

    # A changed signature character that carries full bits (the last one may hold only padding)
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    assert client.post("/alertes/desinscription/" + forged).status_code == 400
    assert client.get("/alertes/desinscription/nimportequoi").status_code == 400
    # A token names its alert by id and fingerprint: a new alert that reused the id is safe
    delete_search(resident, mine.id)
    db.session.commit()
    assert client.post(f"/alertes/desinscription/{token}").status_code == 200
    assert alerts.alerts_in_token(token) == []
