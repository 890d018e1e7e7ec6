"""The second-life pages: what the owner and the ressourcerie see, who gets 404, and what wrong
or hostile input gets."""

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.secondlife import services
from sportressources.secondlife.models import Suggestion
from tests.factories import add_member, committed, fresh, make_organisation, make_user
from tests.fixtures.web import sign_in, text


def follow(client, response):
    """The page a POST redirected to (the isolated client cannot follow redirects itself)."""
    assert response.status_code == 303, response.status_code
    return client.get(response.headers["Location"])


def offered(suggestion, owner, ressourcerie):
    committed(services.offer_to_ressourcerie(owner, suggestion, ressourcerie.id))
    return fresh(suggestion)


def test_my_space_shows_the_suggestion_with_a_link(client, owner, suggested):
    sign_in(client, owner)
    page = text(client.get("/mon-espace"))
    assert "Une seconde vie pour votre matériel" in page
    assert f"/seconde-vie/{suggested.id}" in page
    assert "Vélo enfant 20 pouces" in text(client.get("/seconde-vie"))


def test_my_space_has_no_section_without_suggestion(client, owner):
    sign_in(client, owner)
    assert "Une seconde vie pour votre matériel" not in text(client.get("/mon-espace"))


def test_the_owner_sees_the_choices(client, owner, suggested, ressourcerie):
    sign_in(client, owner)
    response = client.get(f"/seconde-vie/{suggested.id}")
    page = text(response)
    assert response.status_code == 200
    for words in ("Donner", "Proposer à une ressourcerie", "Ne plus me le suggérer"):
        assert words in page
    assert "Ressourcerie démo de l’Artois" in page
    assert "Suggéré pour une seconde vie" in page


def test_strangers_get_404_everywhere(client, client_for, suggested, ressourcerie):
    stranger = client_for(make_user())
    base = f"/seconde-vie/{suggested.id}"
    assert stranger.get(base).status_code == 404
    for action in ("proposer", "donner", "ignorer", "accepter", "refuser"):
        assert stranger.post(f"{base}/{action}", data={"reason": "x"}).status_code == 404
    assert stranger.get(f"/seconde-vie/ressourcerie/{ressourcerie.slug}").status_code == 404
    assert client.get(base).status_code == 302  # a visitor is sent to sign in
    assert fresh(suggested).status == "suggested"


def test_the_owner_offers_through_the_form(client, owner, suggested, ressourcerie):
    sign_in(client, owner)
    response = follow(
        client,
        client.post(
            f"/seconde-vie/{suggested.id}/proposer", data={"organisation": str(ressourcerie.id)}
        ),
    )
    page = text(response)
    assert "Votre proposition est envoyée à la ressourcerie." in page
    assert "Proposé à Ressourcerie démo de l’Artois" in page


@pytest.mark.parametrize("value", ["", "999999", "abc", "<script>alert(1)</script>", "1 OR 1=1"])
def test_an_unlisted_organisation_is_refused_by_the_form(client, owner, suggested, value):
    sign_in(client, owner)
    response = client.post(f"/seconde-vie/{suggested.id}/proposer", data={"organisation": value})
    assert response.status_code == 422
    assert "<script>alert(1)" not in response.get_data(as_text=True)
    assert fresh(suggested).status == "suggested"


def test_a_club_is_not_a_ressourcerie(client, owner, suggested):
    club = make_organisation(kind="club")
    sign_in(client, owner)
    response = client.post(
        f"/seconde-vie/{suggested.id}/proposer", data={"organisation": str(club.id)}
    )
    assert response.status_code == 422
    assert "Choisissez une valeur dans la liste." in text(response)


def test_the_owner_dismisses(client, owner, suggested):
    sign_in(client, owner)
    response = follow(client, client.post(f"/seconde-vie/{suggested.id}/ignorer"))
    assert "C’est noté : nous ne vous le suggérerons plus." in text(response)
    assert fresh(suggested).status == "dismissed"
    again = follow(client, client.post(f"/seconde-vie/{suggested.id}/ignorer"))
    assert "Cette suggestion a déjà reçu une réponse" in text(again)


def test_the_owner_donates(client, owner, suggested):
    sign_in(client, owner)
    response = follow(client, client.post(f"/seconde-vie/{suggested.id}/donner"))
    assert "Votre annonce deviendra un don dès que l’équipe l’aura relue." in text(response)
    assert fresh(suggested).status == "donated"


