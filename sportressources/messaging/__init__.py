"""Messaging: conversations between a listing's owner and the members interested in it."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.cli import register_initial_data
    from sportressources.core.signals import account_deleting, personal_data_requested
    from sportressources.messaging import services
    from sportressources.messaging.demo import seed_demo_conversations
    from sportressources.messaging.views import bp

    app.register_blueprint(bp)
    register_initial_data(
        app, "conversations de démonstration", seed_demo_conversations, 97, demo_only=True
    )
    personal_data_requested.connect(services.export_messages)
    account_deleting.connect(services.close_conversations_of_deleted_member)
