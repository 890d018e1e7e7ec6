"""My account: profile, email address, password, sessions, public profile and RGPD rights."""

from __future__ import annotations

import html
import json
import re
import time
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from sportressources.core.security import Role
from tests.factories import PASSWORD, make_user
from tests.fixtures.web import sign_in

NEW_PASSWORD = "un ballon tout neuf pour le club"
LINK_SENT = (
    "Un lien de confirmation a été envoyé à la nouvelle adresse. Votre adresse actuelle reste "
    "valable tant que vous n’avez pas cliqué dessus."
)
WRONG_PASSWORD = "Le mot de passe est incorrect."
BAD_NAME = "Le nom ne peut contenir ni @, ni < ou >, et doit avoir des lettres."


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str:
    match = re.search(
        rf'<p class="field-error" id="{field_id}-error">(.*?)</p>',
        response.get_data(as_text=True),
        re.S,
    )
    return html.unescape(match.group(1)) if match else ""


def input_value(response, name: str) -> str:
    page = response.get_data(True)
    match = re.search(rf'<input [^>]*name="{name}"[^>]*value="([^"]*)"', page)
    if match is None:  # a select: the value of its selected option
        select = re.search(rf'<select [^>]*name="{name}".*?</select>', page, re.S)
        match = select and re.search(r'<option selected value="([^"]*)"', select.group(0))
    return html.unescape(match.group(1)) if match else ""


def log_in(client, email: str, password: str = PASSWORD):
    return client.post("/compte/connexion", data={"email": email, "password": password})


def is_signed_in(client) -> bool:
    return client.get("/compte/").status_code == 200


def reload(user: User) -> User:
    return db.session.get(User, user.id)


# --- anonymous visitors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/compte/"),
        ("GET", "/compte/email"),
        ("POST", "/compte/email"),
        ("GET", "/compte/mot-de-passe"),
        ("GET", "/compte/donnees"),
        ("POST", "/compte/donnees"),
        ("GET", "/compte/donnees/export.json"),
        ("POST", "/compte/deconnexion-partout"),
    ],
)
def test_account_pages_send_anonymous_visitors_to_the_login_page(client, method, path):
    response = client.open(path, method=method)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/compte/connexion"
    if method == "GET":
        assert parse_qs(location.query)["next"] == [path]
    else:  # a form target cannot be reopened after signing in: no way back to it
        assert "next" not in parse_qs(location.query)
    assert "Connectez-vous pour accéder à cette page." in text(client.get(location.path))


# --- profile --------------------------------------------------------------------------------------


def test_account_page_shows_the_address_and_edits_the_profile(resident_client, resident):
    page = resident_client.get("/compte/")
    assert page.status_code == 200
    assert "resident@example.org" in text(page)
    assert input_value(page, "display_name") == "Camille Résidente"

    response = resident_client.post(
        "/compte/",
        data={"display_name": "  Camille   R. ", "home_commune": "62510", "locale": "fr"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/"
    page = resident_client.get("/compte/")
    assert "Votre profil est enregistré." in text(page)
    assert input_value(page, "display_name") == "Camille R."
    user = reload(resident)
    assert (user.display_name, user.home_commune.name) == ("Camille R.", "Liévin")


def test_choosing_english_in_the_profile_switches_the_pages(resident_client, resident):
    resident_client.post(
        "/compte/", data={"display_name": "Camille", "home_commune": "62498", "locale": "en"}
    )

    assert reload(resident).locale == "en"
    assert '<html lang="en">' in resident_client.get("/").get_data(as_text=True)


def test_invisible_characters_are_removed_from_the_display_name(resident_client, resident):
    response = resident_client.post(
        "/compte/",
        data={"display_name": "Camille\x00 R.\u202e", "home_commune": "62510", "locale": "fr"},
    )

    assert response.status_code == 302
    assert reload(resident).display_name == "Camille R."


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"display_name": "<b>Camille</b>"}, "display_name", BAD_NAME),
        ({"display_name": ""}, "display_name", "Indiquez un nom."),
        ({"display_name": "C" * 61}, "display_name", "Le nom ne peut pas dépasser 60 caractères."),
        ({"home_commune": ""}, "home_commune", "Indiquez votre commune."),
        ({"home_commune": "75056"}, "home_commune", "Choisissez une valeur dans la liste."),
        ({"locale": "de"}, "locale", "choix valide"),
    ],
)
def test_profile_refuses_invalid_values_and_keeps_them(
    resident_client, resident, data, field, message
):
    form = {"display_name": "Camille", "home_commune": "62498", "locale": "fr", **data}

    response = resident_client.post("/compte/", data=form)

    assert response.status_code == 422
    assert message in field_error(response, field)
    if field == "home_commune" and form[field]:
        pass  # a commune not in the list cannot be shown selected
    elif field != "locale":
        assert input_value(response, field) == form[field]
    user = reload(resident)
    assert (user.display_name, user.home_commune_insee, user.locale) == (
        "Camille Résidente",
        "62498",
        "fr",
    )


