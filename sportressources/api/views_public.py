"""Public, read-only endpoints: anyone may call them, other sites' browsers too (CORS)."""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint

from sportressources.api.schemas import Schema, ma

blueprint = Blueprint("api_public", __name__, description="Données publiques")


class IndexSchema(Schema):
    openapi = ma.fields.String(required=True, metadata={"description": "Description OpenAPI"})
    documentation = ma.fields.String(required=True)


@blueprint.route("/")
@blueprint.response(200, IndexSchema)
def index():
    """Point d’entrée de l’API : où trouver sa description et sa documentation."""
    return {
        "openapi": url_for("api-docs.openapi_json", _external=True),
        "documentation": url_for("api-docs.openapi_json", _external=True),
    }
