"""Who may use their account. Pure predicates, used by services to enforce and templates to show.

Each takes an Actor or a user (``core.security.actor_of``).
"""

from __future__ import annotations

from datetime import datetime

from sportressources.core.db import utcnow
from sportressources.core.security import actor_of


def is_suspended(user, now: datetime | None = None) -> bool:
    """A moderation suspension is in force: its end (``suspended_until``) is still to come."""
    until = getattr(actor_of(user).user, "suspended_until", None)
    return until is not None and until > (now or utcnow())


def is_banned(user) -> bool:
    """The account was closed by a ban (an admin's decision, without end)."""
    return getattr(actor_of(user).user, "banned_at", None) is not None


def is_restricted(user, now: datetime | None = None) -> bool:
    """A suspended or banned member: cannot sign in, publish, write, borrow or request.

    A suspension whose end has passed no longer restricts anyone, even before the sanction is
    marked as ended (at the member's next sign-in, or by ``flask moderation end-sanctions``).
    """
    return is_banned(user) or is_suspended(user, now)
