"""``flask mail send`` (cron, every minute) and ``flask mail purge`` (daily)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from sportressources.core.cli import parse_moment
from sportressources.core.db import transaction
from sportressources.core.mail.delivery import deliver_due, purge_outbox

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
    report = deliver_due(parse_moment(now_text))
    click.echo(
        f"{report.sent} courriel(s) envoyé(s), {report.retrying} à réessayer plus tard, "
        f"{report.failed} abandonné(s)."
    )
    if report.interrupted:
        click.echo("Serveur de courrier injoignable : la file attend le prochain passage.")


@mail_cli.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Âge minimal des courriels supprimés (par défaut : MAIL_KEEP_DAYS).",
)
def purge_command(days: int | None) -> None:
    """Delete the sent and given-up emails older than MAIL_KEEP_DAYS days."""
    keep = timedelta(days=days or current_app.config["MAIL_KEEP_DAYS"])
    with transaction():
        count = purge_outbox(keep)
    click.echo(f"{count} courriel(s) supprimé(s) de la file.")
