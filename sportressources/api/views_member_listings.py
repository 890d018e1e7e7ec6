"""A member's listings through the API: list, create, edit, add photos, withdraw.

One source of truth for every check: the JSON fields carry the listing form's names, and the API
runs the page's own ``ListingForm`` on them (required fields, lengths, lists of choices, with the
form's French messages), then the page's services (``create_listing``, ``update_listing``,
``withdraw_listing``), whose ValidationFailed name the same fields. The loan terms and the event
tie travel as the form's ``extras`` do, to the same receivers.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask import url_for
from flask_smorest import Blueprint
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from sportressources.api.auth import require
from sportressources.api.boundary import call
from sportressources.api.errors import problems
from sportressources.api.schemas_member import (
    ListingCreateSchema,
    ListingFieldsSchema,
    MyListingSchema,
    PhotoUploadSchema,
)
from sportressources.api.views_member_forms import member, refuse, run_form
from sportressources.core.errors import Forbidden, ValidationFailed
from sportressources.geo import queries as geo
from sportressources.listings import photos, queries, revisions, services
from sportressources.listings.forms import ListingForm, listing_data
from sportressources.listings.models import Listing
from sportressources.listings.policies import can_edit_listing
from sportressources.organisations.queries import organisations_of
from sportressources.trade.loans import terms as loan_terms
from sportressources.venues import queries as venues_queries

blueprint = Blueprint("api_member_listings", __name__, description="Mes annonces")

FORM_FIELDS = [
    "kind",
    "title",
    "description",
    "sport",
    "category",
    "size",
    "age_group",
    "condition",
    "brand",
    "price",
    "new_price",
    "commune",
    "venue",
    "safety_age_years",
    "safety_no_impact",
    "publish_as",
]
# The form's extra fields (slot « listing.form ») under their JSON names, both ways
EXTRAS = {
    "loan_min_days": "loan-min_days",
    "loan_max_days": "loan-max_days",
    "loan_deposit": "loan-deposit",
    "event": "listing_event",
}
JSON_NAMES = {form: name for name, form in EXTRAS.items()}


def status_label(status: str) -> str:
    # The page's labels (listings.views.status_labels), through the Jinja global it registers
    from flask import current_app

    return str(current_app.jinja_env.globals["listing_status_labels"].get(status, status))


def listing_json(listing: Listing, pending: bool | None = None) -> dict:
    """``pending``: whether a change awaits review, when the caller knows it (a list)."""
    if pending is None:
        pending = revisions.pending_revision(listing) is not None
    organisation = listing.organisation
    return {
        "id": listing.id,
        "kind": listing.kind,
        "title": listing.title,
        "description": listing.description,
        "sport": listing.sport,
        "category": listing.category,
        "size": listing.size,
        "age_group": listing.age_group,
        "condition": listing.condition,
        "brand": listing.brand,
        "price": _euros(listing.price_cents),
        "new_price": _euros(listing.new_price_cents),
        "commune": listing.commune_insee,
        "venue": listing.venue_id,
        "status": listing.status,
        "status_label": status_label(listing.status),
        "pending_change": pending,
        "organisation": {"id": organisation.id, "name": organisation.name}
        if organisation
        else None,
        "photo_count": listing.photo_count,
        "url": url_for("listings.detail", listing_id=listing.id, _external=True),
    }


def _euros(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def listing_form(values: dict, user, editing: bool) -> ListingForm:
    """The page's listing form on ``values``, with the choices the page offers ``user``."""
    form = run_form(ListingForm, {name: values.get(name) for name in FORM_FIELDS})
    if editing:
        del form.publish_as  # who a listing is published for never changes
    else:
        form.publish_as.choices = [SelectChoice("", "")] + [
            SelectChoice(str(organisation.id), organisation.name)
            for organisation in organisations_of(user.id)
        ]
    form.commune.choices = [SelectChoice("", "")] + [
        SelectChoice(commune.insee, commune.label)
        for _zone, communes in geo.communes_by_zone()
        for commune in communes
    ]
    form.venue.choices = [SelectChoice("", "")] + [
        SelectChoice(str(venue.id), venue.name) for venue in venues_queries.pickup_venue_choices()
    ]
    return form


def extras_of(values: dict) -> MultiDict:
    """The form's extra fields for those ``values`` names; none given, none sent (unchanged)."""
    extras = MultiDict()
    if "event" in values:
        extras["listing_event_shown"] = "1"
    for name, form_name in EXTRAS.items():
        if name in values:
            value = values[name]
            extras[form_name] = "" if value is None else str(value)
    return extras


def renamed(service: Callable[[], Listing]) -> Callable[[], Listing]:
    """``service``, whose refusals of the extra fields name them as the JSON does."""

    def run() -> Listing:
        try:
            return service()
        except ValidationFailed as error:
            fields = {JSON_NAMES.get(name, name): value for name, value in error.fields.items()}
            raise ValidationFailed(fields, error.message, code=error.code) from error

    return run


def current_values(listing: Listing) -> dict:
    """The listing's values as its edit page shows them (a pending change included)."""
    revision = revisions.pending_revision(listing)
    shown = revisions.ProposedListing(listing, revision) if revision else listing
    values = {name: getattr(shown, name, None) for name in FORM_FIELDS[:9]}
    values.update(
        price=Decimal(shown.price_cents) / 100 if shown.price_cents is not None else None,
        new_price=Decimal(shown.new_price_cents) / 100
        if shown.new_price_cents is not None
        else None,
        commune=shown.commune_insee,
        venue=shown.venue_id,
        safety_age_years=shown.safety_age_years,
        safety_no_impact=shown.safety_no_impact,
    )
    return values


