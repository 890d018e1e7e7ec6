"""The inventory pages of an organisation, for its managers and volunteers only:
``/organisations/<slug>/inventaire`` (list, bulk publication, items, handouts, CSV exports)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from sportressources.core.errors import Forbidden, NotFound, ValidationFailed, attach_to_form
from sportressources.core.forms import grouped_choices
from sportressources.core.params import int_param, parse_int, text_param
from sportressources.core.web import act, confirmation, form_status
from sportressources.drives import exports, inventory
from sportressources.drives import handouts as handout_services
from sportressources.drives import inventory_queries as queries
from sportressources.drives.forms_inventory import (
    AGE_BAND_LABELS,
    BulkPublishForm,
    HandoutForm,
    InventoryActionForm,
    ItemForm,
)
from sportressources.drives.inventory_policies import can_manage_inventory, can_view_inventory
from sportressources.geo import queries as geo
from sportressources.listings import photos
from sportressources.listings.taxonomy import CATEGORIES, SPORTS
from sportressources.organisations.models import Organisation
from sportressources.venues import queries as venues_queries

bp = Blueprint("inventory", __name__, url_prefix="/organisations/<slug>/inventaire")

EXPORTS = {
    "inventaire": exports.inventory_csv,
    "receptions": exports.receipts_csv,
    "remises": exports.handouts_csv,
}


@bp.record_once
def register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        inventory_status_labels=queries.STATUS_LABELS,
        age_band_labels=AGE_BAND_LABELS,
        can_view_inventory=can_view_inventory,
        can_manage_inventory=can_manage_inventory,
    )


def _organisation(slug: str) -> Organisation:
    organisation = queries.organisation_by_slug(slug)
    if not can_view_inventory(current_user, organisation):
        raise Forbidden(
            _l("L’inventaire est réservé aux responsables et bénévoles de l’organisation.")
        )
    return organisation


def _commune_choices(blank: str):
    return grouped_choices(
        [
            (zone.short_name, [(c.insee, c.label) for c in communes])
            for zone, communes in geo.communes_by_zone()
        ],
        blank=blank,
    )


def _index_url(organisation: Organisation, **args) -> str:
    return url_for("inventory.index", slug=organisation.slug, **args)


@bp.route("")
@login_required
def index(slug: str):
    organisation = _organisation(slug)
    filters = queries.InventoryFilters(
        status=_choice(text_param(request.args, "statut", max_length=16), queries.STATUS_LABELS),
        sport=_choice(text_param(request.args, "sport", max_length=32), SPORTS),
        category=_choice(text_param(request.args, "category", max_length=32), CATEGORIES),
    )
    page = int_param(request.args, "page", minimum=1, maximum=10_000, default=1)
    items, more = queries.inventory_items(organisation.id, filters, page)
    return render_template(
        "drives/inventory/index.html",
        organisation=organisation,
        items=items,
        page=page,
        more=more,
        counts=queries.status_counts(organisation.id),
        filters=filters,
        sports=SPORTS,
        categories=CATEGORIES,
    )


def _choice(value: str, allowed) -> str | None:
    return value if value in allowed else None


# --- items ---------------------------------------------------------------------------------------


def _uploaded_photo(form: ItemForm):
    """The processed photo of the item form, or None; a refused file goes on the field."""
    upload = request.files.get(form.photo.name)
    if not upload or not upload.filename:
        return None
    try:
        return photos.process_upload(upload.stream, upload.filename)
    except ValidationFailed as error:
        form.photo.errors = [*form.photo.errors, str(error.message)]
        return None


def _item_data(form: ItemForm) -> inventory.ItemData:
    return inventory.ItemData(
        title=form.title.data or "",
        sport=form.sport.data or "",
        category=form.category.data or "",
        condition=form.condition.data or "",
        size=form.size.data or "",
        age_group=form.age_group.data or "",
        note=form.note.data or "",
    )


def _save_item(form: ItemForm, organisation: Organisation, item=None):
    valid = form.validate()
    processed = _uploaded_photo(form)
    if valid and not form.photo.errors:

        def save():
            key = photos.store_after_commit(processed) if processed is not None else None
            if item is None:
                return inventory.add_item(current_user, organisation, _item_data(form), key)
            return inventory.update_item(current_user, organisation, item, _item_data(form), key)

        if done := act(save, form=form):
            flash(_("L’objet « %(title)s » est enregistré.", title=done.value.title), "success")
            return redirect(url_for(".item", slug=organisation.slug, item_id=done.value.id))
    template = "drives/inventory/item_form.html"
    return render_template(template, form=form, organisation=organisation, item=item), form_status(
        form
    )


@bp.route("/ajouter", methods=["GET", "POST"])
@login_required
def add(slug: str):
    organisation = _organisation(slug)
    form = ItemForm()
    if request.method == "POST":
        return _save_item(form, organisation)
    return render_template(
        "drives/inventory/item_form.html", form=form, organisation=organisation, item=None
    )


@bp.route("/<int:item_id>")
@login_required
def item(slug: str, item_id: int):
    organisation = _organisation(slug)
    item = queries.get_item(organisation, item_id)
    return render_template(
        "drives/inventory/item.html",
        organisation=organisation,
        item=item,
        history=queries.item_history(item),
        action_form=InventoryActionForm(),
    )


@bp.route("/<int:item_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(slug: str, item_id: int):
    organisation = _organisation(slug)
    item = queries.get_item(organisation, item_id)
    form = ItemForm(obj=item if request.method == "GET" else None)
    if request.method == "POST":
        return _save_item(form, organisation, item)
    return render_template(
        "drives/inventory/item_form.html", form=form, organisation=organisation, item=item
    )


@bp.route("/<int:item_id>/ecarter", methods=["POST"])
@login_required
def discard(slug: str, item_id: int):
    organisation = _organisation(slug)
    item = queries.get_item(organisation, item_id)
    back = url_for(".item", slug=slug, item_id=item_id)
    if page := confirmation(
        _("Écarter « %(title)s » de l’inventaire ?", title=item.title),
        _("L’objet, inutilisable, part au recyclage : il ne pourra plus être publié ni remis."),
        _("Oui, écarter"),
        back=back,
        allowed=can_manage_inventory(current_user, organisation),
    ):
        return page
    if InventoryActionForm().validate_on_submit() and act(
        lambda: inventory.discard_item(current_user, organisation, item), back=back
    ):
        flash(_("« %(title)s » a été écarté de l’inventaire.", title=item.title), "success")
    return redirect(back, code=303)


# --- bulk publication --------------------------------------------------------------------------


def _prepare_publish(form: BulkPublishForm, organisation: Organisation) -> BulkPublishForm:
    form.commune.choices = _commune_choices("—")
    venues = [
        (str(venue.id), f"{venue.name} ({venue.commune.name})")
        for venue in venues_queries.pickup_venue_choices()
    ]
    form.venue.choices = grouped_choices(
        [(_("Lieux de remise"), venues)], blank=_("Aucun, précisé dans les messages")
    )
    if request.method == "GET":
        form.commune.data = organisation.commune_insee
    return form


def _item_inputs(items, item_errors: dict):
    """Each item's publication as the form sent it, and the new photos that passed (by key, not
    stored yet); a refused photo is added to ``item_errors`` under the item's name."""
    publications, uploads = [], {}
    for item in items:
        key = None
        token = request.form.get(f"kept-{item.id}")
        upload = request.files.get(f"photo-{item.id}")
        try:
            if token:
                key = photos.read_signed_key(token, current_user.id)
            if upload and upload.filename:
                processed = photos.process_upload(upload.stream, upload.filename)
                key = photos.new_key()
                uploads[key] = processed
        except ValidationFailed as error:
            message = _("« %(title)s » : %(problem)s", title=item.title, problem=error.message)
            item_errors.setdefault(f"item-{item.id}", []).append(message)
        publications.append(
            inventory.ItemPublication(
                item_id=item.id,
                photo_key=key,
                safety_age_years=parse_int(request.form.get(f"safety_age-{item.id}"), maximum=200),
                safety_no_impact=request.form.get(f"safety_no_impact-{item.id}") == "y",
                age_group=request.form.get(f"age_group-{item.id}") or None,
            )
        )
    return publications, uploads


