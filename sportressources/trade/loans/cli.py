"""``flask loans remind``: the due-date reminders, from cron every few minutes."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from sportressources.core.cli import parse_moment
from sportressources.core.db import transaction
from sportressources.trade.loans.reminders import send_reminders
from sportressources.trade.loans.services import expire_requests

loans_cli = AppGroup("loans", help="Prêts : rappels des dates de retour.")


@loans_cli.command("remind")
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="ISO",
    help="Faire comme s’il était cette heure-là (essais) ; sans décalage, heure de Paris.",
)
def remind_command(now_text: str | None) -> None:
    """Send the reminders due now and close the requests left unanswered, each exactly once
    (safe to run often, even twice at once)."""
    now = parse_moment(now_text)
    with transaction():
        expired = expire_requests(now)
        report = send_reminders(now)
    click.echo(
        f"{report.due_soon} rappel(s) avant échéance, {report.overdue} avis de retard envoyé(s), "
        f"{expired} demande(s) expirée(s)."
    )
