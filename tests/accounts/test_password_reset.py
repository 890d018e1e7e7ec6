"""Forgotten password: the emailed link, choosing a new password, what it changes."""

from __future__ import annotations

import html
import re
import time

import pytest
from itsdangerous.timed import TimestampSigner

from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from tests.factories import PASSWORD, make_user
from tests.fixtures.web import sign_in

NEW_PASSWORD = "un ballon tout neuf pour le club"
SENT = (
    "Si un compte utilise cette adresse, un lien pour choisir un nouveau mot de passe vient d’y "
    "être envoyé. Il est valable 60 minutes."
)
INVALID = "Ce lien n’est pas valide ou a déjà servi. Demandez-en un nouveau."


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str:
    match = re.search(
        rf'<p class="field-error" id="{field_id}-error">(.*?)</p>',
        response.get_data(as_text=True),
        re.S,
    )
    return html.unescape(match.group(1)) if match else ""


def log_in(client, email: str, password: str):
    return client.post("/compte/connexion", data={"email": email, "password": password})


def is_signed_in(client) -> bool:
    return client.get("/compte/").status_code == 200


def request_reset(client, email: str, **kwargs):
    return client.post("/compte/mot-de-passe-oublie", data={"email": email}, **kwargs)


def reset_link(client, outbox, email: str) -> str:
    assert request_reset(client, email).status_code == 302
    return outbox.last(email).link("/compte/reinitialiser/")


def choose(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(
        link,
        data={"password": password, "password_confirm": password if confirm is None else confirm},
    )


# --- asking for a link ----------------------------------------------------------------------------


def test_known_address_receives_a_reset_link(client, outbox, resident):
    response = request_reset(client, "  Resident@Example.org ")

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/connexion"
    assert SENT in text(client.get("/compte/connexion"))
    mail = outbox.last("resident@example.org")
    assert mail.subject == "Réinitialisation de votre mot de passe"
    assert "valable 60 minutes" in mail.text
    assert mail.link("/compte/reinitialiser/").startswith("http://localhost/compte/reinitialiser/")


def test_unknown_address_gets_the_same_message_and_a_note_that_no_account_uses_it(
    client, outbox, resident
):
    response = request_reset(client, "nobody@example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/connexion"
    assert SENT in text(client.get("/compte/connexion"))
    # One email on both paths, so that the time taken does not tell the address is unknown
    mail = outbox.last("nobody@example.org")
    assert mail.subject == "Réinitialisation de mot de passe demandée"
    assert "aucun compte ne l’utilise" in mail.text
    assert not [link for link in mail.links if "/compte/reinitialiser/" in link]
    assert len(outbox) == 1


def test_malformed_address_gets_the_same_message_and_no_email(client, outbox, resident):
    response = request_reset(client, "pas une adresse")

    assert response.status_code == 302
    assert SENT in text(client.get("/compte/connexion"))
    assert len(outbox) == 0


def test_deleted_account_gets_no_reset_link(client, outbox):
    make_user(email="gone@example.org", deleted_at=utcnow())

    request_reset(client, "gone@example.org")

    assert not [link for m in outbox.messages() for link in m.links if "reinitialiser/" in link]


def test_reset_request_asks_for_an_address(client, outbox):
    response = request_reset(client, "")

    assert response.status_code == 422
    assert "Indiquez une adresse e-mail." in field_error(response, "email")


def test_forged_host_header_does_not_change_the_link(client, outbox, resident):
    response = request_reset(client, resident.email, headers={"Host": "evil.example"})

    assert response.status_code == 302
    mail = outbox.last(resident.email)
    assert "evil.example" not in mail.text
    assert mail.link("/compte/reinitialiser/").startswith("http://localhost/")


# --- using the link -------------------------------------------------------------------------------


def test_reset_link_sets_a_new_password_once(app, client, outbox, resident):
    link = reset_link(client, outbox, resident.email)
    form = client.get(link)
    assert form.status_code == 200
    assert "Choisir un nouveau mot de passe" in text(form)

    response = choose(client, link)

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/connexion"
    assert "Votre mot de passe est modifié. Connectez-vous avec le nouveau." in text(
        client.get("/compte/connexion")
    )
    assert outbox.last(resident.email).subject == "Votre mot de passe a été modifié"
    assert log_in(client, resident.email, PASSWORD).status_code == 422
    assert log_in(client, resident.email, NEW_PASSWORD).status_code == 302

    reused = client.get(link)
    assert reused.status_code == 400
    assert INVALID in text(reused)
    again = choose(app.test_client(), link, "encore un autre mot de passe")
    assert again.status_code == 400
    assert log_in(app.test_client(), resident.email, NEW_PASSWORD).status_code == 302


def test_expired_reset_link_says_so(client, outbox, resident, monkeypatch):
    issued_at = int(time.time()) - 3601
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: issued_at)
        link = reset_link(client, outbox, resident.email)

    shown = client.get(link)
    posted = choose(client, link)

    assert shown.status_code == posted.status_code == 400
    assert "Ce lien a expiré. Demandez-en un nouveau." in text(shown)
    assert 'href="/compte/mot-de-passe-oublie"' in shown.get_data(as_text=True)
    assert log_in(client, resident.email, PASSWORD).status_code == 302


def test_reset_link_that_was_tampered_with_is_refused(client, outbox, resident):
    link = reset_link(client, outbox, resident.email)

    response = client.get(link[:-3] + ("xyz" if not link.endswith("xyz") else "abc"))

    assert response.status_code == 400
    assert INVALID in text(response)


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("court", None, "password", "Le mot de passe doit contenir au moins 10 caractères."),
        ("motdepasse123", None, "password", "Ce mot de passe est trop courant ou trop simple"),
        (
            "resident2024!",
            None,
            "password",
            "ne doit pas reprendre votre adresse e-mail ni votre nom",
        ),
        ("", None, "password", "Indiquez un mot de passe."),
        (
            NEW_PASSWORD,
            "un ballon tout neuf pour le clan",
            "password_confirm",
            "Les deux mots de passe ne sont pas identiques.",
        ),
    ],
)
def test_reset_refuses_a_weak_or_mistyped_password_and_keeps_the_link_usable(
    client, outbox, resident, password, confirm, field, message
):
    link = reset_link(client, outbox, resident.email)

    response = choose(client, link, password, confirm)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert log_in(client, resident.email, PASSWORD).status_code == 302
    assert client.get(link).status_code == 200


def test_reset_signs_out_every_other_session(app, client, outbox, resident):
    elsewhere = sign_in(app.test_client(), resident)
    here = sign_in(app.test_client(), resident)
    link = reset_link(client, outbox, resident.email)

    assert choose(here, link).status_code == 302

    assert not is_signed_in(here)
    response = elsewhere.get("/compte/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/compte/connexion?next=")


def test_reset_confirms_an_unconfirmed_address(client, outbox):
    waiting = make_user(email="waiting@example.org", confirmed=False)
    link = reset_link(client, outbox, "waiting@example.org")

    assert choose(client, link).status_code == 302

    assert db.session.get(User, waiting.id).is_confirmed
    assert log_in(client, "waiting@example.org", NEW_PASSWORD).status_code == 302
