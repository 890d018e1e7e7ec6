"""Account use cases: registration, confirmation, sign-in, passwords, administration (the profile
and email change are in ``profile``, the RGPD rights in ``personal_data``).

Every function here flushes and never commits: the view or CLI command that calls it commits once.
Messages never tell whether an email address has an account.
"""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sportressources.accounts.models import User
from sportressources.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from sportressources.accounts.restrictions import check_sign_in
from sportressources.accounts.sessions import revoke_all_sessions
from sportressources.core.db import db, utcnow
from sportressources.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from sportressources.core.mail import external_url, send_mail
from sportressources.core.security import Role
from sportressources.core.text import clean_line
from sportressources.core.tokens import InvalidToken, fingerprint, make_token, read_token
from sportressources.geo.models import Commune

CONFIRM = "confirm-email"
RESET = "reset-password"
CHANGE_EMAIL = "change-email"

DELETED_NAME = "Membre supprimé"
OUTSIDE_TERRITORY = "hors-territoire"


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    default_message = _l("Adresse e-mail ou mot de passe incorrect.")


class EmailNotConfirmed(DomainError):
    code = "email_not_confirmed"
    status = 403
    default_message = _l(
        "Votre adresse e-mail n’est pas encore confirmée. Cliquez sur le lien reçu par e-mail, "
        "ou demandez un nouveau lien."
    )


@dataclass(frozen=True)
class Registration:
    email: str
    display_name: str
    password: str
    home_commune: str  # an INSEE code, or OUTSIDE_TERRITORY
    locale: str = "fr"
    next_path: str = ""  # a local path checked by the caller: where the confirmation leads back
    browser: str = ""  # a random value the registering browser keeps: only it is signed in


@dataclass(frozen=True)
class Confirmation:
    """What following a confirmation link did: ``first`` if this link confirmed the address
    (not an earlier one), the local path the member registered from, if any, and the value the
    registering browser keeps (so that a link sent to someone else never signs them in)."""

    user: User
    first: bool
    next_path: str = ""
    browser: str = ""


# --- lookups -------------------------------------------------------------------------------------


def normalise_email(raw: str, field: str = "email") -> str:
    """The stored form of an address: validated, IDNA-normalised, lower case.

    Raises ValidationFailed naming ``field`` when the address is malformed.
    """
    raw = (raw or "").strip()
    if not raw:
        raise ValidationFailed({field: _l("Indiquez une adresse e-mail.")})
    if len(raw) > 254:
        raise ValidationFailed({field: _l("Cette adresse e-mail est trop longue.")})
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(
            {field: _l("Cette adresse e-mail n’est pas valide (exemple : prenom.nom@exemple.fr).")}
        ) from exc
    return checked.normalized.lower()


def find_user_by_email(email: str) -> User | None:
    """The live (not deleted) account with this address, compared case-insensitively."""
    try:
        normalised = normalise_email(email)
    except ValidationFailed:
        return None
    return db.session.scalar(
        select(User).where(User.email == normalised, User.deleted_at.is_(None))
    )


def get_public_profile(public_id: str) -> User:
    """A member's public profile, found by its opaque ``public_id`` (never the integer id, so that
    members cannot be listed by counting); raises NotFound for unknown, deleted or unconfirmed
    accounts."""
    user = db.session.scalar(select(User).where(User.public_id == public_id))
    if user is None or user.is_deleted or not user.is_confirmed:
        raise NotFound(_l("Ce membre n’existe pas ou a supprimé son compte."))
    return user


# --- registration and confirmation ----------------------------------------------------------------


def _check_display_name(name: str) -> str:
    name = clean_line(name)
    if len(name) < 2:
        raise ValidationFailed({"display_name": _l("Indiquez un nom d’au moins 2 caractères.")})
    if len(name) > 60:
        raise ValidationFailed({"display_name": _l("Le nom ne peut pas dépasser 60 caractères.")})
    if any(ch in name for ch in "<>@") or not any(ch.isalpha() for ch in name):
        raise ValidationFailed(
            {
                "display_name": _l(
                    "Le nom ne peut contenir ni @, ni < ou >, et doit avoir des lettres."
                )
            }
        )
    return name


