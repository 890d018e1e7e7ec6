from __future__ import annotations

import json
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from sportressources.core.errors import ValidationFailed
from sportressources.core.forms import grouped_choices
from sportressources.core.httpcache import public_page
from sportressources.core.web import act, confirmation, flash_undo, form_status
from sportressources.geo import queries as geo
from sportressources.listings import favourites, photos, queries, revisions, services
from sportressources.listings.cards import listing_cards
from sportressources.listings.forms import (
    ActionForm,
    ListingForm,
    listing_data,
    size_groups_by_category,
)
from sportressources.listings.models import Listing, ListingStatus
from sportressources.listings.owners import owner_name
from sportressources.listings.policies import (
    acts_for_owner,
    can_contact_owner,
    can_edit_listing,
    can_publish_for_organisation,
    can_review_listings,
    can_view_listing,
)
from sportressources.listings.search.form import filter_options
from sportressources.listings.search.params import parse_search_args
from sportressources.listings.search.query import search_listings
from sportressources.listings.taxonomy import (
    AGE_GROUPS,
    CATEGORIES,
    CONDITION_LABELS,
    KIND_LABELS,
    SPORTS,
    rules_table,
    size_label,
)
from sportressources.organisations.queries import organisations_of
from sportressources.venues import queries as venues_queries

bp = Blueprint("listings", __name__)


@bp.record_once
def register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        kind_labels=KIND_LABELS,
        condition_labels=CONDITION_LABELS,
        sport_labels=SPORTS,
        categories=CATEGORIES,
        age_group_labels=AGE_GROUPS,
        listing_status_labels=status_labels(),
        photo_url=photo_url,
        listing_cards=listing_cards,
        can_edit_listing=can_edit_listing,
        can_contact_owner=can_contact_owner,
        listing_page_url=listing_page_url,
        owner_name=owner_name,
        acts_for_owner=acts_for_owner,
        can_publish_for_organisation=can_publish_for_organisation,
        last_listing_revision=revisions.last_revision,
    )
    state.app.jinja_env.filters["euros"] = services.euros
    state.app.jinja_env.filters["price"] = price_label
    state.app.jinja_env.globals["size_label"] = size_label


def status_labels() -> dict:
    return {
        ListingStatus.DRAFT: _l("Brouillon"),
        ListingStatus.AWAITING_REVIEW: _l("En attente de relecture"),
        ListingStatus.PUBLISHED: _l("Publiée"),
        ListingStatus.RESERVED: _l("Réservée"),
        ListingStatus.GIVEN: _l("Donnée"),
        ListingStatus.SOLD: _l("Vendue"),
        ListingStatus.WITHDRAWN: _l("Retirée"),
        ListingStatus.REJECTED: _l("Refusée"),
        ListingStatus.CHANGES_REQUESTED: _l("Modification demandée"),
        ListingStatus.REMOVED: _l("Retirée par la modération"),
        ListingStatus.HIDDEN: _l("Masquée"),
    }


def price_label(cents: int | None) -> str:
    """« 12,50 € » in French, « €12,50 »-style order in English: the catalogue decides."""
    if cents is None:
        return ""
    return _("%(price)s €", price=services.euros(cents))


def photo_url(key: str, size: str = "m") -> str:
    """URL of a stored photo: size "l" (large), "m" (medium) or "s" (small)."""
    suffix = "" if size == "l" else f"-{size}"
    return url_for("media.file", name=f"{key}{suffix}.jpg")


def listing_page_url(listing: Listing) -> str | None:
    """The listing's page if the signed-in member may see it; None for a closed listing."""
    if not can_view_listing(current_user, listing):
        return None
    return url_for("listings.detail", listing_id=listing.id)


# --- the listing form -------------------------------------------------------------------------


