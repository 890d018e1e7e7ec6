"""``flask drives send-reminders``: the day-before reminders of drop-offs; the beat runs the same
job every 5 minutes."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from sportressources.core.cli import parse_moment
from sportressources.core.db import transaction
from sportressources.core.tasks import SKIPPED, exclusive
from sportressources.drives.reminders import send_reminders

drives_cli = AppGroup("drives", help="Collectes : rappels des dépôts.")


@exclusive("drives.send_reminders")
def send_reminders_job(now: datetime | None = None) -> str:
    """Remind the members whose drop-off is tomorrow, each exactly once; returns a summary."""
    with transaction():
        count = send_reminders(now)
    return f"{count} rappel(s) de dépôt envoyé(s)."


@drives_cli.command("send-reminders")
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="ISO",
    help="Faire comme s’il était cette heure-là (essais) ; sans décalage, heure de Paris.",
)
def send_reminders_command(now_text: str | None) -> None:
    """Remind the members whose drop-off is tomorrow, each exactly once (safe to run often,
    even twice at once)."""
    click.echo(send_reminders_job(parse_moment(now_text)) or SKIPPED)
