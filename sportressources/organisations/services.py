"""Organisations: creating one, its profile and logo, its verification, its members.

Services flush, never commit. Whoever creates an organisation becomes its manager; what a person
may do for it comes from their membership (``policies``). The last manager of an organisation
can neither leave, be removed nor become a volunteer: the organisation row is locked first, so
that two managers removing each other at once cannot both succeed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import BinaryIO

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sportressources.accounts.models import User
from sportressources.accounts.restrictions import require_unrestricted
from sportressources.core import images
from sportressources.core.audit import record_entry
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.mail import external_url
from sportressources.core.states import apply_transition
from sportressources.core.text import checked_text, clean_line, slugify
from sportressources.geo.models import Commune
from sportressources.notifications.services import Email, site_path, tell_member
from sportressources.organisations.identifiers import normalise_rna, normalise_siret
from sportressources.organisations.models import (
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)
from sportressources.organisations.notices import KINDS
from sportressources.organisations.policies import (
    can_create_organisation,
    can_manage_organisation,
    can_verify_organisation,
)
from sportressources.organisations.queries import membership_of
from sportressources.organisations.signals import organisation_submitted
from sportressources.organisations.sports import sport_labels

TARGET = "organisation"
LOGO_FIELD = "logo"
LOGO_PREFIX = "logo-"
ROLE_LABELS: dict[str, LazyString] = {
    MemberRole.MANAGER: _l("responsable"),
    MemberRole.VOLUNTEER: _l("bénévole"),
}
LAST_MANAGER = _l(
    "Une organisation garde au moins un responsable : nommez d’abord un autre membre "
    "responsable, ou fermez l’organisation."
)
# Changing these on a verified organisation sends it back to the moderators
CHECKED_FIELDS = ("name", "rna", "siret")


@dataclass(frozen=True)
class ProfileData:
    name: str
    kind: str
    commune_insee: str
    rna: str = ""
    siret: str = ""
    address: str = ""
    sports: list[str] = field(default_factory=list)
    description: str = ""
    dropoff_hours: str = ""
    website: str = ""


# --- the profile ---------------------------------------------------------------------------------


def _checked(data: ProfileData) -> dict:
    """The profile's values, cleaned; raises ValidationFailed with every fault at once."""
    errors: dict = {}
    values: dict = {}

    def check(name: str, function, *args):
        try:
            values[name] = function(*args)
        except ValidationFailed as error:
            errors.update(error.fields)

    name = clean_line(data.name)
    if len(name) < 3:
        errors["name"] = _l("Indiquez le nom de l’organisation (3 caractères au moins).")
    elif len(name) > 120:
        errors["name"] = _l("Le nom ne peut pas dépasser 120 caractères.")
    values["name"] = name
    if data.kind not in {kind.value for kind in OrganisationKind}:
        errors["kind"] = _l("Choisissez un type d’organisation dans la liste.")
    values["kind"] = data.kind
    commune = db.session.get(Commune, data.commune_insee) if data.commune_insee else None
    if commune is None:
        errors["commune"] = _l("Choisissez une commune du territoire.")
    values["commune_insee"] = data.commune_insee
    check("rna", normalise_rna, data.rna)
    check("siret", normalise_siret, data.siret)
    if not errors.keys() & {"rna", "siret"} and not values["rna"] and not values["siret"]:
        errors["rna"] = _l(
            "Indiquez le numéro RNA de l’association ou le SIRET de l’organisation (au moins "
            "l’un des deux)."
        )
    check("address", lambda: clean_line(checked_text(data.address, "address", 255)))
    check("description", checked_text, data.description, "description", 4000)
    check("dropoff_hours", checked_text, data.dropoff_hours, "dropoff_hours", 1000)
    website = clean_line(data.website)
    if website and (len(website) > 255 or not website.startswith(("https://", "http://"))):
        errors["website"] = _l(
            "Indiquez l’adresse complète du site, commençant par https:// (255 caractères au plus)."
        )
    values["website"] = website
    offered = sport_labels()
    sports = list(dict.fromkeys(data.sports or []))
    if any(code not in offered for code in sports):
        errors["sports"] = _l("Choisissez les sports dans la liste.")
    values["sports"] = sports
    if errors:
        raise ValidationFailed(errors)
    return values


