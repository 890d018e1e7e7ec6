"""Sessions that end: a copied cookie stops working when its session ends; the devices page."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from sportressources.accounts.models import MemberSession
from sportressources.accounts.sessions import describe_user_agent, revoke_all_sessions
from sportressources.core.db import db, utcnow
from tests.factories import PASSWORD

FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def log_in(client, user, remember: bool = False, user_agent: str | None = None):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    headers = {"User-Agent": user_agent} if user_agent else {}
    response = client.post("/compte/connexion", data=data, headers=headers)
    assert response.status_code == 302
    return client


def is_signed_in(client) -> bool:
    response = client.get("/compte/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def copy_cookie(source, target, name: str) -> None:
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    target.set_cookie(name, cookie.value)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- sign-out ends the session server-side --------------------------------------------------------


def test_a_session_cookie_copied_before_sign_out_is_anonymous_after_it(app, client, resident):
    log_in(client, resident)
    thief = app.test_client()
    copy_cookie(client, thief, "sr62_session")
    assert is_signed_in(thief)

    client.post("/compte/deconnexion")

    assert not is_signed_in(client)
    assert not is_signed_in(thief)


def test_a_remember_cookie_copied_before_sign_out_is_anonymous_after_it(app, client, resident):
    log_in(client, resident, remember=True)
    thief = app.test_client()
    copy_cookie(client, thief, "sr62_remember")
    assert is_signed_in(thief)  # the remember cookie alone signs in, as for a reopened browser

    client.post("/compte/deconnexion")

    late_thief = app.test_client()
    copy_cookie(thief, late_thief, "sr62_remember")
    assert not is_signed_in(late_thief)
    assert not is_signed_in(thief)


def test_signing_out_one_device_leaves_the_others_signed_in(app, client, resident):
    log_in(client, resident)
    phone = log_in(app.test_client(), resident)

    client.post("/compte/deconnexion")

    assert is_signed_in(phone)


def test_the_cookies_carry_a_token_the_database_keeps_only_hashed(app, client, resident):
    log_in(client, resident, remember=True)
    with client.session_transaction() as session:
        token = session["_user_id"]

    stored = db.session.scalars(select(MemberSession.token_hash)).all()
    assert len(stored) == 1
    assert token not in stored and str(resident.id) != token
    assert len(token) >= 40


# --- the devices page -----------------------------------------------------------------------------


def test_devices_page_lists_each_signed_in_device_in_a_table(app, client, resident):
    log_in(client, resident, user_agent=FIREFOX_ANDROID)
    log_in(app.test_client(), resident, remember=True, user_agent=SAFARI_IPHONE)

    response = client.get("/compte/appareils")

    assert response.status_code == 200
    page = text(response)
    assert "<caption>Sessions actives</caption>" in page
    for header in ("Appareil", "Connecté depuis", "Dernière activité", "Action"):
        assert f'<th scope="col">{header}</th>' in page
    assert re.search(r"Firefox sur Android\s*– <strong>cet appareil</strong>", page)
    assert 'Safari sur iOS <span class="note">(connexion mémorisée)</span>' in page
    assert page.count("Déconnecter<span") == 2
    assert "ni votre adresse IP ni le lieu" in page
    assert 'href="/compte/appareils" aria-current="page"' in page


def test_ending_another_device_signs_it_out_and_not_this_one(app, client, resident):
    log_in(client, resident, user_agent=FIREFOX_ANDROID)
    laptop = log_in(app.test_client(), resident, remember=True, user_agent=SAFARI_IPHONE)
    other = db.session.scalar(select(MemberSession).where(MemberSession.system == "iOS"))

    response = client.post(f"/compte/appareils/{other.id}/deconnecter")

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/appareils"
    page = text(client.get("/compte/appareils"))
    assert "Cet appareil est déconnecté." in page
    assert "Safari sur iOS" not in page
    assert is_signed_in(client)
    assert not is_signed_in(laptop)


def test_ending_this_device_from_the_list_signs_out(client, resident):
    log_in(client, resident)
    mine = db.session.scalar(select(MemberSession))

    response = client.post(f"/compte/appareils/{mine.id}/deconnecter")

    assert response.headers["Location"] == "/"
    assert not is_signed_in(client)


def test_a_member_cannot_end_someone_elses_session(app, client, resident, other_resident):
    log_in(client, resident)
    log_in(app.test_client(), other_resident)
    theirs = db.session.scalar(
        select(MemberSession).where(MemberSession.user_id == other_resident.id)
    )

    response = client.post(f"/compte/appareils/{theirs.id}/deconnecter")

    assert response.status_code == 404
    assert db.session.get(MemberSession, theirs.id).revoked_at is None


def test_ending_a_device_without_csrf_token_is_refused_when_csrf_is_on(app, client, resident):
    log_in(client, resident)
    mine = db.session.scalar(select(MemberSession))
    app.config["WTF_CSRF_ENABLED"] = True

    refused = client.post(f"/compte/appareils/{mine.id}/deconnecter")

    assert refused.status_code == 400
    assert is_signed_in(client)


def test_last_activity_is_recorded_at_most_every_few_minutes(client, resident):
    log_in(client, resident)
    long_ago = utcnow() - timedelta(minutes=10)
    db.session.execute(update(MemberSession).values(last_seen_at=long_ago))
    db.session.commit()

    client.get("/compte/")
    seen = db.session.scalar(select(MemberSession.last_seen_at))
    assert seen > long_ago + timedelta(minutes=9)

    client.get("/compte/")
    assert db.session.scalar(select(MemberSession.last_seen_at)) == seen


def test_a_session_idle_longer_than_its_cookie_lasts_signs_nobody_in(app, client, resident):
    log_in(client, resident)
    idle = utcnow() - app.config["PERMANENT_SESSION_LIFETIME"] - timedelta(minutes=1)
    db.session.execute(update(MemberSession).values(last_seen_at=idle))
    db.session.commit()

    assert not is_signed_in(client)


# --- password change, all devices, sanctions -----------------------------------------------------


def test_changing_the_password_ends_the_other_sessions(app, client, resident):
    log_in(client, resident)
    phone = log_in(app.test_client(), resident, remember=True)

    response = client.post(
        "/compte/mot-de-passe",
        data={
            "current_password": PASSWORD,
            "new_password": "un tout nouveau mot de passe",
            "new_password_confirm": "un tout nouveau mot de passe",
        },
    )

    assert response.status_code == 302
    assert is_signed_in(client)
    assert not is_signed_in(phone)


def test_revoking_all_sessions_signs_every_device_out(app, client, resident):
    log_in(client, resident)
    phone = log_in(app.test_client(), resident, remember=True)

    assert revoke_all_sessions(resident) == 2
    db.session.commit()

    assert not is_signed_in(client)
    assert not is_signed_in(phone)


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (FIREFOX_ANDROID, ("Firefox", "Android")),
        (SAFARI_IPHONE, ("Safari", "iOS")),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            ("Edge", "Windows"),
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36",
            ("Chrome", "Linux"),
        ),
        ("curl/8.5.0", (None, None)),
        (None, (None, None)),
    ],
)
def test_user_agents_are_summarised_as_a_person_names_them(user_agent, expected):
    assert describe_user_agent(user_agent) == expected
