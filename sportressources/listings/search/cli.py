"""``flask search reindex``: rebuild the search projection from the listings (after a change of
what is indexed, such as the sizes added to the text, or writes that bypassed the ORM)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from sportressources.core.db import db, transaction
from sportressources.listings.search.index import reindex_listings

search_cli = AppGroup("search", help="Index de recherche des annonces.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild every row of the search index from the listings."""
    with transaction():
        count = reindex_listings(db.session.connection())
    click.echo(f"{count} annonce(s) indexée(s)")
