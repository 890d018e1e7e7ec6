"""Public drive pages: the list with its filters, a drive's page with the pledge form, a member's
pledges. The organisation's pages are in ``views_manage``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from sportressources.core.dates import PARIS, paris_today
from sportressources.core.db import db, utcnow
from sportressources.core.forms import grouped_choices
from sportressources.core.web import act, confirmation, form_status
from sportressources.drives import pledges, queries
from sportressources.drives.forms import ActionForm, FilterForm, PledgeForm
from sportressources.drives.labels import line_label
from sportressources.drives.policies import (
    can_cancel_pledge,
    can_follow_up_drive,
    can_manage_drive,
    can_organise_drives,
    can_pledge_to_drive,
)
from sportressources.geo import queries as geo
from sportressources.geo.models import Commune
from sportressources.listings import photos
from sportressources.listings.taxonomy import CONDITION_LABELS

bp = Blueprint("drives", __name__, url_prefix="/collectes")


@bp.record_once
def register_template_globals(state) -> None:
    env = state.app.jinja_env
    env.globals.update(
        can_manage_drive=can_manage_drive,
        can_follow_up_drive=can_follow_up_drive,
        can_organise_drives=can_organise_drives,
        can_pledge_to_drive=can_pledge_to_drive,
        can_cancel_pledge=can_cancel_pledge,
        drive_line_label=line_label,
        drive_progress=queries.progress,
        drives_today=paris_today,
    )
    env.filters["paris"] = lambda moment: moment.astimezone(PARIS)


def _filter_form() -> tuple[FilterForm, dict]:
    form = FilterForm(request.args)
    zones = geo.zones()
    form.zone.choices = [SelectChoice("", _("Toutes"))] + [
        SelectChoice(z.slug, z.short_name) for z in zones
    ]
    form.commune.choices = grouped_choices(
        [(z.short_name, [(c.insee, c.label) for c in cs]) for z, cs in geo.communes_by_zone()],
        blank=_("Toutes"),
    )
    venues = queries.venues_with_drives()
    form.venue.choices = [SelectChoice("", _("Tous"))] + [
        SelectChoice(str(v.id), v.name) for v in venues
    ]
    form.validate()
    chosen = {
        "zone": next((z for z in zones if z.slug == form.zone.data), None),
        # Only a commune of the list: a value the select refused is never looked up
        "commune": (
            db.session.get(Commune, form.commune.data)
            if form.commune.data and not form.commune.errors
            else None
        ),
        "venue": next((v for v in venues if str(v.id) == form.venue.data), None),
    }
    return form, chosen


@bp.route("")
def index():
    form, chosen = _filter_form()
    return render_template(
        "drives/index.html", form=form, lists=queries.list_drives(**chosen), chosen=chosen
    )


def _pledge_form(drive) -> PledgeForm:
    form = PledgeForm()
    now = utcnow()
    form.slot.choices = [
        (str(slot.id), _slot_label(slot))
        for slot in drive.slots
        if slot.booked < slot.capacity and slot.starts_at > now
    ]
    lines = [SelectChoice("", "—")] + [
        SelectChoice(str(line.id), line_label(line)) for line in drive.wish_lines
    ]
    conditions = [SelectChoice("", "—")] + [
        SelectChoice(code, label) for code, label in CONDITION_LABELS.items()
    ]
    owned = queries.pledgeable_listings(getattr(current_user, "id", None))
    for row in form.quick:
        row.wish_line.choices, row.condition.choices = lines, conditions
    for row in form.listings:
        row.wish_line.choices = lines
        row.listing.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(listing.id), listing.title) for listing in owned
        ]
    return form


def _slot_label(slot) -> str:
    from flask_babel import format_date

    start, end = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
    return _(
        "%(date)s, %(start)s–%(end)s, %(venue)s (%(left)s place(s) libre(s))",
        date=format_date(start.date(), "full"),
        start=start.strftime("%H:%M"),
        end=end.strftime("%H:%M"),
        venue=slot.venue.name,
        left=slot.capacity - slot.booked,
    )


def _number(value) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 10 else None


class PledgePhotos:
    """The photos sent with a pledge form (``listings.photos``): written with the pledge's
    transaction; when the pledge is refused, stored at once as pending uploads whose signed keys
    the form carries, so that the form shown again keeps them."""

    def __init__(self, form: PledgeForm, user_id: int | None):
        self.form, self.user_id = form, user_id
        self.pending: list = []

    def key_for(self, row) -> str | None:
        upload = row.photo.data
        if upload is not None and getattr(upload, "filename", ""):
            processed, key = photos.process_upload(upload), photos.new_key()
            self.pending.append((row, processed, key))
            return photos.store_after_commit(processed, key)
        if row.photo_token.data and self.user_id is not None:
            return photos.read_signed_key(row.photo_token.data, self.user_id)
        return None

    def keep(self) -> None:
        for row, processed, key in self.pending:
            photos.store(processed, key)
            row.photo_token.data = photos.sign_key(key, self.user_id)


def _items(form: PledgeForm, kept: PledgePhotos) -> list[pledges.ItemData]:
    items = []
    for row in form.quick:
        if not row.wish_line.data and not (row.title.data or "").strip():
            continue
        items.append(
            pledges.ItemData(
                wish_line_id=_number(row.wish_line.data),
                title=row.title.data or "",
                quantity=row.quantity.data,
                condition=row.condition.data or "",
                photo_key=kept.key_for(row),
            )
        )
    for row in form.listings:
        if row.listing.data or row.wish_line.data:
            items.append(
                pledges.ItemData(
                    wish_line_id=_number(row.wish_line.data),
                    listing_id=_number(row.listing.data) or 0,
                )
            )
    return items


@bp.route("/<int:drive_id>", methods=["GET", "POST"])
def drive(drive_id: int):
    drive = queries.get_drive(drive_id)
    form = _pledge_form(drive)
    if request.method == "POST" and not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.path))
    kept = PledgePhotos(form, getattr(current_user, "id", None))
    if form.validate_on_submit() and act(
        lambda: pledges.make_pledge(
            current_user, drive, _number(form.slot.data), _items(form, kept)
        ),
        form=form,
        undo=kept.keep,
    ):
        flash(_("Merci ! Votre promesse est enregistrée : un e-mail vous le confirme."), "success")
        return redirect(url_for("drives.my_pledges"))
    return render_template(
        "drives/drive.html",
        drive=drive,
        form=form,
        takes_pledges=pledges.drive_takes_pledges(drive),
        booked=queries.booked_pledge(drive, getattr(current_user, "id", None)),
    ), form_status(form)


@bp.route("/mes-promesses")
@login_required
def my_pledges():
    return render_template(
        "drives/my_pledges.html", pledges=queries.pledges_of(current_user.id), form=ActionForm()
    )


@bp.route("/promesses/<int:pledge_id>/annuler", methods=["POST"])
@login_required
def cancel_pledge(pledge_id: int):
    pledge = pledges.get_pledge(pledge_id)
    back = url_for("drives.my_pledges")
    if page := confirmation(
        _("Annuler votre promesse pour « %(title)s » ?", title=pledge.drive.title),
        _(
            "L’organisation sera prévenue ; votre créneau et les besoins que vous couvriez "
            "redeviennent disponibles pour d’autres donateurs, et vos annonces liées sont de "
            "nouveau visibles."
        ),
        yes=_("Oui, annuler ma promesse"),
        back=back,
        allowed=pledge.member_id == current_user.id,
    ):
        return page
    if ActionForm().validate_on_submit() and act(
        lambda: pledges.cancel_pledge(current_user, pledge), back=back
    ):
        flash(_("Votre promesse est annulée ; l’organisation en est informée."), "success")
    return redirect(back, code=303)
