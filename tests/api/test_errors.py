"""Every error under /api/ is problem JSON (RFC 9457) with a French message: validation, unknown
path, wrong method, malformed JSON, oversized body, rate limit, server error; and the document
describes them as such."""

from __future__ import annotations

import pytest
from flask_smorest import Blueprint

from sportressources.api.errors import problems
from sportressources.api.schemas import Length, Range, Schema, ma
from tests.fixtures.web import IsolatedClient

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "errors"}


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) == PROBLEM_FIELDS
    assert body["status"] == status and body["code"] == code and body["type"] == "about:blank"
    return body


class TrialBooking(Schema):
    title = ma.fields.String(required=True, validate=Length(min=3, max=120))
    days = ma.fields.Integer(required=True, validate=Range(min=1, max=30))
    insured = ma.fields.Boolean()


@pytest.fixture
def app_with_a_write(app):
    """An operation that reads a JSON body, and one that fails, as the member endpoints may."""
    blueprint = Blueprint("api_test_write", __name__)

    @blueprint.route("/essai", methods=["POST"])
    @blueprint.arguments(TrialBooking)
    @blueprint.response(201, TrialBooking)
    @problems(400, 413, 429)
    def write(data):
        return data

    @blueprint.route("/panne")
    @blueprint.response(200, TrialBooking)
    def broken():
        raise RuntimeError("unexpected")

    api = app.extensions["flask-smorest"]["blp_name_to_api"]["api_public"]
    api.register_blueprint(blueprint, url_prefix="/api/v1")
    app.test_client_class = IsolatedClient
    return app


def test_unknown_path_under_api_is_a_french_404(client):
    body = assert_problem(client.get("/api/v1/nulle-part"), 404, "not_found")
    assert body["detail"].startswith("Cette adresse ne correspond à aucune ressource de l’API.")
    assert_problem(client.get("/api/autre-version"), 404, "not_found")


def test_the_pages_keep_their_html_error_pages(client):
    response = client.get("/page-qui-n-existe-pas")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_wrong_method_is_a_405_naming_the_accepted_ones(client):
    response = client.delete("/api/v1/zones")
    body = assert_problem(response, 405, "method_not_allowed")
    assert "DELETE" in body["detail"] and "GET" in body["detail"]
    assert "GET" in response.headers["Allow"]


def test_schema_errors_are_french_per_field(app_with_a_write):
    client = app_with_a_write.test_client()
    response = client.post("/api/v1/essai", json={"title": "x", "days": 99, "colour": "rouge"})
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"] == {
        "title": ["Indiquez entre 3 et 120 caractères."],
        "days": ["Indiquez un nombre entre 1 et 30."],
        "colour": ["Ce champ n’est pas attendu."],
    }
    assert body["detail"] == "Certaines informations sont à corriger."
    body = assert_problem(client.post("/api/v1/essai", json={}), 422, "validation_failed")
    assert body["errors"] == {
        "title": ["Ce champ est obligatoire."],
        "days": ["Ce champ est obligatoire."],
    }
    wrong_types = {"title": 12, "days": "trois", "insured": "peut-être"}
    body = assert_problem(client.post("/api/v1/essai", json=wrong_types), 422, "validation_failed")
    assert body["errors"] == {
        "title": ["Indiquez un texte."],
        "days": ["Indiquez un nombre entier."],
        "insured": ["Indiquez vrai ou faux (true ou false)."],
    }
    body = assert_problem(client.post("/api/v1/essai", json=[1, 2]), 422, "validation_failed")
    assert body["detail"] == "Le corps de la requête doit être un objet JSON."


def test_the_same_errors_in_english_for_a_caller_who_chose_english(app_with_a_write):
    client = app_with_a_write.test_client()
    with client.session_transaction() as session:
        session["locale"] = "en"
    response = client.post("/api/v1/essai", json={"days": 0})
    body = response.get_json()
    assert body["errors"]["title"] == ["This field is required."]
    assert body["errors"]["days"] == ["Enter a number between 1 and 30."]


def test_malformed_json_is_a_french_400(app_with_a_write):
    client = app_with_a_write.test_client()
    response = client.post(
        "/api/v1/essai", data="{pas du json", headers={"Content-Type": "application/json"}
    )
    body = assert_problem(response, 400, "invalid_json")
    assert body["detail"] == "Le corps de la requête n’est pas un JSON valide."


def test_json_nested_too_deep_is_a_french_400_not_a_server_error(app_with_a_write, bearer):
    client = app_with_a_write.test_client()
    deep = "[" * 50_000 + "]" * 50_000
    for path in ("/api/v1/essai", "/api/v1/me/listings"):
        response = client.post(path, data=deep, headers={"Content-Type": "application/json"})
        body = assert_problem(response, 400, "invalid_json")
        assert body["detail"] == "Le corps de la requête est imbriqué trop profondément."


def test_every_validator_of_the_api_speaks_french():
    """marshmallow's own validators answer in English: the API's schemas use ours."""
    import inspect

    import marshmallow as ma

    from sportressources.api import schemas_member, schemas_public, schemas_public_more

    def fields_of(field):
        yield field
        inner = getattr(field, "inner", None)
        if inner is not None:
            yield from fields_of(inner)

    english = []
    for module in (schemas_member, schemas_public, schemas_public_more):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, ma.Schema) or cls.__module__ != module.__name__:
                continue
            for field_name, declared in cls._declared_fields.items():
                for field in fields_of(declared):
                    for validator in field.validators:
                        if type(validator).__module__ == "marshmallow.validate":
                            english.append(f"{name}.{field_name}: {type(validator).__name__}")
    assert not english, english


def test_an_oversized_body_is_a_french_413(app_with_a_write):
    app_with_a_write.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    client = app_with_a_write.test_client()
    response = client.post("/api/v1/essai", json={"title": "x" * (2 * 1024 * 1024), "days": 1})
    body = assert_problem(response, 413, "payload_too_large")
    assert "trop lourds (1 Mo au plus en tout)" in body["detail"]


def test_an_unexpected_failure_is_a_french_500(app_with_a_write):
    app_with_a_write.config["PROPAGATE_EXCEPTIONS"] = False
    response = app_with_a_write.test_client().get("/api/v1/panne")
    body = assert_problem(response, 500, "server_error")
    assert body["title"] == "Erreur du serveur"
    assert "unexpected" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "app_overrides", [{"RATELIMIT_ENABLED": True, "API_RATELIMIT_ANONYMOUS": "2 per minute"}]
)
def test_too_many_requests_is_a_429_with_retry_after(client):
    statuses = [client.get("/api/v1/zones").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/zones")
    body = assert_problem(response, 429, "rate_limited")
    assert body["detail"].startswith("Vous avez fait trop de demandes en peu de temps.")
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_the_document_describes_errors_as_problem_json(app_with_a_write, client):
    document = app_with_a_write.test_client().get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert "Error" not in schemas
    assert set(schemas["Problem"]["required"]) == PROBLEM_FIELDS
    responses = document["components"]["responses"]
    for response in responses.values():
        assert list(response["content"]) == ["application/problem+json"]
    write = document["paths"]["/api/v1/essai"]["post"]["responses"]
    # Declared by problems(400, 413, 429), by the arguments (422) and for any other error
    assert {"400", "413", "422", "default"} <= set(write)
    assert write["413"] == {"$ref": "#/components/responses/REQUEST_ENTITY_TOO_LARGE"}
    assert "Retry-After" in responses["TOO_MANY_REQUESTS"]["headers"]