def _check_unique(values: dict, exclude_id: int | None = None) -> None:
    errors = {}
    for name, message in (
        ("rna", _l("Une organisation inscrite porte déjà ce numéro RNA.")),
        ("siret", _l("Une organisation inscrite porte déjà ce SIRET.")),
    ):
        if values[name] is None:
            continue
        clash = db.session.scalar(
            select(Organisation.id).where(getattr(Organisation, name) == values[name])
        )
        if clash is not None and clash != exclude_id:
            errors[name] = message
    if errors:
        raise ValidationFailed(errors)


def _unique_slug(name: str) -> str:
    base = slugify(name, max_length=120) if slugify(name) != "lieu" else "organisation"
    for candidate in [base, *(f"{base}-{n}" for n in range(2, 200))]:
        if db.session.scalar(select(Organisation.id).where(Organisation.slug == candidate)) is None:
            return candidate
    return f"{base}-{secrets.token_hex(4)}"


def create_organisation(actor, data: ProfileData) -> Organisation:
    """Create an organisation whose manager is ``actor``; it waits for a moderator's
    verification (``organisation_submitted`` is sent, reason « new »).

    Raises Forbidden (visitor, suspended or banned member), ValidationFailed (a field: name,
    kind, commune, rna, siret, address, description, dropoff_hours, website, sports; an RNA
    number or SIRET another organisation already has).
    """
    if not can_create_organisation(actor):
        require_unrestricted(actor, _l("créer une organisation"))
        raise Forbidden(_l("Connectez-vous pour inscrire une organisation."))
    values = _checked(data)
    _check_unique(values)
    organisation = Organisation(
        slug=_unique_slug(values["name"]),
        status=OrganisationStatus.PENDING.value,
        created_by_id=actor.id,
        **values,
    )
    db.session.add(organisation)
    db.session.flush()
    db.session.add(
        Membership(organisation_id=organisation.id, user_id=actor.id, role=MemberRole.MANAGER.value)
    )
    record_entry(
        "organisation.create",
        TARGET,
        organisation.id,
        actor=actor,
        after=organisation.status,
        details={"name": organisation.name},
    )
    organisation_submitted.send(Organisation, organisation=organisation, actor=actor, reason="new")
    return organisation


def _require_manager(actor, organisation: Organisation) -> None:
    if not can_manage_organisation(actor, organisation):
        raise Forbidden(_l("Seuls les responsables de l’organisation peuvent faire cela."))


def update_profile(actor, organisation: Organisation, data: ProfileData) -> Organisation:
    """Change an organisation's profile (managers).

    Changing the name, the RNA number or the SIRET of a verified organisation sends it back to
    the moderators (transition « send_back_to_review », reason « edited »): its badge and its
    right to run drives return once they have checked it again. Raises Forbidden (not a manager,
    organisation closed) or ValidationFailed (as ``create_organisation``).
    """
    _require_manager(actor, organisation)
    values = _checked(data)
    _check_unique(values, exclude_id=organisation.id)
    changed = sorted(name for name, value in values.items() if getattr(organisation, name) != value)
    if not changed:
        return organisation
    for name in changed:
        setattr(organisation, name, values[name])
    record_entry(
        "organisation.update", TARGET, organisation.id, actor=actor, details={"fields": changed}
    )
    if organisation.is_verified and set(changed) & set(CHECKED_FIELDS):
        apply_transition(organisation, "send_back_to_review", actor=actor)
        organisation_submitted.send(
            Organisation, organisation=organisation, actor=actor, reason="edited"
        )
    db.session.flush()
    return organisation


def resubmit_organisation(actor, organisation: Organisation) -> Organisation:
    """Ask the moderators again to verify a refused organisation (managers), after correcting
    its profile. Raises Forbidden, or Conflict when it is not refused."""
    _require_manager(actor, organisation)
    apply_transition(organisation, "resubmit", actor=actor)
    organisation_submitted.send(
        Organisation, organisation=organisation, actor=actor, reason="resubmitted"
    )
    return organisation


def close_organisation(actor, organisation: Organisation, reason: str = "") -> Organisation:
    """Close an organisation (managers): it leaves the directory, its page and its members'
    access; its members are told. Raises Forbidden, or Conflict when already closed."""
    _require_manager(actor, organisation)
    reason = checked_text(reason, "reason", 1000)
    members = [m.user for m in organisation.memberships if m.user_id != actor.id]
    apply_transition(organisation, "close", actor=actor, reason=reason or None)
    for member in members:
        tell_member(member, "organisation_closed", "", organisation=organisation.name)
    return organisation