# --- email address --------------------------------------------------------------------------------


def change_email(client, new_email: str, password: str = PASSWORD):
    return client.post("/compte/email", data={"new_email": new_email, "password": password})


@pytest.mark.parametrize(
    ("new_email", "password", "field", "message"),
    [
        ("camille@example.org", "pas le bon mot de passe", "password", WRONG_PASSWORD),
        ("camille@example.org", "", "password", "Indiquez un mot de passe."),
        (" RESIDENT@Example.org ", PASSWORD, "new_email", "C’est déjà votre adresse actuelle."),
        ("camille.example.org", PASSWORD, "new_email", "Cette adresse e-mail n’est pas valide"),
        ("", PASSWORD, "new_email", "Indiquez une adresse e-mail."),
    ],
)
def test_change_email_refuses_mistakes(
    resident_client, resident, outbox, new_email, password, field, message
):
    response = change_email(resident_client, new_email, password)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert input_value(response, "new_email") == new_email
    assert reload(resident).email == "resident@example.org"
    assert len(outbox) == 0


def test_change_email_sends_a_link_that_switches_the_address(
    app, resident_client, resident, outbox
):
    response = change_email(resident_client, " Camille.Neuve@Example.org ")

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/"
    assert LINK_SENT in text(resident_client.get("/compte/"))
    assert reload(resident).email == "resident@example.org"
    notice = outbox.last("resident@example.org")
    assert notice.subject == "Demande de changement d’adresse e-mail"
    assert "camille.neuve@example.org" in notice.text
    mail = outbox.last("camille.neuve@example.org")
    assert mail.subject == "Confirmez votre nouvelle adresse e-mail"
    link = mail.link("/compte/email/confirmer/")
    assert link.startswith("http://localhost/")

    confirmed = resident_client.get(link)

    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/compte/"
    page = text(resident_client.get("/compte/"))
    assert "Votre nouvelle adresse e-mail est confirmée." in page
    assert "camille.neuve@example.org" in page
    user = reload(resident)
    assert user.email == "camille.neuve@example.org"
    assert user.is_confirmed
    assert log_in(app.test_client(), "resident@example.org").status_code == 422
    assert log_in(app.test_client(), "camille.neuve@example.org").status_code == 302

    reused = resident_client.get(link)
    assert reused.status_code == 400
    assert "Ce lien n’est pas valide ou a déjà servi" in text(reused)


def test_email_change_link_works_without_being_signed_in(client, resident_client, outbox):
    change_email(resident_client, "camille.neuve@example.org")
    link = outbox.last("camille.neuve@example.org").link("/compte/email/confirmer/")
    resident_client.post("/compte/deconnexion")

    response = client.get(link)

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/connexion"
    assert log_in(client, "camille.neuve@example.org").status_code == 302


