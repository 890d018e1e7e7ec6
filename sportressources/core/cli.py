"""``flask data init``: load what an empty database needs, through loaders each domain registers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from sportressources.core.db import transaction


def parse_moment(value: str | None) -> datetime | None:
    """The ``--now`` option of the scheduled commands: an ISO date-time; without an offset it is a
    local time (``BABEL_DEFAULT_TIMEZONE``, Europe/Paris)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            "date et heure ISO attendues, par exemple 2027-03-28T09:00+02:00"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return moment


data_cli = AppGroup("data", help="Données initiales (territoire, démonstration).")


@dataclass(frozen=True)
class InitialDataLoader:
    name: str
    order: int
    load: Callable[[], str | None]
    demo_only: bool = False


def register_initial_data(
    app: Flask, name: str, load: Callable[[], str | None], order: int = 50, demo_only: bool = False
) -> None:
    """Add a loader run by ``flask data init``, in a transaction of its own.

    The loader must be idempotent, flush rather than commit, and return a short report.
    """
    loaders = app.extensions.setdefault("sportressources.initial_data", {})
    loaders[name] = InitialDataLoader(name, order, load, demo_only)


def initial_data_loaders(app: Flask) -> list[InitialDataLoader]:
    loaders = app.extensions.get("sportressources.initial_data", {}).values()
    return sorted(loaders, key=lambda loader: (loader.order, loader.name))


@data_cli.command("init")
@click.option(
    "--demo/--no-demo",
    default=None,
    help="Charger aussi les données de démonstration (par défaut : LOAD_DEMO_DATA).",
)
def init_command(demo: bool | None) -> None:
    """Load territory data, and demo data in development, when the database lacks them."""
    with_demo = current_app.config["LOAD_DEMO_DATA"] if demo is None else demo
    for loader in initial_data_loaders(current_app):
        if loader.demo_only and not with_demo:
            continue
        with transaction():
            report = loader.load()
        click.echo(f"{loader.name}: {report or 'rien à faire'}")
