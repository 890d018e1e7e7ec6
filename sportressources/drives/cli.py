"""``flask drives send-reminders``: the day-before reminders of drop-offs, from cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from sportressources.core.cli import parse_moment
from sportressources.core.db import transaction
from sportressources.drives.reminders import send_reminders

drives_cli = AppGroup("drives", help="Collectes : rappels des dépôts.")


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
    with transaction():
        count = send_reminders(parse_moment(now_text))
    click.echo(f"{count} rappel(s) de dépôt envoyé(s).")