def _publish_options(form: BulkPublishForm) -> inventory.PublishOptions:
    loan = form.kind.data == "loan"
    deposit = form.deposit.data
    return inventory.PublishOptions(
        kind=form.kind.data or "",
        commune_insee=form.commune.data or "",
        venue_id=int(form.venue.data) if (form.venue.data or "").isdigit() else None,
        description=form.description.data or "",
        min_days=form.min_days.data if loan else None,
        max_days=form.max_days.data if loan else None,
        deposit_cents=int(deposit * 100) if loan and deposit is not None else None,
    )


def _publish(form: BulkPublishForm, organisation: Organisation, items):
    item_errors: dict = {}
    valid = form.validate()
    publications, uploads = _item_inputs(items, item_errors)
    if valid and not item_errors:

        def publish():
            for key, processed in uploads.items():
                photos.store_after_commit(processed, key)
            options = _publish_options(form)
            return inventory.publish_items(current_user, organisation, publications, options)

        done = act(publish, form=form, expect=ValidationFailed)
        if done:
            count = len(done.value)
            message = ngettext(
                "%(num)s annonce envoyée en relecture.",
                "%(num)s annonces envoyées en relecture.",
                count,
            )
            flash(message, "success")
            return redirect(_index_url(organisation, statut="listed"), code=303)
        if isinstance(done.error, ValidationFailed):
            item_errors.update(_unplaced(done.error, form))
    for key, processed in uploads.items():
        photos.store(processed, key)  # kept as pending uploads: not to be sent again
    form.form_errors.extend(str(m) for messages in item_errors.values() for m in messages)
    return _render_publish(form, organisation, items, item_errors, publications)