def test_the_ressourcerie_filters_and_accepts(
    client, owner, suggested, ressourcerie, volunteer, gift_item
):
    offered(suggested, owner, ressourcerie)
    sign_in(client, volunteer)
    listing_url = f"/seconde-vie/ressourcerie/{ressourcerie.slug}"
    assert "Vélo enfant 20 pouces" in text(client.get(listing_url))
    assert "Vélo enfant 20 pouces" in text(client.get(f"{listing_url}?category=velos"))
    assert "Vélo enfant 20 pouces" not in text(client.get(f"{listing_url}?category=chaussures"))
    assert "Vélo enfant 20 pouces" in text(client.get(f"{listing_url}?commune=62498"))
    # A value outside the lists filters nothing and breaks nothing
    hostile = client.get(f"{listing_url}?commune=%27%3B--&category=<b>")
    assert hostile.status_code == 200 and "Vélo enfant 20 pouces" in text(hostile)
    response = follow(client, client.post(f"/seconde-vie/{suggested.id}/accepter"))
    assert "Objet accepté : convenez de la collecte avec son propriétaire." in text(response)
    page = text(client.get(f"/seconde-vie/{suggested.id}"))
    assert "Accepté par Ressourcerie démo de l’Artois" in page


def test_the_organisation_page_links_its_members_to_the_offers(
    client, client_for, owner, suggested, ressourcerie, volunteer
):
    offered(suggested, owner, ressourcerie)
    sign_in(client, volunteer)
    page = text(client.get(f"/organisations/{ressourcerie.slug}"))
    assert "1 objet attend votre réponse." in page
    as_owner = client_for(owner)
    assert "Objets proposés à la ressourcerie" not in text(
        as_owner.get(f"/organisations/{ressourcerie.slug}")
    )


@pytest.mark.parametrize(
    "reason, message",
    [
        ("", "Dites au propriétaire pourquoi, en une phrase."),
        ("x" * 501, "Ce texte ne peut pas dépasser 500 caractères."),
    ],
)
def test_a_decline_without_a_short_reason_is_refused(
    client, owner, suggested, ressourcerie, volunteer, reason, message
):
    offered(suggested, owner, ressourcerie)
    sign_in(client, volunteer)
    response = client.post(f"/seconde-vie/{suggested.id}/refuser", data={"reason": reason})
    assert response.status_code == 422 and message in text(response)
    assert fresh(suggested).status == "offered"


def test_a_decline_reason_is_shown_escaped(
    client, client_for, owner, suggested, ressourcerie, volunteer
):
    offered(suggested, owner, ressourcerie)
    sign_in(client, volunteer)
    response = follow(
        client,
        client.post(
            f"/seconde-vie/{suggested.id}/refuser",
            data={"reason": "<script>alert(1)</script> Trop de vélos"},
        ),
    )
    assert "Refus envoyé au propriétaire." in text(response)
    html = client_for(owner).get(f"/seconde-vie/{suggested.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Trop de vélos" in html
    assert "<script>alert(1)" not in html


def test_members_of_another_ressourcerie_get_404(client, owner, suggested, ressourcerie):
    other = make_organisation(kind="ressourcerie", siret="73282932000082")
    outsider = add_member(other)
    offered(suggested, owner, ressourcerie)
    sign_in(client, outsider)
    assert client.get(f"/seconde-vie/{suggested.id}").status_code == 404
    assert client.post(f"/seconde-vie/{suggested.id}/accepter").status_code == 404


def test_the_owner_cannot_accept_their_own_offer(client, owner, suggested, ressourcerie):
    offered(suggested, owner, ressourcerie)
    sign_in(client, owner)
    assert client.post(f"/seconde-vie/{suggested.id}/accepter").status_code == 404


def test_a_post_without_csrf_token_is_refused(app, client, owner, suggested):
    sign_in(client, owner)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/seconde-vie/{suggested.id}/ignorer")
    assert response.status_code == 400 and "Formulaire expiré" in text(response)
    db.session.rollback()
    assert db.session.scalar(select(Suggestion.status)) == "suggested"


def test_the_second_life_pages_are_valid_html(
    app, client_for, tmp_path, owner, suggested, ressourcerie, volunteer
):
    from tests.test_html_validity import nu_errors

    as_owner, as_member = client_for(owner), client_for(volunteer)
    pages = {
        "index": as_owner.get("/seconde-vie"),
        "my-space": as_owner.get("/mon-espace"),
        "choose": as_owner.get(f"/seconde-vie/{suggested.id}"),
        "choose-refused": as_owner.post(
            f"/seconde-vie/{suggested.id}/proposer", data={"organisation": "x"}
        ),
    }
    offered(suggested, owner, ressourcerie)
    pages["answer"] = as_member.get(f"/seconde-vie/{suggested.id}")
    pages["answer-refused"] = as_member.post(
        f"/seconde-vie/{suggested.id}/refuser", data={"reason": ""}
    )
    pages["offers"] = as_member.get(f"/seconde-vie/ressourcerie/{ressourcerie.slug}")
    pages["organisation"] = as_member.get(f"/organisations/{ressourcerie.slug}")
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 422), name
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.get_data())
        files.append(file)
    errors = [
        f"{e.get('url')} line {e.get('lastLine')}: {e.get('message')}" for e in nu_errors(files)
    ]
    assert not errors, "\n".join(errors)
