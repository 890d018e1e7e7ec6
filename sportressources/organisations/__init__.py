"""Organisations: clubs, communes and ressourceries as members of the site; their members,
invitations and verification, and their public pages.

For the packages above: ``policies`` (``can_act_for_organisation``, ``can_manage_organisation``,
``can_run_drives``...), also Jinja globals; ``signals.organisation_submitted``; the macros of
``templates/_macros/organisations.html`` (``organisation_badge``, ``organisation_link``); the
slot ``organisation.sections`` on an organisation's page (``organisation``, ``viewer``); and
``sports.register_sports`` for the sports a profile offers.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core.cli import register_initial_data
    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.organisations import notices, policies
    from sportressources.organisations.demo import load_demo_organisations
    from sportressources.organisations.forms import KIND_LABELS
    from sportressources.organisations.models import Organisation
    from sportressources.organisations.services import ROLE_LABELS, logo_url
    from sportressources.organisations.sports import sport_labels
    from sportressources.organisations.views import bp

    Organisation.transitions.enforce()  # statuses change through apply_transition only
    notices.register_kinds()
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        can_create_organisation=policies.can_create_organisation,
        can_act_for_organisation=policies.can_act_for_organisation,
        can_manage_organisation=policies.can_manage_organisation,
        can_run_drives=policies.can_run_drives,
        can_view_organisation=policies.can_view_organisation,
        organisation_kind_labels=KIND_LABELS,
        organisation_role_labels=ROLE_LABELS,
        organisation_logo_url=logo_url,
    )
    app.jinja_env.filters["organisation_sport_label"] = lambda code: str(
        sport_labels().get(code, code)
    )
    add_to_slot(app, "nav.main", partial("organisations/_nav_items.html"), order=25)
    add_to_slot(app, "account.nav", partial("organisations/_account_nav.html"), order=20)
    add_to_slot(app, "account.sections", partial("organisations/_account_section.html"), order=30)
    register_initial_data(
        app, "organisations de démonstration", load_demo_organisations, 92, demo_only=True
    )
