"""Development tools (the outbox reader): registered in development and testing only."""

from flask import Flask


def init_app(app: Flask) -> None:
    if app.config["APP_ENV"] in {"development", "testing"}:
        from sportressources.dev.views import bp

        app.register_blueprint(bp)
