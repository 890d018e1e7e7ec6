"""Invitations: a manager invites someone by email; the link works once, for 14 days, for the
person signed in with that address, who may create their account first.

Only the SHA-256 of the link's token is stored. Functions flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.accounts.restrictions import require_unrestricted
from sportressources.accounts.services import find_user_by_email, normalise_email
from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from sportressources.core.mail import external_url, send_mail
from sportressources.core.security import actor_of
from sportressources.notifications.services import Email, site_path, tell_member
from sportressources.organisations import services
from sportressources.organisations.models import (
    Invitation,
    MemberRole,
    Membership,
    Organisation,
    OrganisationStatus,
)
from sportressources.organisations.notices import INVITED
from sportressources.organisations.policies import can_manage_organisation
from sportressources.organisations.queries import membership_of

VALIDITY = timedelta(days=14)
TOKEN_MAX = 200


class InvitationUnusable(DomainError):
    """The link cannot be used any more: accepted, revoked, expired, or its organisation
    closed. ``code`` says which."""

    code = "invitation_unusable"
    status = 410


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_member(actor, organisation: Organisation, email: str, role: str) -> str:
    """Invite ``email`` to join as ``role`` (managers): an email with a link valid 14 days, which
    also works for someone without an account yet. A pending invitation to the same address is
    replaced. Returns the token (for tests and the CLI; only its hash is stored).

    Raises Forbidden (not a manager), ValidationFailed (``email`` malformed, ``role`` unknown),
    Conflict (the person is already a member, or the organisation is closed).
    """
    if not can_manage_organisation(actor, organisation):
        raise Forbidden(_l("Seuls les responsables de l’organisation peuvent inviter."))

    address = normalise_email(email)
    if role not in {r.value for r in MemberRole}:
        raise ValidationFailed({"role": _l("Choisissez un rôle dans la liste.")})
    invitee = find_user_by_email(address)
    if invitee is not None and membership_of(invitee.id, organisation.id) is not None:
        raise Conflict(_l("Cette personne fait déjà partie de l’organisation."))
    now = utcnow()
    for earlier in _pending(organisation.id, address):
        earlier.revoked_at = now
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation_id=organisation.id,
        email=address,
        role=role,
        token_hash=token_hash(token),
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + VALIDITY,
    )
    db.session.add(invitation)
    db.session.flush()
    record_entry(
        "organisation.invite",
        services.TARGET,
        organisation.id,
        actor=actor,
        after=role,
        details={"invitation_id": invitation.id},
    )
    subject = _l("Invitation à rejoindre %(organisation)s", organisation=organisation.name)
    context = {
        "organisation": organisation,
        "inviter": actor.display_name,
        "role": services.ROLE_LABELS[role],
        "accept_url": external_url("organisations.invitation", token=token),
        "days": VALIDITY.days,
    }
    if invitee is None:
        send_mail(address, subject, "organisations/invitation", **context)
        return token
    # A member also finds it among their notices (the token stays in the email alone)
    tell_member(
        invitee,
        INVITED,
        site_path("organisations.page", slug=organisation.slug),
        email=Email(subject, "organisations/invitation", context),
        organisation=organisation.name,
        inviter=actor.display_name,
    )
    return token


def _pending(organisation_id: int, email: str | None = None) -> list[Invitation]:
    query = select(Invitation).where(
        Invitation.organisation_id == organisation_id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow(),
    )
    if email is not None:
        query = query.where(Invitation.email == email)
    return list(db.session.scalars(query.order_by(Invitation.id)))


def pending_invitations(organisation: Organisation) -> list[Invitation]:
    """The invitations of an organisation still waiting for an answer, oldest first."""
    return _pending(organisation.id)


def revoke_invitation(actor, organisation: Organisation, invitation_id: int) -> Invitation:
    """Cancel a pending invitation (managers): its link stops working. Raises Forbidden,
    NotFound (no such invitation of this organisation) or Conflict (already used)."""
    if not can_manage_organisation(actor, organisation):
        raise Forbidden(_l("Seuls les responsables de l’organisation peuvent faire cela."))
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        raise NotFound(_l("Cette invitation n’existe pas."))
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Conflict(_l("Cette invitation a déjà été acceptée ou annulée."))
    invitation.revoked_at = utcnow()
    record_entry(
        "organisation.invitation_revoke",
        services.TARGET,
        organisation.id,
        actor=actor,
        details={"invitation_id": invitation.id},
    )
    return invitation


def invitation_for(token: str) -> Invitation:
    """The invitation of a link, whatever its state (the page explains it). Raises NotFound
    for a link that matches none."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        raise NotFound(_l("Ce lien d’invitation n’est pas valide."))
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None:
        raise NotFound(_l("Ce lien d’invitation n’est pas valide."))
    return invitation


def unusable_reason(invitation: Invitation) -> InvitationUnusable | None:
    """Why the invitation can no longer be accepted, or None when it can."""
    if invitation.accepted_at is not None:
        return InvitationUnusable(
            _l("Cette invitation a déjà été acceptée."), code="invitation_accepted"
        )
    if invitation.revoked_at is not None:
        return InvitationUnusable(
            _l("Cette invitation a été annulée par les responsables de l’organisation."),
            code="invitation_revoked",
        )
    if invitation.expires_at <= utcnow():
        return InvitationUnusable(
            _l(
                "Cette invitation a expiré (elle était valable %(days)s jours). Demandez aux "
                "responsables de l’organisation de vous inviter de nouveau.",
                days=VALIDITY.days,
            ),
            code="invitation_expired",
        )
    if invitation.organisation.status == OrganisationStatus.CLOSED.value:
        return InvitationUnusable(_l("Cette organisation a été fermée."), code="invitation_closed")
    return None


def accept_invitation(actor, token: str) -> Membership:
    """Join the organisation of an invitation, as the role it offers.

    The signed-in member's address must be the invited one (compared without regard to case);
    the link then stops working. Raises Forbidden (visitor, restricted member, another address),
    NotFound (unknown link), InvitationUnusable (accepted, revoked, expired, organisation
    closed), Conflict (already a member).
    """
    acting = actor_of(actor)
    if not acting.is_member:
        raise Forbidden(_l("Connectez-vous pour accepter l’invitation."))
    require_unrestricted(actor, _l("rejoindre une organisation"))
    invitation = invitation_for(token)
    # Lock it: a link opened twice at once is used once
    invitation = db.session.scalars(
        select(Invitation)
        .where(Invitation.id == invitation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    problem = unusable_reason(invitation)
    if problem is not None:
        raise problem
    if not acting.user.is_confirmed:
        raise Forbidden(
            _l("Confirmez d’abord votre adresse e-mail, puis ouvrez de nouveau le lien."),
            code="email_not_confirmed",
        )
    if acting.user.email.lower() != invitation.email:
        raise Forbidden(
            _l(
                "Cette invitation a été envoyée à une autre adresse e-mail que celle de votre "
                "compte. Connectez-vous avec le compte de l’adresse invitée, ou demandez aux "
                "responsables de l’organisation d’inviter votre adresse."
            ),
            code="invitation_other_email",
        )
    membership = services.add_member(
        acting.user, invitation.organisation, acting.user, invitation.role
    )
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = acting.user.id
    db.session.flush()
    return membership
