"""Registration, email confirmation and resending the confirmation link, through the web pages."""

from __future__ import annotations

import html
import re
import threading
import time
from html.parser import HTMLParser

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from sportressources.accounts import personal_data
from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.security import Role
from tests.factories import make_user

EMAIL = "lea.martin@example.org"
NAME = "Léa Martin"
COMMUNE = "62510"  # Liévin
PASSWORD = "des crampons pour la course"
CHECK_INBOX = "Vérifiez votre boîte mail"


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._current = self.forms.setdefault(attributes.get("action") or "", {})
        elif tag == "input" and self._current is not None and attributes.get("name"):
            self._current.setdefault(attributes["name"], attributes.get("value") or "")
        elif tag == "select" and self._current is not None and attributes.get("name"):
            self._select = attributes["name"]
            self._current.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self._current[self._select] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def form_values(response, action: str = "/compte/inscription") -> dict[str, str]:
    """The values the form posting to ``action`` would send, as the page shows them."""
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    return parser.forms[action]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str:
    match = re.search(
        rf'<p class="field-error" id="{field_id}-error">(.*?)</p>',
        response.get_data(as_text=True),
        re.S,
    )
    return html.unescape(match.group(1)) if match else ""


def started_value(client) -> str:
    response = client.get("/compte/inscription")
    assert response.status_code == 200
    return form_values(response)["started"]


def registration(client, **overrides) -> dict:
    """The registration form as a person fills it; a value of None leaves the field out."""
    data = {
        "email": EMAIL,
        "display_name": NAME,
        "home_commune": COMMUNE,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "accept_terms": "y",
        "website": "",
    }
    data.update(overrides)
    if "started" not in overrides:
        data["started"] = started_value(client)
    return {name: value for name, value in data.items() if value is not None}


def register(client, **overrides):
    return client.post("/compte/inscription", data=registration(client, **overrides))


def accounts_with(email: str) -> list[User]:
    return list(db.session.scalars(select(User).where(func.lower(User.email) == email.lower())))


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def log_in(client, email: str = EMAIL, password: str = PASSWORD):
    return client.post("/compte/connexion", data={"email": email, "password": password})


# --- success --------------------------------------------------------------------------------------


def test_register_creates_unconfirmed_resident_and_emails_a_link_that_confirms(client, outbox):
    response = register(client, email="  Lea.Martin@Example.ORG ", display_name="  Léa   Martin ")

    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/inscription/merci"
    assert CHECK_INBOX in text(client.get("/compte/inscription/merci"))
    [user] = accounts_with(EMAIL)
    assert user.email == EMAIL
    assert user.display_name == NAME
    assert user.home_commune_insee == COMMUNE
    assert user.role == Role.RESIDENT.value
    assert not user.is_confirmed
    assert user.terms_accepted_at is not None
    assert user.password_hash != PASSWORD

    mail = outbox.last(EMAIL)
    assert mail.subject == "Confirmez votre adresse e-mail"
    assert "Bonjour Léa Martin" in mail.text
    link = mail.link("/compte/confirmer/")
    assert link.startswith("http://localhost/compte/confirmer/")

    assert log_in(client).status_code == 403

    confirmed = client.get(link)
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/"
    home = text(client.get("/"))
    assert "Votre adresse e-mail est confirmée. Bienvenue, vous êtes connecté." in home
    assert "Se déconnecter" in home
    assert db.session.get(User, user.id).is_confirmed


def test_register_with_an_address_already_used_creates_nothing_and_tells_its_owner(
    client, outbox, resident
):
    newcomer = register(client, email="brand.new@example.org")
    duplicate = register(client, email="  RESIDENT@Example.org")

    assert duplicate.status_code == newcomer.status_code == 302
    assert duplicate.headers["Location"] == newcomer.headers["Location"]
    assert CHECK_INBOX in text(client.get(duplicate.headers["Location"]))
    [owner] = accounts_with("resident@example.org")
    assert owner.id == resident.id
    assert owner.display_name == "Camille Résidente"
    assert log_in(client, "resident@example.org", PASSWORD).status_code == 422

    mail = outbox.last("resident@example.org")
    assert mail.subject == "Une inscription a été tentée avec votre adresse"
    assert "aucun nouveau compte n’a été créé" in mail.text
    assert not [link for link in mail.links if "/compte/confirmer/" in link]
    assert len(outbox.to("resident@example.org")) == 1


# --- refused input --------------------------------------------------------------------------------

TOO_SHORT = "Le mot de passe doit contenir au moins 10 caractères."
TOO_COMMON = "Ce mot de passe est trop courant ou trop simple : choisissez-en un autre."
PERSONAL = "Le mot de passe ne doit pas reprendre votre adresse e-mail ni votre nom."
BAD_NAME = "Le nom ne peut contenir ni @, ni < ou >, et doit avoir des lettres."


