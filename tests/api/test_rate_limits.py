"""The API's rate limits: per token when a valid one comes, per client address otherwise, on the
memory store and on Redis; a refusal is problem JSON in French with Retry-After."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from flask import Config

from sportressources.config import PRODUCTION_RATE_LIMITS, load_config

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
STORAGES = [pytest.param("memory", id="memory")]
if REDIS_URL:
    STORAGES.append(pytest.param("redis", id="redis", marks=pytest.mark.redis))


@pytest.fixture(params=STORAGES)
def app_overrides(request):
    """Limits on, tiny, on each store; each test counts under its own key prefix."""
    prefix = f"sr62-test-{uuid.uuid4().hex}"
    storage = request.param
    yield {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URL if storage == "redis" else "memory://",
        "RATELIMIT_KEY_PREFIX": prefix,
        "API_RATELIMIT_TOKEN": "3 per minute",
        "API_RATELIMIT_ANONYMOUS": "2 per minute",
    }
    if storage == "redis":
        connection = redis.Redis.from_url(REDIS_URL)
        keys = list(connection.scan_iter(match=f"*{prefix}*"))
        for key in keys:
            connection.delete(key)
        connection.close()
        assert keys, "the limits were not counted in Redis"


def calls(client, url: str, count: int, headers: dict | None = None) -> list[int]:
    return [client.get(url, headers=headers or {}).status_code for _ in range(count)]


def test_a_token_has_its_own_budget_and_the_refusal_is_french_problem_json(
    client, probe, resident, bearer
):
    headers = bearer(resident, scope="read")

    assert calls(client, f"{probe}/lire", 3, headers) == [200, 200, 200]
    refused = client.get(f"{probe}/lire", headers=headers)

    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["code"] == "rate_limited"
    assert body["detail"] == (
        "Vous avez fait trop de demandes en peu de temps. Réessayez dans 1 minute."
    )
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_the_budget_of_a_token_is_shared_by_every_endpoint(client, probe, resident, bearer):
    headers = bearer(resident, scope="write")

    client.get(f"{probe}/lire", headers=headers)
    client.post(f"{probe}/ecrire", headers=headers)
    client.get(f"{probe}/public", headers=headers)

    assert client.get(f"{probe}/lire", headers=headers).status_code == 429


def test_two_tokens_of_one_member_count_separately(client, probe, resident, bearer):
    first, second = bearer(resident, scope="read"), bearer(resident, scope="read")

    assert calls(client, f"{probe}/lire", 3, first) == [200, 200, 200]
    assert client.get(f"{probe}/lire", headers=first).status_code == 429
    assert calls(client, f"{probe}/lire", 3, second) == [200, 200, 200]


def test_anonymous_calls_from_an_address_do_not_spend_a_tokens_budget(
    client, probe, resident, bearer
):
    headers = bearer(resident, scope="read")

    assert calls(client, f"{probe}/public", 3) == [200, 200, 429]
    assert calls(client, f"{probe}/lire", 3, headers) == [200, 200, 200]


def test_anonymous_calls_are_limited_per_address(client, probe):
    assert calls(client, f"{probe}/public", 2) == [200, 200]
    assert client.get(f"{probe}/public").status_code == 429

    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get(f"{probe}/public", environ_base=other).status_code == 200


def test_an_invalid_token_is_counted_as_anonymous(client, probe):
    bad = {"Authorization": "Bearer sr62_" + "x" * 43}

    assert calls(client, f"{probe}/lire", 2, bad) == [401, 401]
    assert client.get(f"{probe}/public").status_code == 429


def test_the_real_api_is_limited_too(client):
    assert calls(client, "/api/v1/", 2) == [200, 200]
    refused = client.get("/api/v1/")

    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"


def test_production_limits_are_strict_and_development_loose(tmp_path):
    def config_for(env: str) -> Config:
        config = Config(str(tmp_path))
        load_config(config, tmp_path, {"APP_ENV": env, "SECRET_KEY": "s" * 48})
        return config

    production, development = config_for("production"), config_for("development")
    for key in ("API_RATELIMIT_TOKEN", "API_RATELIMIT_ANONYMOUS"):
        assert production[key] == PRODUCTION_RATE_LIMITS[key]
        assert development[key] != PRODUCTION_RATE_LIMITS[key]
