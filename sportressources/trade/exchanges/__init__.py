"""Exchanges: a member asks for a gift or a sale, the owner accepts, both confirm the handover."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.signals import (
        account_deleting,
        listing_availability_changing,
        listing_closing,
        personal_data_requested,
    )
    from sportressources.trade.exchanges import services
    from sportressources.trade.exchanges.models import ExchangeRequest
    from sportressources.trade.exchanges.views import bp

    ExchangeRequest.transitions.enforce()  # statuses change through apply_transition only
    app.register_blueprint(bp)
    personal_data_requested.connect(services.export_exchanges)
    account_deleting.connect(services.withdraw_requests_of_deleted_member)
    listing_closing.connect(services.release_requests_of_closing_listing)
    listing_availability_changing.connect(services.refuse_availability_change_after_choice)
