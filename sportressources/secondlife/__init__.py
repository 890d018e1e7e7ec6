"""Second life: gear nobody uses is suggested to its owner for a gift or a partner ressourcerie."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.cli import register_initial_data
    from sportressources.core.hooks import add_to_slot
    from sportressources.core.signals import personal_data_requested
    from sportressources.core.tasks import crontab, register_task
    from sportressources.secondlife import notices, personal_data, settings, slots
    from sportressources.secondlife.cli import scan_job, secondlife_cli
    from sportressources.secondlife.demo import age_demo_loan_item
    from sportressources.secondlife.models import Suggestion
    from sportressources.secondlife.views import bp

    settings.register(app)
    Suggestion.transitions.enforce()  # statuses change through apply_transition only
    notices.register_kinds()
    app.register_blueprint(bp)
    app.cli.add_command(secondlife_cli)
    register_task(app, "secondlife.scan", scan_job, crontab(hour=10, minute=0))
    register_initial_data(app, "seconde vie de démonstration", age_demo_loan_item, 98, True)
    add_to_slot(app, "my_space.sections", slots.my_space_section, order=15)
    add_to_slot(app, "organisation.sections", slots.organisation_section, order=40)
    personal_data_requested.connect(personal_data.export_suggestions)
