"""``flask users ...``: account administration from the command line."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from sportressources.accounts import personal_data, services
from sportressources.core.db import transaction
from sportressources.core.errors import DomainError
from sportressources.core.security import Role
from sportressources.core.tasks import SKIPPED, exclusive

users_cli = AppGroup("users", help="Gestion des comptes.")


def _failure(error: DomainError) -> click.ClickException:
    # No request, hence no visitor's language to pick: use the site's default one.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return click.ClickException(str(error))


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", "display_name", default="Administrateur", show_default=True)
def create_admin_command(email: str, display_name: str) -> None:
    """Create a confirmed admin account (asks for its password), or promote an existing one."""
    existing = services.find_user_by_email(email)
    password = ""
    if existing is None:
        password = click.prompt(
            "Mot de passe", hide_input=True, confirmation_prompt="Confirmez le mot de passe"
        )
    try:
        with transaction():
            user = services.create_admin(email, password, display_name)
    except DomainError as error:
        raise _failure(error) from error
    verb = "promu administrateur" if existing is not None else "créé"
    click.echo(f"Compte {user.email} {verb}.")


@exclusive("users.purge_unconfirmed")
def purge_unconfirmed(days: int = 7) -> str:
    """Erase accounts never confirmed after ``days`` days; returns a summary."""
    with transaction():
        count = personal_data.purge_unconfirmed_accounts(timedelta(days=days))
    return f"{count} compte(s) non confirmé(s) supprimé(s)."


@users_cli.command("purge-unconfirmed")
@click.option("--days", default=7, show_default=True, type=click.IntRange(min=1))
def purge_unconfirmed_command(days: int) -> None:
    """Erase accounts never confirmed after DAYS days (the beat runs it daily)."""
    click.echo(purge_unconfirmed(days) or SKIPPED)


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([role.value for role in Role]))
def set_role_command(email: str, role: str) -> None:
    """Give the account with EMAIL the role ROLE."""
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"Aucun compte actif pour {email}.")
    try:
        with transaction():
            services.set_role(user, role)
    except DomainError as error:
        raise _failure(error) from error
    click.echo(f"{user.email} a maintenant le rôle {role}.")