def test_change_to_an_address_used_by_another_account_looks_the_same_and_tells_its_owner(
    resident_client, resident, other_resident, outbox
):
    response = change_email(resident_client, "Other@Example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/"
    assert LINK_SENT in text(resident_client.get("/compte/"))
    owner_mail = outbox.last("other@example.org")
    assert owner_mail.subject == "Une inscription a été tentée avec votre adresse"
    assert not [
        link for mail in outbox.messages() for link in mail.links if "/email/confirmer/" in link
    ]
    assert reload(resident).email == "resident@example.org"
    assert reload(other_resident).email == "other@example.org"


def test_email_change_link_fails_when_another_account_took_the_address_meanwhile(
    resident_client, resident, outbox
):
    change_email(resident_client, "nouvelle@example.org")
    link = outbox.last("nouvelle@example.org").link("/compte/email/confirmer/")
    make_user(email="nouvelle@example.org")

    response = resident_client.get(link)

    assert response.status_code == 409
    assert "Cette adresse est déjà utilisée par un autre compte." in text(response)
    assert reload(resident).email == "resident@example.org"


def test_expired_email_change_link_says_so(client, resident, outbox, monkeypatch):
    issued_at = int(time.time()) - 49 * 3600
    with monkeypatch.context() as patch:
        # The session cookie is time-stamped too: sign in at that time as well.
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: issued_at)
        sign_in(client, resident)
        assert change_email(client, "nouvelle@example.org").status_code == 302
    link = outbox.last("nouvelle@example.org").link("/compte/email/confirmer/")

    response = client.get(link)

    assert response.status_code == 400
    assert "Ce lien a expiré. Demandez-en un nouveau." in text(response)
    assert reload(resident).email == "resident@example.org"


# --- password -------------------------------------------------------------------------------------


def change_password(client, current: str, new: str, confirm: str | None = None):
    return client.post(
        "/compte/mot-de-passe",
        data={
            "current_password": current,
            "new_password": new,
            "new_password_confirm": new if confirm is None else confirm,
        },
    )


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        (
            "pas le bon mot de passe",
            NEW_PASSWORD,
            None,
            "current_password",
            "Le mot de passe actuel est incorrect.",
        ),
        (
            PASSWORD,
            PASSWORD,
            None,
            "new_password",
            "Le nouveau mot de passe doit être différent de l’actuel.",
        ),
        (
            PASSWORD,
            NEW_PASSWORD,
            "un ballon tout neuf pour le clan",
            "new_password_confirm",
            "Les deux mots de passe ne sont pas identiques.",
        ),
        (PASSWORD, "court", None, "new_password", "au moins 10 caractères"),
        (PASSWORD, "azertyuiop", None, "new_password", "trop courant ou trop simple"),
        (PASSWORD, "Camille Résidente 62", None, "new_password", "ni votre nom"),
    ],
)
def test_change_password_refuses_mistakes(
    app, resident_client, resident, outbox, current, new, confirm, field, message
):
    response = change_password(resident_client, current, new, confirm)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert is_signed_in(resident_client)
    assert log_in(app.test_client(), resident.email, PASSWORD).status_code == 302
    assert len(outbox) == 0