def typed_twice(password: str) -> dict:
    return {"password": password, "password_confirm": password}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "lea.martin.example.org"}, "email", "Cette adresse e-mail n’est pas valide"),
        ({"email": "lea@martin@example.org"}, "email", "Cette adresse e-mail n’est pas valide"),
        ({"email": "a" * 243 + "@example.org"}, "email", "Cette adresse e-mail est trop longue."),
        ({"email": ""}, "email", "Indiquez une adresse e-mail."),
        ({"email": None}, "email", "Indiquez une adresse e-mail."),
        ({"display_name": ""}, "display_name", "Indiquez un nom."),
        ({"display_name": "L"}, "display_name", "Indiquez un nom d’au moins 2 caractères."),
        ({"display_name": "L" * 61}, "display_name", "Le nom ne peut pas dépasser 60 caractères."),
        ({"display_name": "<script>alert(1)</script>"}, "display_name", BAD_NAME),
        ({"display_name": "lea@example.org"}, "display_name", BAD_NAME),
        ({"display_name": "1234"}, "display_name", BAD_NAME),
        ({"home_commune": ""}, "home_commune", "Indiquez votre commune."),
        ({"home_commune": "75056"}, "home_commune", "Choisissez une valeur dans la liste."),
        (typed_twice(""), "password", "Indiquez un mot de passe."),
        (typed_twice("court"), "password", TOO_SHORT),
        (typed_twice("motdepasse123"), "password", TOO_COMMON),
        (typed_twice("MotDePasse123"), "password", TOO_COMMON),
        (typed_twice("aaaaaaaaaaaaaa"), "password", TOO_COMMON),
        (typed_twice("lea.martin2024"), "password", PERSONAL),
        (typed_twice("LéaMartin!2024"), "password", PERSONAL),
        (typed_twice("Léa Martin 2024"), "password", PERSONAL),
        (
            typed_twice("x" * 257),
            "password",
            "Le mot de passe ne peut pas dépasser 256 caractères.",
        ),
        (
            {"password_confirm": "des crampons pour la corse"},
            "password_confirm",
            "Les deux mots de passe ne sont pas identiques.",
        ),
        (
            {"accept_terms": None},
            "accept_terms",
            "Vous devez accepter les conditions d’utilisation.",
        ),
    ],
)
def test_register_refuses_invalid_input_and_keeps_what_was_typed(
    client, outbox, overrides, field, message
):
    data = registration(client, **overrides)

    response = client.post("/compte/inscription", data=data)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert "Le formulaire contient" in text(response)
    values = form_values(response)
    for kept in ("email", "display_name", "home_commune"):
        if kept == field == "home_commune" and data[kept]:
            continue  # a commune not in the list cannot be shown selected; the list stays
        assert values[kept] == data.get(kept, "")
    assert values["password"] == ""
    assert user_count() == 0
    assert len(outbox) == 0


def test_register_never_echoes_markup_typed_in_the_name(client):
    response = register(client, display_name="<script>alert(1)</script>")

    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert form_values(response)["display_name"] == "<script>alert(1)</script>"


def test_register_accepts_html_special_characters_and_the_profile_shows_them_escaped(
    client, outbox
):
    name = 'Zoé & "Léa"'
    assert register(client, display_name=name).status_code == 302
    [user] = accounts_with(EMAIL)
    assert user.display_name == name
    client.get(outbox.last(EMAIL).link("/compte/confirmer/"))

    profile = client.get(f"/membres/{user.public_id}")

    assert profile.status_code == 200
    raw = profile.get_data(as_text=True)
    assert name not in raw
    assert "Zoé &amp; &#34;Léa&#34;" in raw
    assert f"<h1>{name}</h1>" in text(profile)


def test_register_refuses_a_filled_honeypot(client, outbox):
    response = register(client, website="https://spam.example")

    assert response.status_code == 422
    assert "Ce formulaire semble rempli par un robot" in text(response)
    assert form_values(response)["email"] == EMAIL
    assert user_count() == 0
    assert len(outbox) == 0


def test_register_refuses_a_form_sent_faster_than_a_person_can(app, client, outbox):
    app.config["REGISTRATION_MIN_SECONDS"] = 30
    data = registration(client)

    response = client.post("/compte/inscription", data=data)

    assert response.status_code == 422
    page = text(response)
    assert "Le formulaire a été envoyé trop vite pour un humain" in page
    assert "Started" not in page
    values = form_values(response)
    assert [values[name] for name in ("email", "display_name", "home_commune")] == [
        EMAIL,
        NAME,
        COMMUNE,
    ]
    # The page keeps the time it was first shown, so sending it again later succeeds.
    assert values["started"] == data["started"]
    assert user_count() == 0
    assert len(outbox) == 0


@pytest.mark.parametrize("started", ["", "1700000000.0", "forged.signature"])
def test_register_refuses_a_missing_or_forged_start_time_then_accepts_the_new_form(client, started):
    response = register(client, started=started)

    assert response.status_code == 422
    assert "Le formulaire n’a pas pu être vérifié. Relisez-le puis renvoyez-le." in text(response)
    assert user_count() == 0
    values = form_values(response)
    assert values["email"] == EMAIL
    again = client.post("/compte/inscription", data=registration(client, started=values["started"]))
    assert again.status_code == 302
    assert len(accounts_with(EMAIL)) == 1


