"""Statements of reasons and appeals for the tests of statements and appeals: made by the
services, about a listing rejected through its transitions, as a moderator would."""

from __future__ import annotations

from datetime import timedelta

from sportressources.core.db import db, utcnow
from sportressources.moderation import appeals, grounds
from sportressources.moderation.models import Sanction, Statement
from sportressources.moderation.statements import issue_statement
from tests.factories import make_listing

FACTS = "L’annonce donne un numéro de téléphone : 06 12 34 56 78."


def rejected_listing_statement(
    member,
    moderator,
    *,
    ground: str = "rule:3.4",
    facts: str = FACTS,
    automated_detection: bool = False,
    from_report: bool = False,
    title: str = "Raquette de tennis Babolat",
) -> Statement:
    """A listing of ``member`` rejected by ``moderator``, and its statement (committed)."""
    listing = make_listing(owner=member, status="rejected", reviewer=moderator, title=title)
    statement = issue_statement(
        member=member,
        decision="reject",
        target_type="listing",
        target_id=listing.id,
        ground=grounds.ground_for(ground),
        facts=facts,
        moderator=moderator,
        subject=listing.title,
        automated_detection=automated_detection,
        from_report=from_report,
    )
    db.session.commit()
    return statement


def suspension_statement(member, moderator, *, days: int = 7) -> Statement:
    """``member`` suspended for ``days`` days by ``moderator``, with its statement (committed).
    The sanction row is written as the sanctions part will; its effects are that part's."""
    ends_at = utcnow() + timedelta(days=days)
    sanction = Sanction(
        member_id=member.id,
        kind="suspension",
        status="active",
        reason="Insultes répétées dans les messages.",
        terms_rule="5.1",
        ends_at=ends_at,
        created_by_id=moderator.id,
    )
    db.session.add(sanction)
    db.session.flush()
    statement = issue_statement(
        member=member,
        decision="suspension",
        target_type="profile",
        target_id=member.id,
        ground=grounds.rule("5.1"),
        facts="Insultes répétées dans les messages.",
        moderator=moderator,
        subject="votre compte",
        sanction=sanction,
        ends_at=ends_at,
    )
    db.session.commit()
    return statement


def filed_appeal(member, statement, explanation: str = "Ce numéro est celui du club.") -> object:
    appeal = appeals.file_appeal(member, statement, explanation)
    db.session.commit()
    return appeal


def past_deadline(statement: Statement) -> Statement:
    """The statement as it is once its six months have passed."""
    statement.appeal_until = utcnow() - timedelta(days=1)
    db.session.commit()
    return statement
