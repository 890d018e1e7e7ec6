"""Pages: home, legal pages, site map, language choice."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.pages.views import bp

    app.register_blueprint(bp)
