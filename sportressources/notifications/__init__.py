"""Notifications: the one way to tell a member something (in-app notice and email)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.core.signals import account_deleting, personal_data_requested
    from sportressources.notifications import services
    from sportressources.notifications.views import bp

    app.register_blueprint(bp)
    add_to_slot(app, "header.account", partial("notifications/_header_link.html"), order=20)
    personal_data_requested.connect(services.export_notifications)
    account_deleting.connect(services.delete_notifications_of_deleted_member)
