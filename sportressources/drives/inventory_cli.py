"""``flask inventory purge-handouts`` (the beat runs it daily), and the demo club's inventory."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from sportressources.core.db import db, transaction
from sportressources.core.states import apply_transition
from sportressources.core.tasks import SKIPPED, exclusive
from sportressources.drives.handouts import purge_handout_recipients
from sportressources.drives.models import AgeBand, Handout, InventoryItem, InventoryStatus
from sportressources.organisations.models import Membership, Organisation

inventory_cli = AppGroup("inventory", help="Inventaire des organisations.")

DEMO_ORGANISATION_SLUG = "us-club-demo"
# title, sport, category, size, age group, condition
DEMO_ITEMS = (
    ("Ballon de football taille 4", "football", "ballons", "4", "u11", "good"),
    ("Chaussures de football à crampons", "football", "chaussures", "34", "u11", "very_good"),
    ("Raquette de badminton junior", "badminton", "raquettes", '23"', "u13", "good"),
    ("Maillot de handball", "handball", "vetements", "12 ans", "u13", "very_good"),
    ("Kimono de judo", "sports_combat", "vetements", "10 ans", "u11", "good"),
)


@exclusive("inventory.purge_handouts")
def purge_handouts() -> str:
    """Erase the recipient of handouts recorded more than a year ago; returns a summary."""
    with transaction():
        count = purge_handout_recipients()
    return f"{count} bénéficiaire(s) effacé(s) des remises de plus d’un an."


@inventory_cli.command("purge-handouts")
def purge_handouts_command() -> None:
    """Erase the recipient of handouts recorded more than a year ago (the beat runs it daily)."""
    click.echo(purge_handouts() or SKIPPED)


def seed_demo_inventory() -> str:
    """Give the demo club a few items in stock and one handout; idempotent (nothing when the
    club is missing or already has an inventory)."""
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.slug == DEMO_ORGANISATION_SLUG)
    )
    if organisation is None:
        return "pas de club de démonstration, rien à faire"
    if db.session.scalar(
        select(func.count())
        .select_from(InventoryItem)
        .where(InventoryItem.organisation_id == organisation.id)
    ):
        return "le club de démonstration a déjà un inventaire, rien à faire"
    member_id = db.session.scalar(
        select(Membership.user_id)
        .where(Membership.organisation_id == organisation.id)
        .order_by(Membership.id)
    )
    items = [
        InventoryItem(
            organisation_id=organisation.id,
            title=title,
            sport=sport,
            category=category,
            size=size,
            age_group=age_group,
            condition=condition,
            status=InventoryStatus.IN_STOCK.value,
        )
        for title, sport, category, size, age_group, condition in DEMO_ITEMS
    ]
    db.session.add_all(items)
    db.session.flush()
    handed = items[-1]
    db.session.add(
        Handout(
            organisation_id=organisation.id,
            inventory_item_id=handed.id,
            recipient="Léa",
            age_band=AgeBand.CHILD.value,
            commune_insee=organisation.commune_insee,
            pass_sport=True,
            recorded_by_id=member_id,
        )
    )
    apply_transition(handed, "hand_out", actor=None)
    db.session.flush()
    return f"{len(items)} objets dans l’inventaire du club de démonstration, dont 1 remis"
