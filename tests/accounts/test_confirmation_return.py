"""After confirming their address, a new member is signed in and back where they started."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.accounts.test_registration import EMAIL, register
from tests.factories import PASSWORD, make_listing, make_user
from tests.fixtures.web import text

WELCOME = "Votre adresse e-mail est confirmée. Bienvenue, vous êtes connecté."
CONFIRMED = "Votre adresse e-mail est confirmée. Vous pouvez vous connecter."


def signed_in(client) -> bool:
    return client.get("/compte/").status_code == 200


def register_from(client, next_path: str | None) -> None:
    query = f"?next={quote(next_path, safe='')}" if next_path is not None else ""
    form = text(client.get(f"/compte/inscription{query}"))
    assert f'name="next" type="hidden" value="{next_path or ""}"' in form
    assert register(client, next=next_path or "").status_code == 302


def test_the_confirmation_link_signs_in_and_leads_back_to_the_listing(client, outbox):
    listing = make_listing(owner=make_user(), title="Trottinette")
    start = f"/annonces/{listing.id}"
    register_from(client, start)
    assert not signed_in(client)

    confirmed = client.get(outbox.last(EMAIL).link("/compte/confirmer/"))

    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == start
    page = text(client.get(start))
    assert WELCOME in page and "Trottinette" in page
    assert signed_in(client)


def test_the_login_page_passes_where_the_visitor_started_to_registration(client):
    page = client.get("/compte/connexion?next=/annonces/nouvelle").get_data(as_text=True)
    assert 'href="/compte/inscription?next=/annonces/nouvelle"' in page
    form = text(client.get("/compte/inscription?next=/annonces/nouvelle"))
    assert 'name="next" type="hidden" value="/annonces/nouvelle"' in form
    assert 'href="/compte/connexion?next=/annonces/nouvelle"' in form


@pytest.mark.parametrize(
    "hostile",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "\t//evil.example",
    ],
)
def test_an_external_next_is_refused_at_every_step(client, outbox, hostile):
    form = text(client.get(f"/compte/inscription?next={quote(hostile, safe='')}"))
    assert 'name="next" type="hidden" value=""' in form
    # Posted by hand past the form: dropped too
    assert register(client, next=hostile).status_code == 302

    confirmed = client.get(outbox.last(EMAIL).link("/compte/confirmer/"))

    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/"
    assert signed_in(client)


def test_a_confirmation_link_opened_again_does_not_sign_in(client, outbox):
    register_from(client, "/annonces")
    link = outbox.last(EMAIL).link("/compte/confirmer/")
    assert client.get(link).headers["Location"] == "/annonces"
    client.post("/compte/deconnexion")
    assert not signed_in(client)

    again = client.get(link)

    assert again.status_code == 302
    assert again.headers["Location"] == "/compte/connexion?next=/annonces"
    assert CONFIRMED in text(client.get(again.headers["Location"]))
    assert not signed_in(client)


def test_a_member_already_signed_in_stays_who_they_are(client, outbox, resident):
    register_from(client, None)
    link = outbox.last(EMAIL).link("/compte/confirmer/")
    client.post("/compte/connexion", data={"email": resident.email, "password": PASSWORD})
    assert signed_in(client)

    confirmed = client.get(link)

    assert confirmed.headers["Location"] == "/compte/connexion"
    account = text(client.get("/compte/"))
    assert resident.email in account and EMAIL not in account


def test_a_link_opened_in_another_browser_confirms_without_signing_in(app, client, outbox):
    register_from(client, "/annonces")
    other_browser = app.test_client()

    confirmed = other_browser.get(outbox.last(EMAIL).link("/compte/confirmer/"))

    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/compte/connexion?next=/annonces"
    assert CONFIRMED in text(other_browser.get(confirmed.headers["Location"]))
    assert not signed_in(other_browser)
    assert not signed_in(client)
