"""Listings: gear offered as a gift, a loan or a sale; its photos, review and search."""

import random

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.cli import register_initial_data
    from sportressources.core.signals import account_deleting, personal_data_requested
    from sportressources.listings import services
    from sportressources.listings.cli import demo_cli
    from sportressources.listings.demo import seed_demo
    from sportressources.listings.models import Listing
    from sportressources.listings.photos import uploads_cli
    from sportressources.listings.views import bp

    Listing.transitions.enforce()  # statuses change through apply_transition only
    app.register_blueprint(bp)
    app.cli.add_command(uploads_cli)
    app.cli.add_command(demo_cli)
    register_initial_data(
        app,
        "annonces de démonstration",
        lambda: seed_demo(random.Random(62)),
        95,
        demo_only=True,
    )
    personal_data_requested.connect(services.export_listings)
    account_deleting.connect(services.withdraw_listings_of_deleted_account)
