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

    from sportressources.geo.collation import french_sorted
    from sportressources.geo.distance import distance_label

    app.add_template_filter(distance_label, "distance")
    # ``communes | french_sorted(attribute="name")``: accents sorted as French readers expect
    app.add_template_filter(
        lambda items, attribute="name": french_sorted(items, key=lambda i: getattr(i, attribute)),
        "french_sorted",
    )