def _prepare(form: ListingForm, listing: Listing | None = None) -> ListingForm:
    # static/js/listing-form.js narrows the sizes to the chosen category's scales
    form.size.render_kw = {
        "data-size-groups": json.dumps(size_groups_by_category(), ensure_ascii=False),
        "data-category-field": form.category.id,
    }
    if listing is None:
        form.publish_as.choices = [SelectChoice("", _("Moi-même"))] + [
            SelectChoice(str(organisation.id), organisation.name)
            for organisation in organisations_of(current_user.id)
        ]
    else:
        # Who a listing is published for never changes (services.update_listing)
        del form.publish_as
    form.commune.choices = grouped_choices(
        [
            (zone.short_name, [(c.insee, c.label) for c in communes])
            for zone, communes in geo.communes_by_zone()
        ],
        blank="—",
    )
    venues = [
        (str(venue.id), f"{venue.name} ({venue.commune.name})")
        for venue in venues_queries.pickup_venue_choices()
    ]
    form.venue.choices = grouped_choices(
        [(_("Lieux de remise"), venues)], blank=_("Aucun, je précise dans les messages")
    )
    return form


def _collect_photos(
    form: ListingForm, listing: Listing | None
) -> tuple[list[str], dict[str, photos.ProcessedPhoto]]:
    """The photos of the submitted form, in order (those kept, then the new uploads), and the new
    uploads that passed, by key, not stored yet; a refused file adds its French message to the
    field."""
    keys: list[str] = []
    uploads: dict[str, photos.ProcessedPhoto] = {}
    own = _own_photo_keys(listing)
    for key in request.form.getlist("existing_photos"):
        if key in own and key not in keys:
            keys.append(key)
    for token in request.form.getlist("kept_photos"):
        try:
            key = photos.read_signed_key(token, current_user.id)
        except ValidationFailed as error:
            form.photos.errors = [*form.photos.errors, str(error.message)]
            continue
        if key not in keys:
            keys.append(key)
    for upload in request.files.getlist(form.photos.name):
        if not upload or not upload.filename:
            continue
        if len(keys) >= services.MAX_PHOTOS:
            form.photos.errors = [*form.photos.errors, _("Six photos au plus.")]
            break
        try:
            processed = photos.process_upload(upload.stream, upload.filename)
        except ValidationFailed as error:
            form.photos.errors = [*form.photos.errors, str(error.message)]
            continue
        key = photos.new_key()
        uploads[key] = processed
        keys.append(key)
    return keys, uploads


def _own_photo_keys(listing: Listing | None) -> set[str]:
    """The photos of the listing and of its change waiting for review."""
    if listing is None:
        return set()
    revision = revisions.pending_revision(listing)
    return {photo.key for photo in listing.photos} | set(revision.photo_keys if revision else [])


def _render_form(form: ListingForm, listing: Listing | None, keys: list[str], extra_errors=None):
    # Sending for review needs a photo: marked required while the listing has none
    form.photos.flags.required = not keys
    own = _own_photo_keys(listing)
    pending = [
        {"key": key, "token": None if key in own else photos.sign_key(key, current_user.id)}
        for key in keys
    ]
    return render_template(
        "listings/form.html",
        form=form,
        listing=listing,
        pending_photos=pending,
        revision=revisions.last_revision(listing) if listing is not None else None,
        extra_formdata=request.form if request.method == "POST" else None,
        extra_errors=extra_errors or {},
    ), form_status(form)


