"""Loans: terms, calendar, booking, handover, return, reminders and the iCal feed."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.cli import register_initial_data
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.core.signals import (
        account_deleting,
        listing_closing,
        personal_data_requested,
    )
    from sportressources.core.tasks import register_task
    from sportressources.listings.models import Listing
    from sportressources.listings.signals import listing_form_checking, listing_form_saved
    from sportressources.trade.loans import (
        listing_form,
        receivers,
        slots,
        views_answer,  # noqa: F401 (its routes join bp)
        views_handover,  # noqa: F401 (its routes join bp)
        views_terms,  # noqa: F401 (its routes join bp)
    )
    from sportressources.trade.loans.cli import loans_cli, remind
    from sportressources.trade.loans.demo import seed_demo_loans
    from sportressources.trade.loans.models import Loan
    from sportressources.trade.loans.organisation_demo import seed_demo_club_gear
    from sportressources.trade.loans.views import bp

    Loan.transitions.enforce()  # statuses change through apply_transition only
    app.register_blueprint(bp)
    app.cli.add_command(loans_cli)
    register_task(app, "loans.remind", remind, 5 * 60)
    register_initial_data(app, "prêts de démonstration", seed_demo_loans, 96, demo_only=True)
    # After the organisations' demo (it creates the club) and the other gear demos
    register_initial_data(
        app, "matériel du club de démonstration", seed_demo_club_gear, 98, demo_only=True
    )
    add_to_slot(app, "header.account", partial("loans/_header_link.html"), order=30)
    add_to_slot(app, "listing.sections", slots.listing_section)
    add_to_slot(app, "listing.form", listing_form.listing_form_section)
    listing_form_checking.connect(listing_form.check_terms, sender=Listing, weak=False)
    listing_form_saved.connect(listing_form.store_terms, sender=Listing, weak=False)
    add_to_slot(app, "organisation.sections", slots.organisation_section, order=10)
    personal_data_requested.connect(receivers.export_loans)
    listing_closing.connect(receivers.cancel_loans_of_closing_listing)
    account_deleting.connect(receivers.cancel_loans_of_deleted_member)
