"""Who may do what in moderation. Pure predicates, used by services to enforce and by templates
to show buttons; each takes an Actor or a user (``core.security.actor_of``)."""

from __future__ import annotations

from sportressources.core.security import Role, actor_of, has_role


def can_moderate(actor) -> bool:
    """Moderators and admins open the queue, decide, handle reports and see the dashboard."""
    return has_role(actor, Role.MODERATOR)


def can_administer(actor) -> bool:
    """Admins browse the audit log, grant and withdraw the moderator role, and ban."""
    return has_role(actor, Role.ADMIN)


def can_sanction(actor, member, kind: str) -> bool:
    """A moderator warns or suspends any member but an admin or themselves; only admins ban."""
    acting = actor_of(actor)
    if not can_moderate(acting) or member is None:
        return False
    if acting.user_id == member.id or getattr(member, "role", None) == Role.ADMIN.value:
        return False
    return kind != "ban" or can_administer(acting)


def can_rule_on_appeal(actor, appeal) -> bool:
    """A moderator other than the one who took the contested decision rules on an appeal."""
    acting = actor_of(actor)
    if not can_moderate(acting):
        return False
    decided_by = appeal.statement.decided_by_id
    return decided_by is None or decided_by != acting.user_id


def can_appeal(actor, statement) -> bool:
    """The member a statement concerns may contest it (whether in time is the service's rule)."""
    acting = actor_of(actor)
    return acting.is_member and statement.member_id == acting.user_id
