"""Moderation: the review queue, automatic flags, reports (DSA notice and action), statements of
reasons, appeals, sanctions, the audit log pages, the dashboard and the transparency page."""

from flask import Flask

# Each views_* module adds its routes to the one blueprint of views.py when imported
VIEW_MODULES = (
    "views_queue",
    "views_flags",
    "views_reports",
    "views_appeals",
    "views_sanctions",
    "views_admin",
    "views_mail",
)
# Each part wires itself (notice kinds, CLI, slots, receivers) through its ``register(app)``
PARTS = ("decisions", "flags", "reports", "statement_slots", "appeals", "sanctions", "figures")


def init_app(app: Flask) -> None:
    from importlib import import_module

    from sportressources.core.hooks import add_to_slot, partial
    from sportressources.core.tasks import crontab, register_task
    from sportressources.moderation import notices, receivers
    from sportressources.moderation.cli import moderation_cli
    from sportressources.moderation.models import Appeal, ModerationCase, Report, Sanction
    from sportressources.moderation.sanctions import end_sanctions_job
    from sportressources.moderation.views import bp

    for name in VIEW_MODULES:
        import_module(f"sportressources.moderation.{name}")
    notices.register_kinds()
    for name in PARTS:
        import_module(f"sportressources.moderation.{name}").register(app)
    for model in (ModerationCase, Report, Appeal, Sanction):
        model.transitions.enforce()  # statuses change through apply_transition only
    app.register_blueprint(bp)
    app.cli.add_command(moderation_cli)
    register_task(app, "moderation.end_sanctions", end_sanctions_job, crontab(minute=5))
    receivers.connect()
    add_to_slot(app, "nav.moderation", partial("moderation/_nav_items.html"), order=5)