def _render_publish(form, organisation, items, item_errors=None, publications=()):
    kept = {
        p.item_id: photos.sign_key(p.photo_key, current_user.id)
        for p in publications
        if p.photo_key
    }
    return render_template(
        "drives/inventory/publish.html",
        form=form,
        organisation=organisation,
        items=items,
        item_errors=item_errors or {},
        kept=kept,
        publications={p.item_id: p for p in publications},
        photo_available=inventory.photo_available,
    ), form_status(form)


def _unplaced(error: ValidationFailed, form: BulkPublishForm) -> dict:
    """Put the error's form fields on the form; return the item ones (``item-<id>``)."""
    on_items = {
        name: messages for name, messages in error.fields.items() if name.startswith("item-")
    }
    others = ValidationFailed({k: v for k, v in error.fields.items() if k not in on_items})
    if others.fields and not attach_to_form(others, form):
        form.form_errors.append(str(error.message))
    if not error.fields:
        form.form_errors.append(str(error.message))
    return on_items


@bp.route("/publier", methods=["GET", "POST"])
@login_required
def publish(slug: str):
    organisation = _organisation(slug)
    source = request.form if request.method == "POST" else request.args
    ids = [n for n in (parse_int(v) for v in source.getlist("item")[:100]) if n is not None]
    items = queries.items_by_ids(organisation, ids)
    if not items:
        flash(_("Cochez au moins un objet en stock à publier."), "error")
        return redirect(_index_url(organisation, statut="in_stock"), code=303)
    form = _prepare_publish(BulkPublishForm(), organisation)
    if request.method == "POST":
        return _publish(form, organisation, items)
    return _render_publish(form, organisation, items)


# --- handouts ------------------------------------------------------------------------------------


@bp.route("/<int:item_id>/remise", methods=["GET", "POST"])
@login_required
def handout(slug: str, item_id: int):
    organisation = _organisation(slug)
    item = queries.get_item(organisation, item_id)
    form = HandoutForm()
    form.commune.choices = _commune_choices(_("Non précisée ou hors du territoire"))
    data = handout_services.HandoutData(
        recipient=form.recipient.data or "",
        age_band=form.age_band.data or "",
        commune_insee=form.commune.data or None,
        pass_sport=bool(form.pass_sport.data),
    )
    if form.validate_on_submit() and act(
        lambda: handout_services.record_handout(current_user, organisation, item, data), form=form
    ):
        flash(_("La remise de « %(title)s » est enregistrée.", title=item.title), "success")
        return redirect(url_for(".handouts", slug=slug), code=303)
    return render_template(
        "drives/inventory/handout_form.html", form=form, organisation=organisation, item=item
    ), form_status(form)


@bp.route("/remises")
@login_required
def handouts(slug: str):
    organisation = _organisation(slug)
    return render_template(
        "drives/inventory/handouts.html",
        organisation=organisation,
        handouts=queries.handouts_of(organisation.id),
    )


@bp.route("/export/<what>.csv")
@login_required
def export(slug: str, what: str):
    organisation = _organisation(slug)
    if what not in EXPORTS:
        raise NotFound(_l("Cet export n’existe pas."))
    filename = exports.export_filename(what, organisation, date.today())
    return Response(
        EXPORTS[what](organisation),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


# --- the organisation page ---------------------------------------------------------------------


def organisation_figures(organisation=None, viewer=None, **_context) -> str:
    """The « organisation.sections » contribution: what it collected and passed on, and for its
    members a link to the inventory."""
    if organisation is None:
        return ""
    return render_template(
        "drives/inventory/_organisation_figures.html",
        organisation=organisation,
        figures=queries.organisation_redistribution_figures(organisation.id),
        show_link=can_view_inventory(viewer, organisation),
    )


def register(app: Flask) -> None:
    """Everything the inventory adds to the application: its blueprint, CLI, receivers, the
    organisation page's figures and the demo data."""
    from sportressources.core.cli import register_initial_data
    from sportressources.core.hooks import add_to_slot
    from sportressources.core.states import state_changed
    from sportressources.drives.inventory_cli import inventory_cli, seed_demo_inventory
    from sportressources.listings.models import Listing

    app.register_blueprint(bp)
    app.cli.add_command(inventory_cli)
    state_changed.connect(inventory.sync_with_listing, sender=Listing, weak=False)
    add_to_slot(app, "organisation.sections", organisation_figures, order=30)
    register_initial_data(
        app, "inventaire de démonstration", seed_demo_inventory, 97, demo_only=True
    )
