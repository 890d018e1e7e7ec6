"""Profile use cases: public name, home commune, language, and changing the email address (a
link to the new address, a notice to the current one). Functions flush and never commit."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.accounts.passwords import (
    verify_password,
)
from sportressources.accounts.services import (
    CHANGE_EMAIL,
    _check_commune,
    _check_display_name,
    _tell_owner_address_taken,
    find_user_by_email,
    normalise_email,
)
from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, ValidationFailed
from sportressources.core.mail import external_url, send_mail
from sportressources.core.text import fold
from sportressources.core.tokens import InvalidToken, fingerprint, make_token, read_token
from sportressources.geo.queries import communes_by_zone


def home_commune_options() -> list[tuple[str, list[tuple[str, str]]]]:
    """The commune picker's groups: the communes of each zone, by name."""
    return [
        (zone.short_name, [(commune.insee, commune.label) for commune in communes])
        for zone, communes in communes_by_zone()
    ]


def link_legacy_communes() -> str:
    """Turn home communes typed as free text (before the territory layer) into real communes.

    A name or postal code matching exactly one commune, accents and case aside, is linked;
    other values stay as typed, for the member to pick from the list.
    """
    pending = db.session.scalars(
        select(User).where(User.home_commune_legacy.is_not(None), User.home_commune_insee.is_(None))
    ).all()
    if not pending:
        return "aucune commune à relier"
    index: dict[str, set[str]] = {}
    for _zone, communes in communes_by_zone():
        for commune in communes:
            index.setdefault(fold(commune.name), set()).add(commune.insee)
            for code in commune.postal_code_list:
                index.setdefault(code, set()).add(commune.insee)
    linked = 0
    for user in pending:
        matches = index.get(fold(" ".join(user.home_commune_legacy.split())), set())
        if len(matches) == 1:
            user.home_commune_insee = matches.pop()
            user.home_commune_legacy = None
            linked += 1
    db.session.flush()
    return f"{linked} commune(s) reliée(s) sur {len(pending)}"


def update_profile(user: User, display_name: str, home_commune: str, locale: str) -> None:
    """Change the public name, home commune and language. Raises ValidationFailed."""
    user.display_name = _check_display_name(display_name)
    user.home_commune_insee = _check_commune(home_commune)
    user.home_commune_legacy = None
    set_locale(user, locale)
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    """Remember the language chosen by the user for pages and emails. Raises ValidationFailed."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed({"locale": _l("Langue inconnue.")})
    if user.locale != locale:
        user.locale = locale
        db.session.flush()


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Send a confirmation link to the new address and a notice to the current one.

    The address changes only when the link is followed. If the new address already has an account,
    the link is not sent; its owner is told instead, and the caller shows the same message.
    Raises ValidationFailed on ``password`` or ``new_email``.
    """
    if not verify_password(user.password_hash, password or ""):
        raise ValidationFailed({"password": _l("Le mot de passe est incorrect.")})
    email = normalise_email(new_email, field="new_email")
    if email == user.email:
        raise ValidationFailed({"new_email": _l("C’est déjà votre adresse actuelle.")})

    send_mail(
        user.email,
        _l("Demande de changement d’adresse e-mail"),
        "accounts/email_change_notice",
        locale=user.locale,
        user=user,
        new_email=email,
    )
    owner = find_user_by_email(email)
    if owner is not None:
        _tell_owner_address_taken(owner)
        return
    token = make_token(CHANGE_EMAIL, {"u": user.id, "e": email, "f": fingerprint(user.email)})
    send_mail(
        email,
        _l("Confirmez votre nouvelle adresse e-mail"),
        "accounts/confirm_new_email",
        locale=user.locale,
        user=user,
        confirm_url=external_url("accounts.confirm_email_change", token=token),
        max_age_hours=current_app.config["EMAIL_CHANGE_MAX_AGE"] // 3600,
    )


def confirm_email_change(token: str) -> User:
    """Switch the account to the address the link was sent to.

    Raises InvalidToken (forged, expired, already used) or Conflict if another account took the
    address meanwhile.
    """
    payload = read_token(CHANGE_EMAIL, token, current_app.config["EMAIL_CHANGE_MAX_AGE"])
    user = db.session.get(User, payload.get("u"))
    new_email = payload.get("e")
    if (
        user is None
        or user.is_deleted
        or not isinstance(new_email, str)
        or payload.get("f") != fingerprint(user.email)
    ):
        raise InvalidToken()
    if find_user_by_email(new_email) is not None:
        raise Conflict(_l("Cette adresse est déjà utilisée par un autre compte."))
    user.email = new_email
    user.email_confirmed_at = utcnow()
    db.session.flush()
    return user


# --- moderation ----------------------------------------------------------------------------------

NAME_RESET = "profile.reset_name"


def neutral_name(user: User) -> str:
    """The name a member gets when moderators remove theirs: « Membre n°42 »."""
    return f"Membre n°{user.id}"


def reset_display_name(actor, user: User, reason: str = "", details: dict | None = None) -> str:
    """Replace a member's public name by a neutral one (a moderator's decision; the caller
    checked that ``actor`` may). The old name is kept in the audit row's details, so that
    ``restore_display_name`` can put it back. Returns the old name."""
    old = user.display_name
    user.display_name = neutral_name(user)
    db.session.flush()
    record_entry(
        NAME_RESET,
        "user",
        user.id,
        actor=actor,
        reason=reason,
        details={**(details or {}), "display_name": old},
    )
    return old


def restore_display_name(actor, user: User, name: str, reason: str = "") -> bool:
    """Give a member back the name moderators removed (an appeal was granted), unless they chose
    another one since; recorded in the audit log. Returns whether the name was put back."""
    if user.display_name != neutral_name(user) or not name:
        return False
    user.display_name = name
    db.session.flush()
    record_entry(
        "profile.restore_name",
        "user",
        user.id,
        actor=actor,
        reason=reason,
        details={"display_name": name},
    )
    return True
