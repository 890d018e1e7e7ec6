"""The report form's POST is rate-limited per client address (Flask-Limiter), reading the form is
not, and another address is not slowed by the first."""

import uuid

import pytest

from tests.fixtures.web import text
from tests.moderation.reporting import all_reports, listing_by, report_form


@pytest.fixture
def app_overrides():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_KEY_PREFIX": f"sr62-test-{uuid.uuid4().hex}",
        "RATELIMIT_REPORT": "3 per minute",
        "TRUSTED_PROXIES": 1,
    }


def test_sending_reports_is_limited_per_address(client, owner):
    listing = listing_by(owner)
    path = f"/signaler/listing/{listing.id}"
    here = {"X-Forwarded-For": "198.51.100.7"}
    for _ in range(3):
        # Missing name and email: refused, but counted
        assert client.post(path, data=report_form(), headers=here).status_code == 422

    refused = client.post(path, data=report_form(visitor=True), headers=here)

    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Trop de tentatives" in text(refused)
    assert "Réessayez dans 1 minute" in text(refused)
    assert all_reports() == []
    assert client.get(path, headers=here).status_code == 200
    elsewhere = {"X-Forwarded-For": "198.51.100.8"}
    assert client.post(path, data=report_form(visitor=True), headers=elsewhere).status_code == 303
    assert len(all_reports()) == 1
