"""GET /api/v1/me: who the token's member is, nothing private."""

from tests.factories import make_user


def test_me_gives_the_public_name_commune_and_locale(app, client, bearer):
    member = make_user(display_name="Zoé Coureuse", locale="en")

    response = client.get("/api/v1/me", headers=bearer(member))

    assert response.status_code == 200
    assert response.json == {
        "public_id": member.public_id,
        "name": "Zoé Coureuse",
        "commune": {"insee": "62498", "name": "Lens"},
        "locale": "en",
    }
    body = response.get_data(as_text=True)
    assert member.email not in body and "password" not in body and "argon" not in body


def test_me_without_a_token_is_401_problem_json(app, client, bearer):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401


def test_a_signed_in_cookie_does_not_authenticate_the_api(app, client, bearer):
    from tests.fixtures.web import sign_in

    member = make_user()
    sign_in(client, member)

    assert client.get("/api/v1/me").status_code == 401
