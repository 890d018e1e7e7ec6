"""``flask demo seed``: the demo data of every domain, or synthetic listings for benchmarks."""

from __future__ import annotations

import random
import time

import click
from flask import current_app
from flask.cli import AppGroup

from sportressources.core.cli import initial_data_loaders
from sportressources.core.db import transaction
from sportressources.listings.synthetic import analyze, seed_synthetic_listings

demo_cli = AppGroup("demo", help="Données de démonstration et de test de charge.")


@demo_cli.command("seed")
@click.option(
    "--listings",
    "count",
    type=click.IntRange(min=1),
    default=None,
    help="Générer N annonces synthétiques (test de charge) au lieu des données de démonstration.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=100),
    default=10_000,
    show_default=True,
    help="Lignes par lot.",
)
@click.option("--seed", "random_seed", type=int, default=62, show_default=True)
def seed_command(count: int | None, batch: int, random_seed: int) -> None:
    """Add the demo data of every domain (idempotent), or N synthetic listings with --listings N."""
    if count is None:
        # Every demo loader the domains registered (accounts, listings, loans, conversations...)
        for loader in initial_data_loaders(current_app):
            if loader.demo_only:
                with transaction():
                    click.echo(f"{loader.name}: {loader.load() or 'rien à faire'}")
        return
    started = time.monotonic()

    def progress(done: int) -> None:
        elapsed = time.monotonic() - started
        click.echo(f"  {done} / {count} annonces ({elapsed:.0f} s)")

    with transaction():
        seed_synthetic_listings(
            count, batch=batch, rng=random.Random(random_seed), progress=progress
        )
    analyze()
    click.echo(f"{count} annonces synthétiques créées en {time.monotonic() - started:.0f} s.")
