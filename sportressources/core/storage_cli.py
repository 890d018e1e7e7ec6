"""``flask storage create-bucket``: the one place that creates the S3 bucket (never at start-up)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from sportressources.config import ConfigurationError

storage_cli = AppGroup("storage", help="Stockage des photos (disque local ou S3).")


@storage_cli.command("create-bucket")
def create_bucket_command() -> None:
    """Create the S3_BUCKET bucket of the S3 storage, if it does not exist yet."""
    from sportressources.core.storage_s3 import S3Storage, StorageUnavailable

    config = current_app.config
    if config["STORAGE_BACKEND"] != "s3":
        raise click.ClickException(
            "STORAGE_BACKEND n’est pas « s3 » : les photos sont sur le disque, "
            f"dans {config['UPLOAD_DIR']}, aucun bucket à créer."
        )
    try:
        storage = S3Storage.from_config(config, check=False)
        created = storage.create_bucket(config["S3_REGION"])
        storage.check_bucket()
    except (ConfigurationError, StorageUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    if created:
        click.echo(f"Bucket {storage.bucket} créé sur {storage.where}.")
    else:
        click.echo(f"Le bucket {storage.bucket} existe déjà sur {storage.where}.")