def test_change_password_keeps_this_session_and_signs_out_the_others(
    app, resident_client, resident, outbox
):
    elsewhere = sign_in(app.test_client(), resident)

    response = change_password(resident_client, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/"
    assert "Votre mot de passe est modifié." in text(resident_client.get("/compte/"))
    assert is_signed_in(resident_client)
    assert not is_signed_in(elsewhere)
    assert outbox.last(resident.email).subject == "Votre mot de passe a été modifié"
    assert log_in(app.test_client(), resident.email, PASSWORD).status_code == 422
    assert log_in(app.test_client(), resident.email, NEW_PASSWORD).status_code == 302


def test_sign_out_everywhere_ends_every_session(app, resident_client, resident):
    elsewhere = sign_in(app.test_client(), resident)

    response = resident_client.post("/compte/deconnexion-partout")

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/connexion"
    assert "Vous êtes déconnecté de tous vos appareils." in text(
        resident_client.get("/compte/connexion")
    )
    assert not is_signed_in(resident_client)
    assert not is_signed_in(elsewhere)
    assert log_in(resident_client, resident.email).status_code == 302


# --- public profile -------------------------------------------------------------------------------


def test_public_profile_shows_name_commune_and_seniority_but_never_the_email(
    client, resident, other_resident
):
    anonymous = client.get(f"/membres/{resident.public_id}")
    sign_in(client, other_resident)
    seen_by_member = client.get(f"/membres/{resident.public_id}")

    for response in (anonymous, seen_by_member):
        assert response.status_code == 200
        page = text(response)
        assert "<h1>Camille Résidente</h1>" in page
        assert "Lens" in page
        assert "Membre depuis" in page
        assert "resident@example.org" not in page


@pytest.mark.parametrize(
    "member",
    [
        pytest.param(lambda: None, id="unknown"),
        pytest.param(lambda: make_user(deleted_at=utcnow()), id="deleted"),
        pytest.param(lambda: make_user(confirmed=False), id="unconfirmed"),
    ],
)
def test_public_profile_of_a_missing_member_is_not_found(client, member):
    user = member()
    user_id = user.id if user is not None else 999_999

    response = client.get(f"/membres/{user_id}")

    assert response.status_code == 404
    assert "Ce membre n’existe pas ou a supprimé son compte." in text(response)
    if user is not None:
        assert user.display_name not in text(response)


# --- personal data (RGPD) -------------------------------------------------------------------------


def test_export_downloads_my_data_and_nobody_else_s(resident_client, resident, other_resident):
    response = resident_client.get("/compte/donnees/export.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    account = data["account"]
    assert account["email"] == "resident@example.org"
    assert account["display_name"] == "Camille Résidente"
    assert account["home_commune"] == "Lens"
    assert datetime.fromisoformat(account["created_at"]) == reload(resident).created_at
    body = response.get_data(as_text=True)
    assert "other@example.org" not in body
    assert "Yanis Voisin" not in body
    assert "password" not in body
    assert "session_token" not in body


def delete_account(client, password: str = PASSWORD, confirm: bool = True):
    data = {"password": password}
    if confirm:
        data["confirm"] = "y"
    return client.post("/compte/donnees", data=data)


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("pas le bon mot de passe", True, "password", WRONG_PASSWORD),
        ("", True, "password", "Indiquez un mot de passe."),
        (PASSWORD, False, "confirm", "Cochez la case pour confirmer la suppression."),
    ],
)
def test_deletion_needs_the_password_and_the_checkbox(
    resident_client, resident, outbox, password, confirm, field, message
):
    response = delete_account(resident_client, password, confirm)

    assert response.status_code == 422
    assert message in field_error(response, field)
    user = reload(resident)
    assert user.deleted_at is None
    assert user.email == "resident@example.org"
    assert is_signed_in(resident_client)
    assert len(outbox) == 0


def test_deletion_anonymises_the_account_and_frees_the_address(
    app, resident_client, resident, outbox
):
    response = delete_account(resident_client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Votre compte et vos données personnelles ont été supprimés." in text(
        resident_client.get("/")
    )
    assert not is_signed_in(resident_client)
    assert log_in(resident_client, "resident@example.org").status_code == 422
    assert resident_client.get(f"/membres/{resident.public_id}").status_code == 404

    user = reload(resident)
    assert user.display_name == "Membre supprimé"
    assert "resident" not in user.email
    assert user.home_commune is None
    assert user.deleted_at is not None
    goodbye = outbox.last("resident@example.org")
    assert goodbye.subject == "Votre compte a été supprimé"
    assert "Bonjour Camille Résidente" in goodbye.text

    form = resident_client.get("/compte/inscription").get_data(as_text=True)
    started = re.search(r'name="started" type="hidden" value="([^"]+)"', form).group(1)
    again = resident_client.post(
        "/compte/inscription",
        data={
            "email": "resident@example.org",
            "display_name": "Camille de retour",
            "home_commune": "62498",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
            "accept_terms": "y",
            "started": started,
        },
    )
    assert again.status_code == 302
    newcomer = db.session.scalar(select(User).where(User.email == "resident@example.org"))
    assert newcomer.id != resident.id
    assert outbox.last("resident@example.org").subject == "Confirmez votre adresse e-mail"


def test_last_admin_cannot_delete_their_account(admin_client, admin, outbox):
    response = delete_account(admin_client)

    assert response.status_code == 403
    assert "Vous êtes le dernier administrateur : nommez-en un autre avant de partir." in text(
        response
    )
    user = reload(admin)
    assert user.deleted_at is None
    assert user.role == Role.ADMIN.value
    assert is_signed_in(admin_client)
    assert len(outbox) == 0


def test_an_admin_can_leave_when_another_remains(admin_client, admin):
    make_user(email="second-admin@example.org", role=Role.ADMIN)

    assert delete_account(admin_client).status_code == 302

    assert reload(admin).deleted_at is not None