def _save(form: ListingForm, listing: Listing | None):
    valid = form.validate()  # first: validation resets each field's errors
    keys, uploads = _collect_photos(form, listing)
    submit = request.form.get("action") != "draft"
    if valid and not form.photos.errors:

        def save() -> Listing:
            # Written with the listing: a failure of any kind leaves no file behind.
            for key, processed in uploads.items():
                photos.store_after_commit(processed, key)
            data = listing_data(form, keys)
            # The fields other packages add through the slot « listing.form » (loan terms)
            extras = request.form
            if listing is None:
                return services.create_listing(current_user, data, submit=submit, extras=extras)
            return services.update_listing(
                current_user, listing, data, submit=submit, extras=extras
            )

        if done := act(save, form=form):
            flash(_saved_message(done.value), "success")
            return redirect(url_for("listings.detail", listing_id=done.value.id))
        extra_errors = _extra_errors(form, done.error)
    else:
        extra_errors = {}
    # The form goes back with its new photos as pending uploads, so that they need not be sent
    # again; ``flask uploads purge`` deletes those never attached to a listing.
    for key, processed in uploads.items():
        photos.store(processed, key)
    return _render_form(form, listing, keys, extra_errors)


def _extra_errors(form: ListingForm, error) -> dict[str, list[str]]:
    """The refusals of the slot's extra fields, by field name; their messages join the form's
    error summary in place of the general one."""
    fields = getattr(error, "fields", {}) or {}
    extra = {
        name: [str(m) for m in messages]
        for name, messages in fields.items()
        if getattr(form, name, None) is None
    }
    if extra:
        general = str(error.message)
        form.form_errors = [m for m in form.form_errors if m != general]
        form.form_errors.extend(message for messages in extra.values() for message in messages)
    return extra


def _saved_message(listing: Listing) -> str:
    if listing.is_visible and revisions.pending_revision(listing) is not None:
        return _(
            "Merci ! Votre modification sera visible dès qu’un membre de l’équipe de modération "
            "l’aura relue ; d’ici là, l’annonce reste en ligne telle qu’elle était."
        )
    if listing.status == ListingStatus.DRAFT.value:
        return _("Brouillon enregistré. Il n’est visible que par vous.")
    if listing.status == ListingStatus.AWAITING_REVIEW.value:
        return _(
            "Merci ! Votre annonce sera visible dès qu’un membre de l’équipe de modération "
            "l’aura relue."
        )
    return _("Votre annonce est publiée.")


@bp.route("/annonces/nouvelle", methods=["GET", "POST"])
@login_required
def new():
    form = _prepare(ListingForm())
    if request.method == "POST":
        return _save(form, None)
    if current_user.home_commune_insee:
        form.commune.data = current_user.home_commune_insee
    return _render_form(form, None, [])


