"""What every domain builds on: database, errors, mail, storage, the request boundary, templates."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.core import (
        cache,
        errorpages,
        hooks,
        httpcache,
        logs,
        metrics,
        requestlog,
        templating,
    )
    from sportressources.core.backup_cli import backup_command, restore_command
    from sportressources.core.cli import data_cli
    from sportressources.core.doctor import doctor_command
    from sportressources.core.errors import DomainError
    from sportressources.core.mail import tasks as mail_tasks
    from sportressources.core.mail.cli import mail_cli
    from sportressources.core.metrics_views import bp as metrics_bp
    from sportressources.core.params import refuse_nul_in_path
    from sportressources.core.security import register_security_headers
    from sportressources.core.storage_cli import storage_cli
    from sportressources.core.tasks import init_tasks
    from sportressources.core.views import bp as media_bp
    from sportressources.core.web import error_response

    init_tasks(app)  # first: every package's init_app may register tasks
    cache.init_app(app)
    httpcache.init_app(app)
    mail_tasks.register(app)
    errorpages.register(app)
    app.before_request(refuse_nul_in_path)
    # A DomainError no view caught answers by the request boundary's one table
    app.register_error_handler(DomainError, error_response)
    logs.register(app)
    requestlog.register(app)
    metrics.register(app)
    templating.register(app)
    hooks.register(app)
    register_security_headers(app)
    app.register_blueprint(media_bp)
    app.register_blueprint(metrics_bp)
    app.cli.add_command(data_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(storage_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(doctor_command)
