"""What a suspension or a ban stops a member from doing: signing in and, belt and braces (their
sessions are ended when the sanction starts), every service through which a member acts on
others: publishing, writing, borrowing, requesting.

Moderation decides sanctions; accounts read only the account's marks (``users.suspended_until``,
``users.banned_at``) and ask, through ``core.signals.account_restriction_requested``, for the
reason to show and for the end of a suspension whose period is over. Functions flush, never
commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import LazyString, format_date, gettext

from sportressources.accounts.policies import is_banned, is_restricted
from sportressources.core.dates import PARIS
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Forbidden
from sportressources.core.security import actor_of
from sportressources.core.signals import account_restriction_requested


@dataclass(frozen=True)
class Restriction:
    """A sanction in force on an account, as the sign-in page explains it."""

    kind: str  # "suspension" or "ban"
    until: datetime | None = None  # the end of a suspension
    reason: str = ""
    statement_url: str | None = None  # the statement of reasons, with how to contest it


def until_label(moment: datetime) -> str:
    """The end of a suspension as people say it: « 15 mars 2027 inclus » when it ends at
    midnight (Paris time), else « 15 mars 2027 à 14:30 »."""
    local = moment.astimezone(PARIS)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        last_day = local.date() - timedelta(days=1)
        return gettext("%(date)s inclus", date=format_date(last_day, "long"))
    return gettext(
        "%(date)s à %(time)s", date=format_date(local.date(), "long"), time=local.strftime("%H:%M")
    )


def describe(restriction: Restriction) -> str:
    """What the member reads when signing in is refused: the sanction, until when, and why."""
    if restriction.kind == "ban":
        state = gettext("Votre compte a été fermé par l’équipe de modération.")
    elif restriction.until is not None:
        state = gettext(
            "Votre compte est suspendu par l’équipe de modération jusqu’au %(until)s.",
            until=until_label(restriction.until),
        )
    else:
        state = gettext("Votre compte est suspendu par l’équipe de modération.")
    if not restriction.reason:
        return state
    return gettext("%(state)s Motif : %(reason)s", state=state, reason=restriction.reason)


class AccountRestricted(Forbidden):
    """Signing in is refused: the account is suspended or closed by a sanction."""

    code = "account_restricted"

    def __init__(self, restriction: Restriction):
        self.restriction = restriction
        super().__init__(describe(restriction))


def _marks(user) -> Restriction:
    if is_banned(user):
        return Restriction("ban")
    return Restriction("suspension", until=user.suspended_until)


def check_sign_in(user, now: datetime | None = None) -> None:
    """Let ``user`` sign in unless a suspension or a ban is in force.

    A suspension whose end has passed is over: the sanction is ended now (by the receivers of
    ``account_restriction_requested``) and the account is free again. Raises AccountRestricted,
    with the reason and the end given by the receivers, for a sanction still in force.
    """
    now = now or utcnow()
    if user.banned_at is None and user.suspended_until is None:
        return
    answers = [
        answer
        for _receiver, answer in account_restriction_requested.send(user, now=now)
        if answer is not None
    ]
    if user.suspended_until is not None and user.suspended_until <= now:
        user.suspended_until = None  # over, whether or not a receiver cleared it
        db.session.flush()
    if is_restricted(user, now):
        raise AccountRestricted(answers[0] if answers else _marks(user))


def sign_in_allowed(user, now: datetime | None = None) -> bool:
    """Whether ``user`` may sign in now: ``check_sign_in`` (which ends a lapsed suspension) that
    answers instead of raising, for a sign-in the member did not ask for."""
    try:
        check_sign_in(user, now)
    except AccountRestricted:
        return False
    return True


def require_unrestricted(actor, doing: str | LazyString, now: datetime | None = None) -> None:
    """Refuse an action to a suspended or banned member; ``doing`` names it after « vous ne
    pouvez pas » (« publier une annonce »). Raises Forbidden."""
    user = actor_of(actor).user
    if not is_restricted(user, now):
        return
    if is_banned(user):
        message = gettext(
            "Votre compte a été fermé par l’équipe de modération : vous ne pouvez plus %(doing)s.",
            doing=doing,
        )
    else:
        message = gettext(
            "Votre compte est suspendu jusqu’au %(until)s : vous ne pouvez pas %(doing)s.",
            until=until_label(user.suspended_until),
            doing=doing,
        )
    raise Forbidden(message, code="account_restricted")
