"""« Accès à l’API » on the account page: creating a token (its secret shown once), listing and
revoking them, the limit per member, the audit rows, the export and who may do what."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sportressources.accounts import api_tokens
from sportressources.accounts.models import ApiToken, User
from sportressources.accounts.personal_data import export_personal_data
from sportressources.core.audit import AuditEntry
from sportressources.core.db import db, utcnow
from sportressources.core.errors import NotFound, ValidationFailed
from tests.concurrency import in_threads
from tests.factories import fresh
from tests.fixtures.web import sign_in

PAGE = "/compte/api"
SECRET = re.compile(r"sr62_[A-Za-z0-9_-]{43}")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def create(client, name="Site du club", scope="read", expiry="90"):
    return client.post(PAGE, data={"name": name, "scope": scope, "expiry": expiry})


def tokens_of(user) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))


# --- creating a token ---------------------------------------------------------------------------


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(resident_client, resident):
    response = create(resident_client, name="Site du club", scope="write", expiry="30")

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    secret = SECRET.search(page).group(0)
    assert "Copiez-le maintenant : il ne sera plus jamais affiché." in page
    assert "readonly" in page and 'id="secret-value"' in page
    (token,) = tokens_of(resident)
    assert token.name == "Site du club" and token.scope == "write"
    assert token.token_hash == api_tokens.hash_secret(secret)
    assert secret not in {token.token_hash, token.prefix} and secret.startswith(token.prefix)
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)

    again = text(resident_client.get(PAGE))
    assert secret not in again and not SECRET.search(again)
    assert "Site du club" in again and f"{token.prefix}…" in again
    with resident_client.session_transaction() as session:
        assert secret not in repr(dict(session))


def test_the_page_lists_each_token_with_its_scope_dates_and_state(resident_client, resident):
    create(resident_client, name="Lecture", scope="read", expiry="")
    create(resident_client, name="Écriture", scope="write", expiry="365")
    revoked, _secret = api_tokens.create_token(resident, name="Ancien", scope="read")
    revoked.revoked_at = utcnow()
    db.session.commit()

    response = resident_client.get(PAGE)

    assert response.status_code == 200
    page = text(response)
    assert "<caption>Mes jetons d’accès</caption>" in page
    for header in ("Nom", "Autorisation", "Créé le", "Expire le", "Dernière utilisation", "État"):
        assert f'<th scope="col">{header}</th>' in page
    assert "Lecture seule" in page and "Lecture et écriture" in page
    assert "Jamais utilisé" in page and "Révoqué" in page
    assert page.count(">Révoquer<span") == 2  # not on the revoked one
    assert 'href="/compte/api" aria-current="page"' in page


def test_the_form_is_accessible(resident_client):
    page = text(resident_client.get(PAGE))

    assert '<label for="name">Nom du jeton' in page
    assert "<legend>Autorisation" in page and "<legend>Expiration" in page
    assert '<input checked id="scope-0" name="scope" type="radio" value="read">' in page
    assert '<label for="scope-1">Lecture et écriture' in page


def test_a_missing_name_is_refused_on_its_field_and_nothing_is_created(resident_client, resident):
    response = create(resident_client, name="  ")

    assert response.status_code == 422
    page = text(response)
    assert "Donnez un nom à ce jeton, pour le reconnaître plus tard." in page
    assert 'href="#name"' in page and 'aria-describedby="name-hint name-error"' in page
    assert not SECRET.search(page)
    assert tokens_of(resident) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x" * 81}, "Le nom ne peut pas dépasser 80 caractères."),
        ({"scope": "admin"}, "Choisissez une des options proposées."),
        ({"expiry": "9999"}, "Choisissez une des options proposées."),
        ({"name": "<script>alert(1)</script>", "scope": "'; DROP TABLE api_tokens; --"}, "options"),
    ],
    ids=["long-name", "scope", "expiry", "malicious"],
)
def test_bad_input_gets_a_french_message_and_keeps_the_name(
    resident_client, resident, data, message
):
    response = resident_client.post(
        PAGE, data={"name": "Mon script", "scope": "read", "expiry": "90", **data}
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in html.unescape(page)
    assert "<script>alert(1)</script>" not in page
    assert tokens_of(resident) == []


def test_a_member_holds_at_most_the_configured_number_of_live_tokens(
    app, resident_client, resident
):
    app.config["API_TOKENS_MAX_PER_MEMBER"] = 2
    create(resident_client, name="Un")
    create(resident_client, name="Deux")

    refused = create(resident_client, name="Trois")

    assert refused.status_code == 422
    assert "Vous avez déjà 2 jetons actifs, le maximum" in text(refused)
    assert len(tokens_of(resident)) == 2
    first = tokens_of(resident)[0]
    api_tokens.revoke_token(resident, first.id)
    db.session.commit()
    assert create(resident_client, name="Trois").status_code == 201


def test_two_creations_at_once_never_go_over_the_limit(app, resident):
    app.config["API_TOKENS_MAX_PER_MEMBER"] = 1
    member_id = resident.id

    def create_one(name):
        def action():
            member = db.session.get(User, member_id)
            try:
                return api_tokens.create_token(member, name=name, scope="read")
            except ValidationFailed as error:
                return error

        return action

    results = in_threads(app, [create_one("Premier"), create_one("Second")])

    refused = [result for result in results if isinstance(result, ValidationFailed)]
    assert len(refused) == 1
    assert refused[0].code == "too_many_tokens"
    assert len(tokens_of(resident)) == 1


def test_expired_tokens_do_not_count_towards_the_limit(app, resident):
    app.config["API_TOKENS_MAX_PER_MEMBER"] = 1
    token, _secret = api_tokens.create_token(resident, name="Vieux", scope="read")
    token.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()

    api_tokens.create_token(resident, name="Neuf", scope="read")


def test_the_service_refuses_a_past_expiry_and_a_bad_scope(app, resident):
    with pytest.raises(ValidationFailed) as refused:
        api_tokens.create_token(
            resident, name="X", scope="tout", expires_at=utcnow() - timedelta(days=1)
        )
    assert set(refused.value.fields) == {"scope", "expires_at"}


def test_creation_and_revocation_leave_audit_rows(app, resident):
    token, _secret = api_tokens.create_token(resident, name="Audité", scope="write")
    api_tokens.revoke_token(resident, token.id)
    db.session.commit()

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == "api_token").order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.target_id, e.actor_id) for e in entries] == [
        ("api_token.create", token.id, resident.id),
        ("api_token.revoke", token.id, resident.id),
    ]
    assert entries[0].details["scope"] == "write"


# --- revoking -----------------------------------------------------------------------------------


def test_revoking_asks_first_then_revokes(resident_client, resident):
    token, _secret = api_tokens.create_token(resident, name="Site du club", scope="read")
    db.session.commit()
    url = f"/compte/api/{token.id}/revoquer"

    question = resident_client.post(url)

    assert question.status_code == 200
    assert "Révoquer le jeton « Site du club » ?" in text(question)
    assert "Oui, révoquer" in text(question)
    assert fresh(token).revoked_at is None

    done = resident_client.post(url, data={"confirmed": "yes"})

    assert done.status_code == 303 and done.headers["Location"].endswith(PAGE)
    assert fresh(token).revoked_at is not None
    assert "Le jeton « Site du club » est révoqué." in text(resident_client.get(PAGE))


def test_another_member_cannot_revoke_your_token(app, resident, other_resident):
    token, _secret = api_tokens.create_token(resident, name="À moi", scope="read")
    db.session.commit()
    intruder = sign_in(app.test_client(), other_resident)

    for data in ({}, {"confirmed": "yes"}):
        assert intruder.post(f"/compte/api/{token.id}/revoquer", data=data).status_code == 404
    assert fresh(token).revoked_at is None
    with pytest.raises(NotFound):
        api_tokens.revoke_token(other_resident, token.id)
    assert "À moi" not in text(intruder.get(PAGE))


def test_revoking_twice_is_a_not_found(app, resident):
    token, _secret = api_tokens.create_token(resident, name="Une fois", scope="read")
    api_tokens.revoke_token(resident, token.id)
    with pytest.raises(NotFound):
        api_tokens.revoke_token(resident, token.id)


def test_a_visitor_is_sent_to_sign_in(client, resident):
    token, _secret = api_tokens.create_token(resident, name="X", scope="read")
    db.session.commit()

    for response in (
        client.get(PAGE),
        create(client),
        client.post(f"/compte/api/{token.id}/revoquer", data={"confirmed": "yes"}),
    ):
        assert response.status_code == 302
        assert "/compte/connexion" in response.headers["Location"]
    assert tokens_of(resident) == [token] and fresh(token).revoked_at is None


def test_the_forms_need_a_csrf_token(app, resident_client, resident):
    token, _secret = api_tokens.create_token(resident, name="X", scope="read")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True

    assert create(resident_client, name="Sans jeton CSRF").status_code == 400
    revoke = resident_client.post(f"/compte/api/{token.id}/revoquer", data={"confirmed": "yes"})
    assert revoke.status_code == 400
    assert len(tokens_of(resident)) == 1 and fresh(token).revoked_at is None


# --- personal data ------------------------------------------------------------------------------


def test_the_export_lists_tokens_without_their_secret(app, resident):
    token, secret = api_tokens.create_token(resident, name="Exporté", scope="write")
    db.session.commit()

    exported = export_personal_data(resident)["api_tokens"]

    assert [entry["name"] for entry in exported] == ["Exporté"]
    assert exported[0]["scope"] == "write" and exported[0]["prefix"] == token.prefix
    assert secret not in repr(exported) and token.token_hash not in repr(exported)


def test_the_member_is_emailed_when_a_token_is_created(resident_client, resident, outbox):
    create(resident_client, name="Site du club", scope="write")

    mail = outbox.last(resident.email)
    assert mail.subject == "Un jeton d’accès à l’API a été créé sur votre compte"
    assert "« Site du club »" in mail.text and "lecture et écriture" in mail.text
    assert mail.link("/compte/api")
    assert not SECRET.search(mail.text)


def test_with_csrf_on_a_member_creates_and_revokes_through_the_pages(app, resident_client):
    app.config["WTF_CSRF_ENABLED"] = True

    def hidden(page: str, name: str) -> str:
        return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)

    page = text(resident_client.get(PAGE))
    created = resident_client.post(
        PAGE,
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "name": "Avec CSRF",
            "scope": "read",
            "expiry": "",
        },
    )
    assert created.status_code == 201
    page = text(created)
    (token_id,) = re.findall(r'action="/compte/api/(\d+)/revoquer"', page)

    url = f"/compte/api/{token_id}/revoquer"
    question = text(
        resident_client.post(url, data={"revoke-csrf_token": hidden(page, "revoke-csrf_token")})
    )
    confirm_token = re.search(r'name="revoke-csrf_token" value="([^"]+)"', question).group(1)
    done = resident_client.post(url, data={"revoke-csrf_token": confirm_token, "confirmed": "yes"})

    assert done.status_code == 303
    assert db.session.get(ApiToken, int(token_id)).revoked_at is not None
