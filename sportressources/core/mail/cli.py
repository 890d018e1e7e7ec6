"""``flask mail send`` and ``flask mail purge``: manual triggers of the beat's ``mail.send``
(every minute) and ``mail.purge`` (daily) jobs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from sportressources.core.cli import parse_moment
from sportressources.core.mail.tasks import purge, send_due
from sportressources.core.tasks import SKIPPED

mail_cli = AppGroup("mail", help="Courriels : envoi de la file d’attente, purge.")


@mail_cli.command("send")
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="ISO",
    help="Faire comme s’il était cette heure-là (essais, ou envoyer sans attendre les délais).",
)
def send_command(now_text: str | None) -> None:
    """Send the queued emails that are due, each exactly once (safe to run often, even twice at
    once); failures wait for a later run."""
    click.echo(send_due(parse_moment(now_text)))


@mail_cli.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Âge minimal des courriels supprimés (par défaut : MAIL_KEEP_DAYS).",
)
def purge_command(days: int | None) -> None:
    """Delete the sent and given-up emails older than MAIL_KEEP_DAYS days."""
    click.echo(purge(days) or SKIPPED)