# --- the logo ------------------------------------------------------------------------------------


def set_logo(actor, organisation: Organisation, source: bytes | BinaryIO, filename: str = ""):
    """Add or replace the logo (managers): checked and re-encoded like listing photos, written
    with the transaction; the previous files are deleted.

    Raises Forbidden, or PhotoRejected (a ValidationFailed on field ``logo``) for a file that is
    not an acceptable image.
    """
    _require_manager(actor, organisation)
    photo = images.process_upload(source, filename, field=LOGO_FIELD)
    previous = organisation.logo_key
    organisation.logo_key = images.store_files_after_commit(
        photo, LOGO_PREFIX + secrets.token_hex(16)
    )
    record_entry("organisation.logo", TARGET, organisation.id, actor=actor, details={"set": True})
    db.session.flush()
    if previous:
        images.delete_image_files_after_commit(previous)
    return organisation


def remove_logo(actor, organisation: Organisation) -> Organisation:
    """Remove the logo (managers); nothing happens when there is none. Raises Forbidden."""
    _require_manager(actor, organisation)
    previous = organisation.logo_key
    if previous is None:
        return organisation
    organisation.logo_key = None
    record_entry("organisation.logo", TARGET, organisation.id, actor=actor, details={"set": False})
    db.session.flush()
    images.delete_image_files_after_commit(previous)
    return organisation


# --- verification (moderators; the queue calls these) --------------------------------------------


def _tell_managers(organisation: Organisation, kind: str, email: bool = False, **params) -> None:
    subject, _message = KINDS[kind]
    for membership in organisation.memberships:
        if not membership.is_manager:
            continue
        mail = None
        if email:
            mail = Email(
                subject,
                f"organisations/{kind}",
                {
                    "organisation": organisation,
                    "page_url": external_url("organisations.manage", slug=organisation.slug),
                },
            )
        url = site_path("organisations.manage", slug=organisation.slug)
        tell_member(
            membership.user, kind, url, email=mail, organisation=organisation.name, **params
        )


def verify_organisation(actor, organisation: Organisation, note: str = "") -> Organisation:
    """Verify an organisation (moderators): it shows a badge and may run drives; its managers
    are told (notice and email). Raises Forbidden, or Conflict when it is not pending."""
    if not can_verify_organisation(actor):
        raise Forbidden(_l("Seule l’équipe de modération peut vérifier une organisation."))
    apply_transition(organisation, "verify", actor=actor, reason=note or None)
    organisation.review_note = ""
    _tell_managers(organisation, "organisation_verified", email=True)
    return organisation


def refuse_organisation(actor, organisation: Organisation, reason: str) -> Organisation:
    """Refuse to verify an organisation (moderators), with the reason its managers read (notice
    and email); they may correct the profile and resubmit it.

    Raises Forbidden, ValidationFailed (``note``: reason missing or over 2000 characters), or
    Conflict when it is not pending.
    """
    if not can_verify_organisation(actor):
        raise Forbidden(_l("Seule l’équipe de modération peut vérifier une organisation."))
    reason = checked_text(reason, "note", 2000)
    if not reason:
        raise ValidationFailed(
            {"note": _l("Expliquez aux responsables pourquoi l’organisation n’est pas vérifiée.")}
        )
    apply_transition(organisation, "refuse", actor=actor, reason=reason)
    organisation.review_note = reason
    db.session.flush()
    _tell_managers(organisation, "organisation_refused", email=True, reason=reason)
    return organisation


# --- members -------------------------------------------------------------------------------------


def lock_organisation(organisation_id: int) -> Organisation:
    """Lock the organisation's row until commit and reload it with its memberships, so that
    membership changes run one after the other (SQLite runs one writer at a time anyway)."""
    organisation = db.session.scalars(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if organisation is None:
        raise NotFound(_l("Cette organisation n’existe pas."))
    db.session.expire(organisation, ["memberships"])
    return organisation


def _manager_count(organisation_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.organisation_id == organisation_id,
            Membership.role == MemberRole.MANAGER.value,
        )
    )


