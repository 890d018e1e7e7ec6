"""The OpenAPI document validates; the documentation page shows every operation and schema, and
its « Essayer » forms work without JavaScript; the site links to it."""

from __future__ import annotations

import re
from html import unescape

from openapi_spec_validator import validate

from sportressources.api.views_docs import slug
from tests.factories import make_listing


def test_the_openapi_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, operation


def test_the_page_shows_every_operation_with_its_parameters_and_responses(client):
    document = client.get("/api/v1/openapi.json").get_json()
    response = client.get("/api/v1/documentation")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    found = list(operations(document))
    assert len(found) >= 14
    for method, path, operation in found:
        assert f"<code>{method} {path}</code>" in html
        for parameter in operation.get("parameters", []):
            assert f"<code>{parameter['name']}</code>" in html
        for status in operation["responses"]:
            if status != "default":
                assert f'<th scope="row">{status}</th>' in html
    for name in document["components"]["schemas"]:
        assert f'id="schema-{slug(name)}"' in html
    assert "application/problem+json" in html
    # Each GET operation has its « Essayer » form, every field labelled
    get_count = sum(1 for method, _path, _op in found if method == "GET")
    assert html.count(">Essayer</h4>") == get_count
    inputs = re.findall(r'<(?:input|select) [^>]*id="(try-[^"]+)"', html)
    for input_id in inputs:
        assert f'<label for="{input_id}">' in html
    # No inline script or style (CSP), its script from the site's own files
    assert "<script>" not in html and "style=" not in html
    assert 'src="/static/js/api-docs.js"' in html


def test_the_try_form_without_javascript_goes_to_the_operation(client):
    listing = make_listing()
    document = client.get("/api/v1/openapi.json").get_json()
    operation_id = next(
        f"get-{path}" for method, path, op in operations(document) if path.endswith("{listing_id}")
    )
    response = client.get(
        "/api/v1/documentation/essayer",
        query_string={"operation": operation_id, "listing_id": str(listing.id)},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/api/v1/listings/{listing.id}"
    response = client.get(
        "/api/v1/documentation/essayer",
        query_string={"operation": "get-/api/v1/listings", "sport": "football", "q": ""},
    )
    assert response.headers["Location"] == "/api/v1/listings?sport=football"
    answer = client.get(response.headers["Location"])
    assert [item["id"] for item in answer.get_json()["items"]] == [listing.id]


def test_an_unknown_operation_to_try_is_a_404(client):
    response = client.get("/api/v1/documentation/essayer?operation=get-/ailleurs")
    assert response.status_code == 404


def test_the_page_is_in_english_for_who_chose_english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"
    html = client.get("/api/v1/documentation").get_data(as_text=True)
    assert "API documentation" in html and ">Try it</h4>" in html


def test_the_api_index_the_footer_and_the_site_map_link_to_the_page(client):
    index = client.get("/api/v1/").get_json()
    assert index["documentation"] == "http://localhost/api/v1/documentation"
    for url in ("/", "/plan-du-site"):
        html = client.get(url).get_data(as_text=True)
        assert 'href="/api/v1/documentation"' in html
