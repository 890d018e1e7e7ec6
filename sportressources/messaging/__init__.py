"""Messaging: conversations between a listing's owner and the members interested in it."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.cli import register_initial_data
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.core.signals import account_deleting, personal_data_requested
    from sportressources.messaging import names, notices, personal_data, slots
    from sportressources.messaging.demo import seed_demo_conversations
    from sportressources.messaging.views import bp

    notices.register_kinds()
    app.jinja_env.globals.update(
        conversation_other_name=names.other_side_name,
        message_author_name=names.author_name,
        speaks_for_organisation=names.speaks_for_organisation,
    )
    app.register_blueprint(bp)
    register_initial_data(
        app, "conversations de démonstration", seed_demo_conversations, 97, demo_only=True
    )
    add_to_slot(app, "header.account", partial("messages/_header_link.html"), order=10)
    add_to_slot(app, "listing.contact", partial("messages/_contact_owner.html"))
    add_to_slot(app, "my_space.buttons", partial("messages/_my_space_button.html"), order=10)
    add_to_slot(app, "my_space.nav", partial("messages/_my_space_nav.html"), order=20)
    add_to_slot(app, "my_space.sections", slots.my_space_section, order=20)
    add_to_slot(app, "exchanges.my_requests.links", partial("messages/_my_requests_link.html"))
    add_to_slot(app, "exchange.actions", slots.exchange_write_button)
    add_to_slot(app, "loan.actions", slots.loan_write_button)
    personal_data_requested.connect(personal_data.export_messages)
    account_deleting.connect(personal_data.close_conversations_of_deleted_member)
