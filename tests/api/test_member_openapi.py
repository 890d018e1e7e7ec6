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
