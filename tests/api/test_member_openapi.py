"""The member operations in the OpenAPI document: there, valid, and bounded as the forms are."""

from openapi_spec_validator import validate

MEMBER_OPERATIONS = {
    ("/api/v1/me", "get"),
    ("/api/v1/me/listings", "get"),
    ("/api/v1/me/listings", "post"),
    ("/api/v1/me/listings/{listing_id}", "patch"),
    ("/api/v1/me/listings/{listing_id}/photos", "post"),
    ("/api/v1/me/listings/{listing_id}/withdraw", "post"),
    ("/api/v1/me/loans", "get"),
    ("/api/v1/listings/{listing_id}/loans", "post"),
    ("/api/v1/loans/{loan_id}/accept", "post"),
    ("/api/v1/loans/{loan_id}/decline", "post"),
    ("/api/v1/me/conversations", "get"),
    ("/api/v1/conversations/{conversation_id}", "get"),
    ("/api/v1/conversations/{conversation_id}/messages", "post"),
}


def test_the_member_operations_are_documented_with_the_forms_limits(app, client):
    spec = client.get("/api/v1/openapi.json").json

    validate(spec)
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert not MEMBER_OPERATIONS - documented, MEMBER_OPERATIONS - documented
    for path, method in MEMBER_OPERATIONS:
        assert spec["paths"][path][method]["summary"], (path, method)
    listing = spec["components"]["schemas"]["ListingCreate"]["properties"]
    assert listing["title"]["maxLength"] == 120 and listing["brand"]["maxLength"] == 60
    assert listing["safety_age_years"]["maximum"] == 50
    assert "loan" in listing["kind"]["enum"] and "football" in listing["sport"]["enum"]
    loan = spec["components"]["schemas"]["LoanRequest"]["properties"]
    assert loan["message"]["maxLength"] == 1000


def test_the_member_answers_match_the_document(app, client, bearer):
    import io
    from datetime import timedelta

    import schemathesis

    from sportressources.messaging import services as messaging
    from sportressources.trade.loans import terms
    from sportressources.trade.loans.availability import paris_today
    from tests.factories import committed, make_listing, make_user
    from tests.listings.helpers import jpeg_bytes

    lender, borrower = make_user(), make_user()
    bike = make_listing(owner=lender, kind="loan", category="velos", size='20"')
    committed(terms.set_terms(lender, bike, 1, 7, None))
    conversation = committed(messaging.start_conversation(borrower, bike))
    schema = schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").json)
    day = paris_today()
    as_lender, as_borrower = bearer(lender), bearer(borrower)

    def check(method: str, template: str, path: str, headers: dict, **kwargs) -> dict:
        response = client.open(path, method=method.upper(), headers=headers, **kwargs)
        assert response.status_code < 300, (path, response.get_data(as_text=True)[:500])
        schema[template][method].validate_response(response)
        return response.json

    check("get", "/api/v1/me", "/api/v1/me", as_borrower)
    loan = check(
        "post",
        "/api/v1/listings/{listing_id}/loans",
        f"/api/v1/listings/{bike.id}/loans",
        as_borrower,
        json={"start_date": str(day + timedelta(2)), "end_date": str(day + timedelta(3))},
    )
    check("post", "/api/v1/loans/{loan_id}/accept", f"/api/v1/loans/{loan['id']}/accept", as_lender)
    check("get", "/api/v1/me/loans", "/api/v1/me/loans", as_lender)
    other = check(
        "post",
        "/api/v1/listings/{listing_id}/loans",
        f"/api/v1/listings/{bike.id}/loans",
        as_borrower,
        json={"start_date": str(day + timedelta(5)), "end_date": str(day + timedelta(6))},
    )
    check(
        "post",
        "/api/v1/loans/{loan_id}/decline",
        f"/api/v1/loans/{other['id']}/decline",
        as_lender,
        json={"reason": "Non."},
    )
    check(
        "post",
        "/api/v1/conversations/{conversation_id}/messages",
        f"/api/v1/conversations/{conversation.id}/messages",
        as_borrower,
        json={"body": "Bonjour !"},
    )
    check("get", "/api/v1/me/conversations", "/api/v1/me/conversations", as_lender)
    check(
        "get",
        "/api/v1/conversations/{conversation_id}",
        f"/api/v1/conversations/{conversation.id}",
        as_lender,
    )
    mine = check(
        "post",
        "/api/v1/me/listings",
        "/api/v1/me/listings",
        as_lender,
        json={
            "kind": "sale",
            "title": "Raquette de tennis junior",
            "sport": "tennis",
            "category": "autre",
            "age_group": "u13",
            "condition": "good",
            "commune": "62498",
            "price": 5,
            "new_price": 30,
            "draft": True,
        },
    )
    check(
        "post",
        "/api/v1/me/listings/{listing_id}/photos",
        f"/api/v1/me/listings/{mine['id']}/photos",
        as_lender,
        data={"photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")]},
    )
    url = f"/api/v1/me/listings/{mine['id']}"
    check("patch", "/api/v1/me/listings/{listing_id}", url, as_lender, json={})
    check("get", "/api/v1/me/listings", "/api/v1/me/listings", as_lender)
    check("post", "/api/v1/me/listings/{listing_id}/withdraw", f"{url}/withdraw", as_lender)
