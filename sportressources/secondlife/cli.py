"""``flask secondlife scan``: suggest a second life for gear nobody uses; the beat runs the same
job daily."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from sportressources.core.cli import parse_moment
from sportressources.core.db import transaction
from sportressources.core.tasks import SKIPPED, exclusive
from sportressources.secondlife.scan import scan

secondlife_cli = AppGroup("secondlife", help="Seconde vie : suggérer le matériel inutilisé.")


@exclusive("secondlife.scan")
def scan_job(now: datetime | None = None) -> str:
    """Suggest each idle loan item and unclaimed gift to its owner, once; returns a summary."""
    with transaction():
        count = scan(now)
    # French: the singular up to one
    plural = "s" if count > 1 else ""
    return f"{count} suggestion{plural} de seconde vie envoyée{plural}."


@secondlife_cli.command("scan")
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="ISO",
    help="Faire comme s’il était cette heure-là (essais) ; sans décalage, heure de Paris.",
)
def scan_command(now_text: str | None) -> None:
    """Suggest each idle loan item and unclaimed gift to its owner, once (safe to run often,
    even twice at once)."""
    click.echo(scan_job(parse_moment(now_text)) or SKIPPED)
