"""``flask backup DEST_DIR`` and ``flask restore SRC_DIR``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from sportressources.config import ConfigurationError
from sportressources.core.backup import BackupError, create_backup, restore_backup


@click.command("backup")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(destination: Path) -> None:
    """Save the database and every photo into DESTINATION (a new or empty directory)."""
    try:
        manifest = create_backup(destination)
    except (BackupError, ConfigurationError) as exc:
        raise click.ClickException(str(exc)) from exc
    size = sum(photo["size"] for photo in manifest["photos"])
    click.echo(
        f"Sauvegarde écrite dans {destination} : base {manifest['database']['kind']} "
        f"(révision {manifest['alembic_revision']}), {len(manifest['photos'])} photo(s), "
        f"{size / 1_000_000:.1f} Mo."
    )


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Remplacer une base qui contient déjà des tables (ses données sont perdues).",
)
@with_appcontext
def restore_command(source: Path, force: bool) -> None:
    """Restore the backup in SOURCE into an empty database and the configured storage."""
    try:
        report = restore_backup(source, force=force)
    except (BackupError, ConfigurationError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Sauvegarde {source} restaurée : base à la révision {report.revision}, "
        f"{report.photos} photo(s) vérifiée(s)."
    )
    for note in report.notes:
        click.echo(note)
