"""Geography: the zones of the Pôle (its intercommunalities), their communes, distances, maps."""

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    import xstatic.pkg.leaflet

    # Leaflet comes from the XStatic-Leaflet package on PyPI and is served by the app: no CDN
    leaflet = Blueprint(
        "leaflet",
        __name__,
        static_folder=xstatic.pkg.leaflet.BASE_DIR,
        static_url_path="/static/vendor/leaflet",
    )
    app.register_blueprint(leaflet)