def _check_commune(value: str) -> str | None:
    """The INSEE code of a commune of the territory, or None for someone living outside it."""
    value = (value or "").strip()
    if value == OUTSIDE_TERRITORY:
        return None
    if not value:
        raise ValidationFailed({"home_commune": _l("Indiquez votre commune.")})
    if db.session.get(Commune, value) is None:
        raise ValidationFailed(
            {
                "home_commune": _l(
                    "Choisissez votre commune dans la liste, ou « Hors du territoire »."
                )
            }
        )
    return value


def _check_password(password: str, email: str, display_name: str, field: str = "password") -> None:
    problem = password_problem(password, email, display_name)
    if problem is not None:
        raise ValidationFailed({field: problem})


def register_user(data: Registration) -> User | None:
    """Create an unconfirmed resident account and email the confirmation link.

    If the address already has an account, nothing is created: that account's owner gets an email
    saying so, and the caller shows the same message as for a new account (no account enumeration).
    Raises ValidationFailed for a malformed address, a weak password, a bad name or commune.
    """
    email = normalise_email(data.email)
    display_name = _check_display_name(data.display_name)
    home_commune = _check_commune(data.home_commune)
    _check_password(data.password, email, display_name)

    # Hashed on both paths, so that the time taken does not tell whether the address is known
    password_hash = hash_password(data.password)
    existing = find_user_by_email(email)
    if existing is not None:
        _tell_owner_address_taken(existing)
        return None

    now = utcnow()
    user = User(
        email=email,
        display_name=display_name,
        password_hash=password_hash,
        home_commune_insee=home_commune,
        locale=data.locale if data.locale in current_app.config["LANGUAGES"] else "fr",
        role=Role.RESIDENT.value,
        terms_accepted_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        # A simultaneous registration took the address between our check and our insert.
        existing = find_user_by_email(email)
        if existing is not None:
            _tell_owner_address_taken(existing)
        return None
    send_confirmation(user, data.next_path, data.browser)
    return user


def _tell_owner_address_taken(owner: User) -> None:
    send_mail(
        owner.email,
        _l("Une inscription a été tentée avec votre adresse"),
        "accounts/already_registered",
        locale=owner.locale,
        user=owner,
        login_url=external_url("accounts.login"),
        reset_url=external_url("accounts.forgot_password"),
    )


def send_confirmation(user: User, next_path: str = "", browser: str = "") -> None:
    payload = {"u": user.id, "f": fingerprint(user.email)}
    if next_path:
        payload["n"] = next_path
    if browser:
        payload["b"] = browser
    token = make_token(CONFIRM, payload)
    send_mail(
        user.email,
        _l("Confirmez votre adresse e-mail"),
        "accounts/confirm_email",
        locale=user.locale,
        user=user,
        confirm_url=external_url("accounts.confirm_email", token=token),
        max_age_hours=current_app.config["EMAIL_CONFIRM_MAX_AGE"] // 3600,
    )


def resend_confirmation(email: str) -> None:
    """Send a new confirmation link if an unconfirmed account has this address; else silent."""
    user = find_user_by_email(email)
    if user is not None and not user.is_confirmed:
        send_confirmation(user)


def confirm_email(token: str) -> Confirmation:
    """Mark the account's address as confirmed; confirming twice is harmless (``first`` is then
    false, so that a link opened again never signs anyone in).

    Raises InvalidToken for a forged, expired or outdated link (the address changed since).
    """
    payload = read_token(CONFIRM, token, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    user = db.session.get(User, payload.get("u"))
    if user is None or user.is_deleted or payload.get("f") != fingerprint(user.email):
        raise InvalidToken()
    first = user.email_confirmed_at is None
    if first:
        user.email_confirmed_at = utcnow()
        db.session.flush()
    next_path, browser = payload.get("n"), payload.get("b")
    return Confirmation(
        user,
        first,
        next_path if isinstance(next_path, str) else "",
        browser if isinstance(browser, str) else "",
    )


# --- signing in -----------------------------------------------------------------------------------


def authenticate(email: str, password: str) -> User:
    """The account matching these credentials, its hash upgraded if the parameters changed.

    Raises InvalidCredentials (same message whether the address or the password is wrong),
    EmailNotConfirmed once the password is right but the address is unconfirmed, and
    AccountRestricted for a suspended or banned member (``restrictions.check_sign_in``).
    """
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so that timing does not reveal unknown addresses.
        verify_password(_dummy_hash(), password or "")
        raise InvalidCredentials()
    if not verify_password(user.password_hash, password or ""):
        raise InvalidCredentials()
    if not user.is_confirmed:
        raise EmailNotConfirmed()
    check_sign_in(user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("sportressources.dummy_hash", {})
    if "hash" not in cache:
        cache["hash"] = hash_password("not-a-real-password-0")
    return cache["hash"]


def sign_out_everywhere(user: User) -> None:
    """Invalidate every session and "remember me" cookie of the account."""
    revoke_all_sessions(user)
    db.session.flush()


# --- passwords ------------------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Email a reset link if a live account has this address, else a note that none has.

    Both paths queue one email, so that the time taken does not tell whether the address is
    known; a malformed address gets nothing.
    """
    user = find_user_by_email(email)
    if user is None:
        _tell_no_account(email)
        return
    token = make_token(RESET, {"u": user.id, "f": fingerprint(user.password_hash)})
    send_mail(
        user.email,
        _l("Réinitialisation de votre mot de passe"),
        "accounts/reset_password",
        locale=user.locale,
        user=user,
        reset_url=external_url("accounts.reset_password", token=token),
        max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def _tell_no_account(email: str) -> None:
    try:
        address = normalise_email(email)
    except ValidationFailed:
        return
    send_mail(
        address,
        _l("Réinitialisation de mot de passe demandée"),
        "accounts/reset_no_account",
        register_url=external_url("accounts.register"),
        reset_url=external_url("accounts.forgot_password"),
    )


def user_for_reset_token(token: str) -> User:
    """The account a reset link was issued for; raises InvalidToken if expired, forged or used."""
    payload = read_token(RESET, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, payload.get("u"))
    if user is None or user.is_deleted or payload.get("f") != fingerprint(user.password_hash):
        raise InvalidToken()
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from an emailed link; the link then stops working.

    Following the link proves the address, so an unconfirmed address becomes confirmed. Every
    other session is signed out. Raises InvalidToken or ValidationFailed (weak password).
    """
    user = user_for_reset_token(token)
    _check_password(new_password, user.email, user.display_name)
    _set_password(user, new_password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    db.session.flush()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password of a signed-in user who knows the current one.

    Raises ValidationFailed on ``current_password`` or ``new_password``.
    """
    if not verify_password(user.password_hash, current_password or ""):
        raise ValidationFailed({"current_password": _l("Le mot de passe actuel est incorrect.")})
    if current_password == new_password:
        raise ValidationFailed(
            {"new_password": _l("Le nouveau mot de passe doit être différent de l’actuel.")}
        )
    _check_password(new_password, user.email, user.display_name, field="new_password")
    _set_password(user, new_password)
    db.session.flush()


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    revoke_all_sessions(user)
    send_mail(
        user.email,
        _l("Votre mot de passe a été modifié"),
        "accounts/password_changed",
        locale=user.locale,
        user=user,
        reset_url=external_url("accounts.forgot_password"),
    )


# --- administration -------------------------------------------------------------------------------


def count_admins() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.deleted_at.is_(None))
    )


def create_admin(email: str, password: str, display_name: str = "Administrateur") -> User:
    """Create a confirmed admin account, or promote the existing account with this address.

    Raises ValidationFailed for a malformed address or weak password.
    """
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        # The operator vouches for the address; an unconfirmed admin could not even sign in.
        existing.role = Role.ADMIN.value
        existing.email_confirmed_at = existing.email_confirmed_at or utcnow()
        db.session.flush()
        return existing
    display_name = _check_display_name(display_name)
    _check_password(password, email, display_name)
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=Role.ADMIN.value,
        email_confirmed_at=utcnow(),
        terms_accepted_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_role(user: User, role: Role | str) -> None:
    """Give an account a role. Raises ValidationFailed for an unknown role and Forbidden when
    it would remove the last admin."""
    try:
        role = Role(role)
    except ValueError as exc:
        raise ValidationFailed({"role": _l("Rôle inconnu.")}) from exc
    if user.role == Role.ADMIN.value and role != Role.ADMIN and count_admins() <= 1:
        raise Forbidden(_l("Le site doit garder au moins un administrateur."))
    user.role = role.value
    db.session.flush()
