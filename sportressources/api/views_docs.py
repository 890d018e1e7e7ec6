"""The interactive API documentation page, from the site's own templates and static files.

Rendered from the OpenAPI document the code generates (the one served at ``openapi.json``): the
operations by tag with their parameters, request bodies and responses, then the schemas. Each
GET operation has an « Essayer » form: a plain GET form to ``try_operation``, which sends the
browser to the operation's URL (path parameters put in place), so it works without JavaScript;
``static/js/api-docs.js`` shows the answer in the page instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request
from flask_babel import gettext as _

from sportressources.api.cors import allow_read
from sportressources.core.params import text_param

bp = Blueprint("api_documentation", __name__)
# Longest value an « Essayer » form passes on
ARG_MAX_LENGTH = 1000

METHODS = ("get", "post", "put", "patch", "delete")
_REF = "#/components/schemas/"
_PARAM = re.compile(r"{([^}/]+)}")


@dataclass
class Field:
    name: str
    type: str
    required: bool
    description: str = ""
    ref: str | None = None  # the schema it refers to, if any


@dataclass
class Parameter:
    name: str
    location: str
    type: str
    required: bool
    description: str = ""
    choices: list[str] = field(default_factory=list)
    maximum_length: int | None = None


@dataclass
class Response:
    status: str
    description: str
    content_types: list[str]
    schema: str | None


@dataclass
class Operation:
    id: str
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Parameter]
    body: list[Field] | str | None
    body_content_type: str | None
    responses: list[Response]
    secured: bool


@dataclass
class Tag:
    name: str
    description: str
    operations: list[Operation]


def api_document() -> dict:
    """The OpenAPI document, as served at ``openapi.json``."""
    apis = current_app.extensions["flask-smorest"]["blp_name_to_api"]
    return next(iter(apis.values())).spec.to_dict()


def type_of(schema: dict) -> tuple[str, str | None]:
    """A schema's type as people read it (« integer », « liste de Listing »), and its name."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(_REF)
        return name, name
    kind = schema.get("type", "")
    if isinstance(kind, list):
        kind = " | ".join(k for k in kind)
    if kind == "array" or (isinstance(kind, str) and kind.startswith("array")):
        inner, name = type_of(schema.get("items", {}))
        return _("liste de %(type)s", type=inner), name
    if "allOf" in schema or "anyOf" in schema or "oneOf" in schema:
        parts = schema.get("allOf") or schema.get("anyOf") or schema.get("oneOf")
        return type_of(parts[0])
    if schema.get("format"):
        return f"{kind} ({schema['format']})", None
    return kind or "objet", None


def fields_of(schema: dict) -> list[Field]:
    required = set(schema.get("required", ()))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        kind, ref = type_of(prop)
        fields.append(Field(name, kind, name in required, prop.get("description", ""), ref))
    return fields


def operations_by_tag(document: dict) -> list[Tag]:
    responses_defs = document.get("components", {}).get("responses", {})
    tags = {
        tag["name"]: Tag(tag["name"], tag.get("description", ""), [])
        for tag in document.get("tags", [])
    }
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = []
            for param in shared + operation.get("parameters", []):
                schema = param.get("schema", {})
                kind, _name = type_of(schema)
                parameters.append(
                    Parameter(
                        param["name"],
                        param["in"],
                        kind,
                        bool(param.get("required")),
                        param.get("description") or schema.get("description", ""),
                        [str(c) for c in schema.get("enum", []) if c != ""],  # "" is « any »
                        schema.get("maxLength"),
                    )
                )
            body, body_type = None, None
            content = operation.get("requestBody", {}).get("content", {})
            for content_type, media in content.items():
                body_type = content_type
                schema = media.get("schema", {})
                kind, name = type_of(schema)
                body = name or kind
            responses = []
            for status, response in sorted(operation.get("responses", {}).items()):
                if "$ref" in response:
                    response = responses_defs.get(response["$ref"].rsplit("/", 1)[-1], {})
                media = response.get("content", {})
                schema_name = None
                for media_type in media.values():
                    schema_name = type_of(media_type.get("schema", {}))[0]
                responses.append(
                    Response(status, response.get("description", ""), list(media), schema_name)
                )
            entry = Operation(
                id=operation.get("operationId") or f"{method}-{path}",
                method=method.upper(),
                path=path,
                summary=operation.get("summary", ""),
                description=operation.get("description", ""),
                parameters=parameters,
                body=body,
                body_content_type=body_type,
                responses=responses,
                secured=bool(operation.get("security")),
            )
            for tag in operation.get("tags") or ["API"]:
                tags.setdefault(tag, Tag(tag, "", [])).operations.append(entry)
    return [tag for tag in tags.values() if tag.operations]


def schemas_of(document: dict) -> list[tuple[str, str, list[Field]]]:
    schemas = document.get("components", {}).get("schemas", {})
    return [
        (name, schema.get("description", ""), fields_of(schema))
        for name, schema in sorted(schemas.items())
    ]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@bp.route("/documentation")
def documentation():
    document = api_document()
    return render_template(
        "api/documentation.html",
        document=document,
        tags=operations_by_tag(document),
        schemas=schemas_of(document),
        slug=slug,
    )


@bp.route("/documentation/essayer")
def try_operation():
    """The « Essayer » form without JavaScript: to the operation's URL, its path parameters put
    in place and the other filled fields as its query string."""
    wanted = text_param(request.args, "operation", max_length=ARG_MAX_LENGTH)
    for tag in operations_by_tag(api_document()):
        for operation in tag.operations:
            if operation.id == wanted and operation.method == "GET":
                return redirect(operation_url(operation, request.args), code=303)
    abort(404)


def operation_url(operation: Operation, args) -> str:
    values = {
        p.name: text_param(args, p.name, max_length=ARG_MAX_LENGTH) for p in operation.parameters
    }
    path = _PARAM.sub(lambda m: quote(values.get(m.group(1)) or "-", safe=""), operation.path)
    query = [
        (p.name, values[p.name])
        for p in operation.parameters
        if p.location == "query" and values[p.name]
    ]
    return path + (f"?{urlencode(query)}" if query else "")


def init_app(app: Flask) -> None:
    """Register the documentation page; let other sites' browsers read the OpenAPI document."""
    from sportressources.core.hooks import add_to_slot, partial

    # Beside the OpenAPI document (/api/v1/documentation)
    app.register_blueprint(bp, url_prefix=app.config["OPENAPI_URL_PREFIX"])
    add_to_slot(app, "footer.links", partial("api/footer_link.html"), order=60)

    @app.after_request
    def document_cors(response):
        if request.endpoint == "api-docs.openapi_json":
            return allow_read(response)
        return response
