"""Property-based run of schemathesis against the live API, anonymous and with a token.

For every operation of the generated OpenAPI document, schemathesis makes requests from the
schema (valid and invalid inputs) to a real server over HTTP and checks each answer: never a 5xx,
and the status, content type, headers and body are those the document declares. The run is bounded
(a fixed number of examples per operation, derandomised so that CI is repeatable).
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
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
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.drives.models import Drive
from sportressources.events.models import Event
from sportressources.listings.models import Listing
from sportressources.messaging.models import Conversation
from sportressources.organisations.models import Organisation
from sportressources.trade.loans.models import Loan
from sportressources.venues.models import Venue
from tests.fixtures.browser import LiveServer
from tests.site_tour import build_tour

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
def world(app):
    """The site tour's small world: listings of each kind, a loan request, a conversation, an
    organisation with a drive and an event, a venue."""
    return build_tour()


@pytest.fixture
def api_server(app, world):
    with LiveServer(app) as server:
        app.config["SITE_URL"] = server.url
        yield server


def load_schema(server):
    return schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json")


def operations(schema) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    assert found, "the OpenAPI document lists no operation"
    return found


def known_values() -> dict[str, list]:
    """Ids and slugs of the world's rows, by the name of the path parameter that takes them (a
    slug by the collection it names), so that the run reaches existing objects, not only 404s."""
    slugs = {
        "venues": [venue.slug for venue in db.session.scalars(select(Venue))],
        "organisations": [org.slug for org in db.session.scalars(select(Organisation))],
        "events": [event.slug for event in db.session.scalars(select(Event))],
    }
    return {
        "listing_id": list(db.session.scalars(select(Listing.id))),
        "loan_id": list(db.session.scalars(select(Loan.id))),
        "conversation_id": list(db.session.scalars(select(Conversation.id))),
        "drive_id": list(db.session.scalars(select(Drive.id))),
        **{f"slug:{collection}": values for collection, values in slugs.items()},
    }


def fuzz(operation, base_url: str, headers: dict[str, str], known: dict) -> Counter:
    """Run the bounded property-based test of one operation; the statuses it got, counted.

    Each path parameter takes either the generated value or, as often, an existing row's."""
    statuses: Counter = Counter()
    collection = operation.path.removeprefix("/api/v1/").split("/")[0]

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(), data=st.data())
    def run(case, data):
        for name in list(case.path_parameters or {}):
            choices = known.get(f"slug:{collection}" if name == "slug" else name)
            if choices and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(choices))
        response = case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
        statuses[response.status_code] += 1

    run()
    return statuses


def test_the_openapi_document_validates(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_anonymous_calls_never_fail_and_always_match_the_document(api_server):
    schema = load_schema(api_server)
    known = known_values()
    seen = {op.label: fuzz(op, api_server.url, {}, known) for op in operations(schema)}
    # The run reached the data, and the member's operations refused the caller without a token
    assert 200 in seen["GET /api/v1/listings"]
    assert 200 in seen["GET /api/v1/listings/{listing_id}"]
    assert set(seen["GET /api/v1/me"]) == {401}


def test_calls_with_a_token_never_fail_and_always_match_the_document(api_server, bearer, world):
    """As the lender of the world (owner of listings, a loan request to answer, a conversation,
    an organisation), with a read-and-write token."""
    schema = load_schema(api_server)
    headers = bearer(world.members["lender"], scope="write")
    known = known_values()
    seen = {op.label: fuzz(op, api_server.url, headers, known) for op in operations(schema)}
    # The token was accepted, and the run reached the member's own objects
    assert set(seen["GET /api/v1/me"]) == {200}
    assert 200 in seen["GET /api/v1/conversations/{conversation_id}"]