def test_register_refuses_a_start_time_taken_from_another_signed_value(client):
    genuine = started_value(client)
    payload, signature = genuine.rsplit(".", 1)
    forged = f"{payload}.{signature[::-1]}"

    response = register(client, started=forged)

    assert response.status_code == 422
    assert user_count() == 0


def test_simultaneous_registrations_with_one_address_create_one_account(app, client, outbox):
    threads_count = 8
    started = started_value(client)
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []
    failures: list[BaseException] = []

    def register_once(number: int) -> None:
        try:
            with app.app_context():
                own_client = app.test_client()
                data = registration(client, display_name=f"Inscrit {number}", started=started)
                barrier.wait(timeout=10)
                statuses.append(own_client.post("/compte/inscription", data=data).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=register_once, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    assert sorted(statuses) == [302] * threads_count
    db.session.rollback()
    assert len(accounts_with(EMAIL)) == 1
    subjects = sorted(mail.subject for mail in outbox.to(EMAIL))
    assert subjects.count("Confirmez votre adresse e-mail") == 1
    assert subjects.count("Une inscription a été tentée avec votre adresse") == threads_count - 1


# --- confirmation link ----------------------------------------------------------------------------


def registered_link(client, outbox) -> str:
    assert register(client).status_code == 302
    return outbox.last(EMAIL).link("/compte/confirmer/")


def test_confirmation_link_that_was_tampered_with_is_refused(client, outbox):
    link = registered_link(client, outbox)
    token = link.rsplit("/", 1)[1]
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]

    response = client.get(f"/compte/confirmer/{tampered}")

    assert response.status_code == 400
    page = text(response)
    assert "Ce lien n’est pas valide ou a déjà servi. Demandez-en un nouveau." in page
    assert 'href="/compte/renvoyer-confirmation"' in response.get_data(as_text=True)
    assert not accounts_with(EMAIL)[0].is_confirmed


def test_expired_confirmation_link_says_so(client, outbox, monkeypatch):
    issued_at = int(time.time()) - 49 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: issued_at)
        link = registered_link(client, outbox)

    response = client.get(link)

    assert response.status_code == 400
    assert "Ce lien a expiré. Demandez-en un nouveau." in text(response)
    assert not accounts_with(EMAIL)[0].is_confirmed


def test_confirmation_link_of_a_deleted_account_is_invalid(client, outbox):
    link = registered_link(client, outbox)
    [user] = accounts_with(EMAIL)
    personal_data.delete_account(user, PASSWORD)
    db.session.commit()

    response = client.get(link)

    assert response.status_code == 400
    assert "Ce lien n’est pas valide ou a déjà servi" in text(response)
    assert not db.session.get(User, user.id).is_confirmed


def test_confirming_twice_is_harmless(client, outbox):
    link = registered_link(client, outbox)
    assert client.get(link).status_code == 302
    [user] = accounts_with(EMAIL)
    first_confirmation = user.email_confirmed_at

    client.post("/compte/deconnexion")  # the first opening signed the new member in

    again = client.get(link)

    assert again.status_code == 302
    assert again.headers["Location"] == "/compte/connexion"
    assert db.session.get(User, user.id).email_confirmed_at == first_confirmation
    assert log_in(client).status_code == 302


def test_confirming_while_signed_in_leads_to_the_account_page(client, outbox):
    link = registered_link(client, outbox)
    assert client.get(link).status_code == 302
    assert log_in(client).status_code == 302

    assert client.get(link).headers["Location"] == "/compte/"


# --- resending the link ---------------------------------------------------------------------------

RESENT = "Si un compte non confirmé utilise cette adresse, un nouveau lien vient d’y être envoyé."


def test_resend_confirmation_says_the_same_thing_for_every_address_and_mails_only_the_unconfirmed(
    client, outbox, resident
):
    waiting = make_user(email="waiting@example.org", confirmed=False)
    pages = {}
    for address in ("nobody@example.org", "resident@example.org", "WAITING@example.org"):
        response = client.post("/compte/renvoyer-confirmation", data={"email": address})
        assert response.status_code == 302
        assert response.headers["Location"] == "/compte/connexion"
        pages[address] = text(client.get("/compte/connexion"))
        assert RESENT in pages[address]

    assert [mail.to for mail in outbox.messages()] == ["waiting@example.org"]
    assert (
        client.get(outbox.last("waiting@example.org").link("/compte/confirmer/")).status_code == 302
    )
    assert db.session.get(User, waiting.id).is_confirmed


def test_resend_confirmation_asks_for_an_address(client, outbox):
    response = client.post("/compte/renvoyer-confirmation", data={"email": ""})

    assert response.status_code == 422
    assert "Indiquez une adresse e-mail." in field_error(response, "email")
    assert len(outbox) == 0


def test_thank_you_page_offers_to_resend_to_the_address_just_typed(client):
    register(client, email=" Lea.Martin@example.org ")

    response = client.get("/compte/inscription/merci")

    assert (
        form_values(response, "/compte/renvoyer-confirmation")["email"] == "Lea.Martin@example.org"
    )