def _member_of(organisation: Organisation, user_id: int) -> Membership:
    membership = membership_of(user_id, organisation.id)
    if membership is None:
        raise NotFound(_l("Cette personne ne fait pas partie de l’organisation."))
    return membership


def set_member_role(actor, organisation: Organisation, user_id: int, role: str) -> Membership:
    """Make a member a manager or a volunteer (managers). The last manager cannot become a
    volunteer. Raises Forbidden, NotFound (not a member), ValidationFailed (``role`` unknown)
    or Conflict (last manager)."""
    if role not in {r.value for r in MemberRole}:
        raise ValidationFailed({"role": _l("Choisissez un rôle dans la liste.")})
    _require_manager(actor, organisation)
    organisation = lock_organisation(organisation.id)
    _require_manager(actor, organisation)  # read again under the lock
    membership = _member_of(organisation, user_id)
    if membership.role == role:
        return membership
    if membership.is_manager and _manager_count(organisation.id) <= 1:
        raise Conflict(LAST_MANAGER, code="last_manager")
    before, membership.role = membership.role, role
    record_entry(
        "organisation.member_role",
        TARGET,
        organisation.id,
        actor=actor,
        before=before,
        after=role,
        details={"user_id": user_id},
    )
    if user_id != actor.id:
        tell_member(
            membership.user,
            "organisation_role_changed",
            site_path("organisations.manage", slug=organisation.slug),
            organisation=organisation.name,
            role=str(ROLE_LABELS[role]),
        )
    return membership


def _end_membership(actor, organisation: Organisation, user_id: int, action: str) -> User:
    membership = _member_of(organisation, user_id)
    if membership.is_manager and _manager_count(organisation.id) <= 1:
        raise Conflict(LAST_MANAGER, code="last_manager")
    member = membership.user
    db.session.delete(membership)
    record_entry(
        action,
        TARGET,
        organisation.id,
        actor=actor,
        before=membership.role,
        details={"user_id": user_id},
    )
    db.session.flush()
    return member


def remove_member(actor, organisation: Organisation, user_id: int) -> None:
    """Remove a member (managers); their access ends at once and they are told. The last
    manager cannot be removed. Raises Forbidden, NotFound (not a member) or Conflict."""
    _require_manager(actor, organisation)
    if user_id == actor.id:
        raise Conflict(_l("Pour vous retirer vous-même, utilisez « Quitter l’organisation »."))
    organisation = lock_organisation(organisation.id)
    _require_manager(actor, organisation)  # read again under the lock: they may just have left
    member = _end_membership(actor, organisation, user_id, "organisation.member_remove")
    tell_member(member, "organisation_removed", "", organisation=organisation.name)


def leave_organisation(actor, organisation: Organisation) -> None:
    """Leave an organisation; the managers are told. The last manager cannot leave. Raises
    NotFound (not a member) or Conflict (last manager)."""
    if membership_of(getattr(actor, "id", None), organisation.id) is None:
        raise NotFound(_l("Vous ne faites pas partie de cette organisation."))
    organisation = lock_organisation(organisation.id)
    _end_membership(actor, organisation, actor.id, "organisation.member_leave")
    _tell_managers(organisation, "organisation_member_left", member=actor.display_name)


def add_member(actor, organisation: Organisation, user: User, role: str) -> Membership:
    """Make ``user`` a member (an accepted invitation); the managers are told. Raises Conflict
    when they already are one."""
    if membership_of(user.id, organisation.id) is not None:
        raise Conflict(_l("Vous faites déjà partie de cette organisation."), code="already_member")
    membership = Membership(organisation_id=organisation.id, user_id=user.id, role=role)
    db.session.add(membership)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _l("Vous faites déjà partie de cette organisation."), code="already_member"
        ) from None
    record_entry(
        "organisation.member_add",
        TARGET,
        organisation.id,
        actor=actor,
        after=role,
        details={"user_id": user.id},
    )
    db.session.expire(organisation, ["memberships"])
    _tell_managers(organisation, "organisation_joined", member=user.display_name)
    return membership


def logo_url(organisation: Organisation, size: str = "medium") -> str | None:
    """The URL of one size (``large``, ``medium``, ``small``) of the logo, None without one."""
    from flask import url_for

    if not organisation.logo_key:
        return None
    return url_for("media.file", name=images.file_name(organisation.logo_key, size))