@bp.route("/annonces/<int:listing_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(listing_id: int):
    listing = services.get_listing(listing_id, current_user)
    if not can_edit_listing(current_user, listing):
        abort(403)
    # A change waiting for review is what the owner goes on editing
    revision = revisions.pending_revision(listing)
    shown = revisions.ProposedListing(listing, revision) if revision else listing
    form = _prepare(ListingForm(obj=shown if request.method == "GET" else None), listing)
    if request.method == "POST":
        return _save(form, listing)
    form.commune.data = shown.commune_insee
    form.venue.data = str(shown.venue_id) if shown.venue_id else ""
    form.price.data = Decimal(shown.price_cents) / 100 if shown.price_cents is not None else None
    form.new_price.data = (
        Decimal(shown.new_price_cents) / 100 if shown.new_price_cents is not None else None
    )
    keys = revision.photo_keys if revision else [photo.key for photo in listing.photos]
    return _render_form(form, listing, keys)


# --- reading --------------------------------------------------------------------------------------


@bp.route("/annonces")
@public_page
def search():
    params, errors = parse_search_args(request.args)
    page = search_listings(params)
    listing_ids = [hit.listing.id for hit in page.hits]
    return render_template(
        "listings/search.html",
        page=page,
        params=params,
        options=filter_options(
            {
                "kind": params.kind,
                "sport": params.sport,
                "category": params.category,
                "size": params.size,
                "condition": params.condition,
                "zone": params.zone,
                "commune": params.commune,
                "venue": params.venue,
                "near": params.near,
                "radius": str(params.radius_km) if params.radius_km else None,
            }
        ),
        favourites=favourites.favourite_ids(current_user, listing_ids),
        errors=errors,
    )


@bp.route("/annonces/<int:listing_id>")
@public_page
def detail(listing_id: int):
    listing = services.get_listing(listing_id, current_user)
    return render_template(
        "listings/detail.html",
        listing=listing,
        photo_widths={p.id: photos.stored_widths(p.width, p.height) for p in listing.photos},
        similar=queries.similar_listings(listing),
        is_favourite=listing.id in favourites.favourite_ids(current_user, [listing.id]),
        markers=[_place_marker(listing)],
        action_form=ActionForm(),
    )


def _place_marker(listing: Listing) -> dict:
    """The listing's point on its map: the pickup venue, else the commune's centre; never read
    from the listing's row or its owner, so that no finer position can leak."""
    venue = listing.venue
    if venue is not None:
        return {
            "name": venue.name,
            "url": url_for("venues.venue", slug=venue.slug),
            "lat": venue.latitude,
            "lon": venue.longitude,
            "commune": venue.commune.name,
            "approximate": venue.position_approximate,
        }
    commune = listing.commune
    return {
        "name": commune.name,
        "url": url_for("listings.detail", listing_id=listing.id),
        "lat": commune.latitude,
        "lon": commune.longitude,
        "commune": commune.name,
        "approximate": True,
    }


@bp.route("/mon-espace")
@login_required
def my_space():
    # Requests, conversations and alerts come through the page's slots (core.hooks)
    return render_template(
        "listings/my_space.html",
        listings=queries.listings_of(current_user),
        favourites=favourites.favourites_of(current_user),
    )


@bp.route("/annonces/regles")
def rules():
    return render_template("listings/rules.html", rows=rules_table())


# --- owner actions --------------------------------------------------------------------------------


@bp.route("/annonces/<int:listing_id>/retirer", methods=["POST"])
@login_required
def withdraw(listing_id: int):
    listing = services.get_listing(listing_id, current_user)
    if page := confirmation(
        _("Retirer l’annonce « %(title)s » ?", title=listing.title),
        _(
            "Elle ne sera plus visible sur le site ; les demandes en cours et les prêts à venir "
            "seront annulés et les membres concernés prévenus. C’est définitif."
        ),
        yes=_("Oui, retirer"),
        back=url_for("listings.detail", listing_id=listing.id),
        allowed=can_edit_listing(current_user, listing) or can_review_listings(current_user),
    ):
        return page
    if ActionForm().validate_on_submit() and act(
        lambda: services.withdraw_listing(current_user, listing)
    ):
        flash(_("L’annonce est retirée du site."), "success")
    return redirect(url_for("listings.detail", listing_id=listing.id))


@bp.route("/annonces/<int:listing_id>/disponibilite", methods=["POST"])
@login_required
def availability(listing_id: int):
    listing = services.get_listing(listing_id, current_user)
    if ActionForm().validate_on_submit() and act(
        lambda: services.set_availability(current_user, listing, request.form.get("status", ""))
    ):
        flash(_("La disponibilité de l’annonce est mise à jour."), "success")
    return redirect(url_for("listings.detail", listing_id=listing.id))


@bp.route("/annonces/<int:listing_id>/favori", methods=["POST"])
@login_required
def favourite(listing_id: int):
    listing = services.get_listing(listing_id, current_user)
    want = {"on": True, "off": False}.get(request.form.get("want", ""))
    if ActionForm().validate_on_submit() and (
        done := act(lambda: favourites.toggle_favourite(current_user, listing, want))
    ):
        if done.value:
            flash(_("Annonce ajoutée à vos favoris."), "success")
        else:
            flash_undo(
                _("Annonce retirée de vos favoris."),
                action=url_for("listings.favourite", listing_id=listing.id),
                label=_("Annuler : la remettre dans mes favoris"),
                fields={"want": "on"},
            )
    return redirect(url_for("listings.detail", listing_id=listing.id))
