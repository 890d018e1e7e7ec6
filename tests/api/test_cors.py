"""CORS: other sites' browsers may read the public endpoints and the OpenAPI document; nothing
else answers CORS (a member's endpoints, anything that writes, the pages)."""

from __future__ import annotations

import pytest
from flask_smorest import Blueprint

from sportressources.api.schemas import Schema, ma
from tests.fixtures.web import IsolatedClient

PARTNER = "https://www.mairie-lens.example"
ALLOW_ORIGIN = "Access-Control-Allow-Origin"


def preflight(client, url: str, method: str = "GET"):
    return client.options(url, headers={"Origin": PARTNER, "Access-Control-Request-Method": method})


@pytest.mark.parametrize(
    "url",
    ["/api/v1/", "/api/v1/listings?sport=football", "/api/v1/zones", "/api/v1/openapi.json"],
)
def test_a_partner_site_may_read_the_public_endpoints(client, url):
    response = client.get(url, headers={"Origin": PARTNER})
    assert response.status_code == 200
    assert response.headers[ALLOW_ORIGIN] in ("*", PARTNER)
    answer = preflight(client, url.split("?")[0])
    assert answer.headers[ALLOW_ORIGIN] in ("*", PARTNER)
    assert "GET" in answer.headers["Access-Control-Allow-Methods"]
    assert "POST" not in answer.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in answer.headers


def test_a_partner_reads_the_french_error_of_a_public_endpoint_too(client):
    response = client.get("/api/v1/listings?sport=curling", headers={"Origin": PARTNER})
    assert response.status_code == 422
    assert response.headers[ALLOW_ORIGIN] in ("*", PARTNER)


def test_only_the_configured_origins_are_allowed(app, client):
    app.config["API_CORS_ORIGINS"] = f"{PARTNER}, https://club.example"
    allowed = client.get("/api/v1/zones", headers={"Origin": PARTNER})
    assert allowed.headers[ALLOW_ORIGIN] == PARTNER
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/api/v1/zones", headers={"Origin": "https://ailleurs.example"})
    assert other.status_code == 200 and ALLOW_ORIGIN not in other.headers
    app.config["API_CORS_ORIGINS"] = ""
    assert ALLOW_ORIGIN not in client.get("/api/v1/zones", headers={"Origin": PARTNER}).headers


class Note(Schema):
    text = ma.fields.String(required=True)


@pytest.fixture
def app_with_a_write(app):
    """An operation that writes, registered like the member endpoints (not public)."""
    blueprint = Blueprint("api_test_notes", __name__)

    @blueprint.route("/notes", methods=["POST"])
    @blueprint.arguments(Note)
    @blueprint.response(201, Note)
    def write(data):
        return data

    api = app.extensions["flask-smorest"]["blp_name_to_api"]["api_public"]
    api.register_blueprint(blueprint, url_prefix="/api/v1")
    app.test_client_class = IsolatedClient
    return app


def test_what_writes_answers_no_cors(app_with_a_write):
    client = app_with_a_write.test_client()
    answer = preflight(client, "/api/v1/notes", "POST")
    assert ALLOW_ORIGIN not in answer.headers
    written = client.post("/api/v1/notes", json={"text": "x"}, headers={"Origin": PARTNER})
    assert written.status_code == 201 and ALLOW_ORIGIN not in written.headers
    # Nor a write attempted on a public address
    refused = client.post("/api/v1/zones", headers={"Origin": PARTNER})
    assert refused.status_code == 405 and ALLOW_ORIGIN not in refused.headers
    assert ALLOW_ORIGIN not in preflight(client, "/api/v1/zones", "POST").headers.get(
        "Access-Control-Allow-Methods", ""
    )


def test_member_endpoints_answer_no_cors(app, client):
    member_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api_member.")]
    for rule in member_rules:
        url = rule.rule.replace("<", "").replace(">", "")
        for response in (preflight(client, url), client.get(url, headers={"Origin": PARTNER})):
            assert ALLOW_ORIGIN not in response.headers, rule.rule


def test_the_pages_and_the_documentation_answer_no_cors(client):
    for url in ("/api/v1/documentation", "/annonces", "/"):
        assert ALLOW_ORIGIN not in client.get(url, headers={"Origin": PARTNER}).headers
