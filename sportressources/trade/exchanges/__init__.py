"""Exchanges: a member asks for a gift or a sale, the owner accepts, both confirm the handover."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.core.signals import (
        account_deleting,
        listing_availability_changing,
        listing_closing,
        personal_data_requested,
    )
    from sportressources.trade.exchanges import notices, receivers, slots
    from sportressources.trade.exchanges.models import ExchangeRequest
    from sportressources.trade.exchanges.views import bp

    notices.register_kinds()
    ExchangeRequest.transitions.enforce()  # statuses change through apply_transition only
    app.register_blueprint(bp)
    add_to_slot(app, "listing.owner", slots.owner_reliability)
    add_to_slot(app, "listing.actions", slots.listing_actions)
    add_to_slot(app, "my_space.buttons", partial("exchanges/_my_space_button.html"), order=20)
    add_to_slot(app, "my_space.nav", partial("exchanges/_my_space_nav.html"), order=10)
    add_to_slot(app, "my_space.sections", slots.my_space_sections, order=10)
    personal_data_requested.connect(receivers.export_exchanges)
    account_deleting.connect(receivers.withdraw_requests_of_deleted_member)
    listing_closing.connect(receivers.release_requests_of_closing_listing)
    listing_availability_changing.connect(receivers.refuse_availability_change_after_choice)
