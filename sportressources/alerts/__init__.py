"""Alerts: saved searches and the daily digest of new listings that match them."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.alerts import notices, services, slots
    from sportressources.alerts.views import bp
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.core.signals import account_deleting, personal_data_requested
    from sportressources.core.tasks import crontab, register_task

    notices.register_kinds()
    app.register_blueprint(bp)
    app.cli.add_command(services.alerts_cli)
    register_task(app, "alerts.send", services.send_digests_job, crontab(hour=7, minute=0))
    add_to_slot(app, "search.results_head", partial("alerts/_save_search.html"))
    add_to_slot(app, "my_space.buttons", partial("alerts/_my_space_button.html"), order=30)
    add_to_slot(app, "my_space.nav", partial("alerts/_my_space_nav.html"), order=40)
    add_to_slot(app, "my_space.sections", slots.my_space_section, order=40)
    personal_data_requested.connect(services.export_alerts)
    account_deleting.connect(services.delete_alerts_of_deleted_member)
