"""``flask loans remind``: the due-date reminders; the beat runs the same job every 5 minutes."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from sportressources.core.cli import parse_moment
from sportressources.core.db import transaction
from sportressources.core.tasks import SKIPPED, exclusive
from sportressources.trade.loans.reminders import send_reminders
from sportressources.trade.loans.services import expire_requests

loans_cli = AppGroup("loans", help="Prêts : rappels des dates de retour.")


@exclusive("loans.remind")
def remind(now: datetime | None = None) -> str:
    """Send the reminders due at ``now`` and close the requests left unanswered, each exactly
    once; returns a summary for the operator."""
    with transaction():
        expired = expire_requests(now)
        report = send_reminders(now)
    return (
        f"{report.due_soon} rappel(s) avant échéance, {report.overdue} avis de retard envoyé(s), "
        f"{expired} demande(s) expirée(s)."
    )


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
    click.echo(remind(parse_moment(now_text)) or SKIPPED)
