"""Alerts: saved searches and the daily digest of new listings that match them."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.alerts import services
    from sportressources.alerts.views import bp
    from sportressources.core.signals import account_deleting, personal_data_requested

    app.register_blueprint(bp)
    app.cli.add_command(services.alerts_cli)
    personal_data_requested.connect(services.export_alerts)
    account_deleting.connect(services.delete_alerts_of_deleted_member)
