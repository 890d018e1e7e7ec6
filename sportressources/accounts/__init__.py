"""Accounts: registration, sign-in, profile, personal data, site roles."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.accounts.cli import users_cli
    from sportressources.accounts.demo import load_demo_accounts
    from sportressources.accounts.profile import link_legacy_communes
    from sportressources.accounts.views import bp
    from sportressources.core.cli import register_initial_data

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    register_initial_data(app, "communes des membres", link_legacy_communes, 20)
    register_initial_data(app, "comptes de démonstration", load_demo_accounts, 90, demo_only=True)
