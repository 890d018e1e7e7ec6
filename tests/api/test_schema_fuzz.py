"""Property-based run of schemathesis against the live API, anonymous and with a token.

For every operation of the generated OpenAPI document, schemathesis makes requests from the
schema (valid and invalid inputs) to a real server over HTTP and checks each answer: never a 5xx,
and the status, content type, headers and body are those the document declares. The run is bounded
(a fixed number of examples per operation, derandomised so that CI is repeatable).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fixtures.browser import LiveServer

EXAMPLES = 25

# What a partner would trip over: a server error, an answer the document does not describe, a
# request the document calls invalid that the API accepts anyway, an operation said to need a token
# that answers without one.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_server(app):
    with LiveServer(app) as server:
        app.config["SITE_URL"] = server.url
        yield server


def load_schema(server):
    return schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json")


def operations(schema) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    assert found, "the OpenAPI document lists no operation"
    return found


def fuzz(operation, base_url: str, headers: dict[str, str]) -> None:
    @FUZZ_SETTINGS
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    run()


def test_the_openapi_document_validates(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_anonymous_calls_never_fail_and_always_match_the_document(api_server):
    schema = load_schema(api_server)
    for operation in operations(schema):
        fuzz(operation, api_server.url, {})


def test_calls_with_a_token_never_fail_and_always_match_the_document(api_server, bearer, resident):
    schema = load_schema(api_server)
    headers = bearer(resident, scope="write")
    for operation in operations(schema):
        fuzz(operation, api_server.url, headers)
