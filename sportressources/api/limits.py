"""Rate limits of the API: per token when a valid one comes, per client address otherwise.

Every API blueprint shares the two budgets (one count per token across the whole API, one per
address for calls without a valid token), read from API_RATELIMIT_TOKEN and
API_RATELIMIT_ANONYMOUS when each request comes, and stored where RATELIMIT_STORAGE_URI says
(Redis in production). Two tokens of one member count separately, and anonymous calls from an
address never spend a token's budget. A refusal is a 429 problem JSON in French with
Retry-After (``core.errorpages``).
"""

from __future__ import annotations

from flask import Blueprint
from flask_limiter.util import get_remote_address

from sportressources.api.auth import current_token_id
from sportressources.core.web import limit
from sportressources.extensions import limiter

# Module-level, so that applying the limits again (each app of a process, as in the tests,
# registers the same blueprint objects) adds equal limits, which the limiter keeps once
_TOKEN_LIMIT = limit("API_RATELIMIT_TOKEN")
_ANONYMOUS_LIMIT = limit("API_RATELIMIT_ANONYMOUS")


def _token_key() -> str:
    return f"token:{current_token_id()}"


def _has_token() -> bool:
    return current_token_id() is not None


def _has_no_token() -> bool:
    return current_token_id() is None


def apply(blueprint: Blueprint) -> None:
    """Put the API's two limits on ``blueprint`` (whichever applies to each request)."""
    limiter.shared_limit(
        _TOKEN_LIMIT,
        scope="api-token",
        key_func=_token_key,
        exempt_when=_has_no_token,
    )(blueprint)
    limiter.shared_limit(
        _ANONYMOUS_LIMIT,
        scope="api-anonymous",
        key_func=get_remote_address,
        exempt_when=_has_token,
    )(blueprint)
