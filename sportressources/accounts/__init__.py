"""Accounts: registration, sign-in, profile, personal data, site roles."""

from flask import Flask, g


def init_app(app: Flask) -> None:
    from sportressources.accounts import views_tokens  # noqa: F401 (its routes join bp)
    from sportressources.accounts.cli import purge_unconfirmed, users_cli
    from sportressources.accounts.demo import load_demo_accounts
    from sportressources.accounts.profile import link_legacy_communes
    from sportressources.accounts.sessions import touch_current_session
    from sportressources.accounts.views import bp
    from sportressources.core.cli import register_initial_data
    from sportressources.core.tasks import crontab, register_task

    app.register_blueprint(bp)

    @app.after_request
    def note_session_seen(response):
        user = g.get("_login_user")  # only if this request loaded it
        if user is not None and user.is_authenticated:
            touch_current_session(user)
        return response

    app.cli.add_command(users_cli)
    register_task(app, "users.purge_unconfirmed", purge_unconfirmed, crontab(hour=3, minute=10))
    register_initial_data(app, "communes des membres", link_legacy_communes, 20)
    register_initial_data(app, "comptes de démonstration", load_demo_accounts, 90, demo_only=True)
