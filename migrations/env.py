"""Alembic environment for Flask-Migrate: runs against the app's own engine and metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None:
    # Keep the application's loggers alive when migrations run inside the app (tests, CLI).
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata
options = current_app.extensions["migrate"].configure_args


def include_object(obj, name, type_, reflected, compare_to):
    # Objects that only one backend has (full-text tables, extensions) are managed by hand.
    if reflected and name and name.startswith("search_"):  # listings/search_index.py
        return False
    return not obj.info.get("skip_autogenerate", False) if hasattr(obj, "info") else True


def render_item(type_, obj, autogen_context):
    # Our TypeDecorators are storage details of the models: migrations use the plain SQL type.
    if type_ == "type" and hasattr(obj, "impl") and obj.__module__.startswith("sportressources"):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        include_object=include_object,
        **options,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    connectable = db.engine
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            process_revision_directives=process_revision_directives,
            include_object=include_object,
            render_item=render_item,
            **options,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