def photo_keys(listing: Listing) -> list[str]:
    revision = revisions.pending_revision(listing)
    return revision.photo_keys if revision else [photo.key for photo in listing.photos]


def _editable(listing_id: int) -> Listing:
    """The listing, for its editor only: the edit page's 404 and 403."""
    listing = services.get_listing(listing_id, member())
    if not can_edit_listing(member(), listing):
        raise Forbidden()
    return listing


# --- the endpoints -------------------------------------------------------------------------------


@blueprint.route("/me/listings", tags=["Mes annonces"])
@require("read")
@problems(401)
@blueprint.response(200, MyListingSchema(many=True))
def my_listings():
    """Mes annonces, avec leur état.

    Les miennes et celles des organisations pour lesquelles j’agis, la plus récente d’abord.
    """
    grouped = queries.listings_of(member())
    listings = sorted(
        (listing for group in grouped.values() for listing in group),
        key=lambda listing: listing.id,
        reverse=True,
    )
    pending = revisions.with_pending_revision([listing.id for listing in listings])
    return [listing_json(listing, listing.id in pending) for listing in listings]


@blueprint.route("/me/listings", methods=["POST"], tags=["Mes annonces"])
@require("write")
@problems(401, 403, 422)
@blueprint.arguments(ListingCreateSchema)
@blueprint.response(201, MyListingSchema)
def create_listing(data: dict):
    """Publier une annonce.

    Les champs et les règles du formulaire du site, sous les mêmes noms (prix en euros).
    Envoyée en relecture, une annonce doit avoir une photo : créez-la en brouillon
    (``draft``), ajoutez les photos, puis envoyez-la (``PATCH`` avec ``draft`` faux).
    """
    user = member()
    form = listing_form(data, user, editing=False)
    if not form.validate():
        raise refuse(form)
    listing = call(
        renamed(
            lambda: services.create_listing(
                user, listing_data(form, []), submit=not data["draft"], extras=extras_of(data)
            )
        )
    )
    return listing_json(listing)


@blueprint.route("/me/listings/<int:listing_id>", methods=["PATCH"], tags=["Mes annonces"])
@require("write")
@problems(401, 403, 404, 409, 422)
@blueprint.arguments(ListingFieldsSchema)
@blueprint.response(200, MyListingSchema)
def update_listing(data: dict, listing_id: int):
    """Modifier mon annonce.

    Seuls les champs envoyés changent. Comme sur le site, une modification importante d’une
    annonce en ligne attend la relecture (``pending_change``).
    """
    user = member()
    listing = _editable(listing_id)
    values = current_values(listing) | data
    if any(name.startswith("loan_") for name in data):
        current = loan_terms.terms_of(listing)
        values = {
            "loan_min_days": current.min_days,
            "loan_max_days": current.max_days,
            "loan_deposit": Decimal(current.deposit_cents) / 100
            if current.deposit_cents is not None
            else None,
        } | values
    form = listing_form(values, user, editing=True)
    if not form.validate():
        raise refuse(form)
    keys = photo_keys(listing)
    extras = extras_of({name: values[name] for name in values if name in EXTRAS})
    call(
        renamed(
            lambda: services.update_listing(
                user, listing, listing_data(form, keys), submit=not data["draft"], extras=extras
            )
        )
    )
    return listing_json(listing)


@blueprint.route("/me/listings/<int:listing_id>/photos", methods=["POST"], tags=["Mes annonces"])
@require("write")
@problems(401, 403, 404, 409, 413, 422)
@blueprint.arguments(PhotoUploadSchema, location="files")
@blueprint.response(200, MyListingSchema)
def add_photos(data: dict, listing_id: int):
    """Ajouter des photos à mon annonce.

    Envoi multipart, champ ``photos`` : elles s’ajoutent après celles de l’annonce, six au
    plus. Un brouillon reste un brouillon.
    """
    user = member()
    listing = _editable(listing_id)
    form = listing_form(current_values(listing), user, editing=True)
    form.validate()
    uploads, refused = {}, []
    for upload in data["photos"]:
        try:
            uploads[photos.new_key()] = photos.process_upload(upload.stream, upload.filename or "")
        except ValidationFailed as error:
            refused.append(str(error.message))
    if refused:
        raise ValidationFailed({"photos": refused})
    keys = photo_keys(listing) + list(uploads)

    def save() -> Listing:
        # Written with the listing's change: a refusal or a failure leaves no file behind
        for key, processed in uploads.items():
            photos.store_after_commit(processed, key)
        return services.update_listing(user, listing, listing_data(form, keys), submit=False)

    call(save)
    return listing_json(listing)


@blueprint.route("/me/listings/<int:listing_id>/withdraw", methods=["POST"], tags=["Mes annonces"])
@require("write")
@problems(401, 403, 404, 409)
@blueprint.response(200, MyListingSchema)
def withdraw_listing(listing_id: int):
    """Retirer mon annonce du site.

    C’est définitif : les demandes en cours et les prêts à venir sont annulés et les membres
    concernés prévenus.
    """
    listing = services.get_listing(listing_id, member())
    call(lambda: services.withdraw_listing(member(), listing))
    return listing_json(listing)
