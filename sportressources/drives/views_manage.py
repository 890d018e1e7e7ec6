"""The organisation's drive pages: open and edit a drive, its dashboard (slots, wish list,
pledges with a button per item), the printable drop-off list, close, reopen, cancel."""

from __future__ import annotations

from datetime import datetime

from flask import flash, get_template_attribute, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from sportressources.core.dates import PARIS
from sportressources.core.errors import Forbidden, NotFound
from sportressources.core.params import int_param
from sportressources.core.web import act, confirmation, form_status
from sportressources.drives import pledges, queries, services
from sportressources.drives.forms import (
    ActionForm,
    CancelDriveForm,
    DriveForm,
    NewDriveForm,
    SlotForm,
    WishLineForm,
)
from sportressources.drives.labels import line_label
from sportressources.drives.policies import can_manage_drive
from sportressources.drives.views import bp
from sportressources.events.queries import upcoming_event_choices
from sportressources.listings.taxonomy import AGE_GROUPS, CATEGORIES, SPORTS
from sportressources.organisations.queries import organisations_of


def _drive_data(form: DriveForm) -> services.DriveData:
    return services.DriveData(
        title=form.title.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        description=form.description.data or "",
        event_id=int(form.event.data) if (form.event.data or "").isdigit() else None,
    )


def _event_choices(form: DriveForm, drive=None) -> None:
    """The « Événement » select: upcoming events, and the one already chosen."""
    events = upcoming_event_choices(keep_id=drive.event_id if drive else None)
    form.event.choices = [SelectChoice("", _("Aucun"))] + [
        SelectChoice(str(e.id), f"{e.title} ({format_date(e.starts_on, 'long')})") for e in events
    ]
    if drive is not None and request.method == "GET":
        form.event.data = str(drive.event_id or "")


def _managed(drive_id: int):
    drive = queries.get_drive(drive_id)
    if not can_manage_drive(current_user, drive):
        services.require_runner(current_user, drive.organisation)
    return drive


def _slot_time(slot) -> str:
    """The slot's day and hours, worded as on the pages (the template macro)."""
    return str(get_template_attribute("drives/_macros.html", "slot_time")(slot)).strip()


def _followed(drive_id: int):
    """The drive, for its organisation's members, verified or no longer (receipts go on)."""
    drive = queries.get_drive(drive_id)
    services.require_follow_up(current_user, drive)
    return drive


@bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def new_drive():
    organisations = organisations_of(current_user.id)
    if not organisations:
        raise Forbidden(
            _("Seuls les membres d’une organisation vérifiée peuvent organiser une collecte.")
        )
    form = NewDriveForm()
    _event_choices(form)
    if request.method == "GET" and (chosen := int_param(request.args, "evenement")):
        form.event.data = str(chosen)
    form.organisation.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(o.id), o.name) for o in organisations
    ]
    if request.method == "GET" and len(organisations) == 1:
        form.organisation.data = str(organisations[0].id)
    chosen = next((o for o in organisations if str(o.id) == form.organisation.data), None)
    if form.validate_on_submit() and (
        done := act(
            lambda: services.create_drive(current_user, chosen, _drive_data(form)), form=form
        )
    ):
        flash(
            _("La collecte est créée : ajoutez ses créneaux de dépôt et sa liste de besoins."),
            "success",
        )
        return redirect(url_for("drives.manage", drive_id=done.value.id))
    unverified = [o for o in organisations if not o.is_verified]
    return render_template(
        "drives/drive_form.html", form=form, drive=None, unverified=unverified
    ), form_status(form)


@bp.route("/<int:drive_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_drive(drive_id: int):
    drive = _managed(drive_id)
    form = DriveForm(obj=drive)
    _event_choices(form, drive)
    if form.validate_on_submit() and act(
        lambda: services.update_drive(current_user, drive, _drive_data(form)), form=form
    ):
        flash(_("La collecte est enregistrée."), "success")
        return redirect(url_for("drives.manage", drive_id=drive.id))
    return render_template(
        "drives/drive_form.html", form=form, drive=drive, unverified=[]
    ), form_status(form)


def _slot_form(drive, slot=None) -> SlotForm:
    form = SlotForm()
    if slot is not None and request.method == "GET":
        start, end = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
        form.venue.data, form.day.data = str(slot.venue_id), start.date()
        form.starts.data, form.ends.data, form.capacity.data = (
            start.time(),
            end.time(),
            slot.capacity,
        )
    form.venue.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(v.id), f"{v.name} ({v.commune.name})") for v in services.drive_venues()
    ]
    return form


def _slot_data(form: SlotForm) -> services.SlotData:
    def moment(time):
        if form.day.data is None or time is None:
            return None
        return datetime.combine(form.day.data, time, tzinfo=PARIS)

    venue = form.venue.data or ""
    return services.SlotData(
        venue_id=int(venue) if venue.isdigit() and len(venue) < 10 else None,
        starts_at=moment(form.starts.data),
        ends_at=moment(form.ends.data),
        capacity=form.capacity.data,
    )


def _line_form(line=None) -> WishLineForm:
    form = WishLineForm(obj=line)
    form.sport.choices = [SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in SPORTS.items()]
    form.category.choices = [SelectChoice("", "—")] + [
        SelectChoice(k, c.label) for k, c in CATEGORIES.items()
    ]
    form.age_group.choices = [SelectChoice("", "—")] + [
        SelectChoice(k, v) for k, v in AGE_GROUPS.items()
    ]
    return form


def _line_data(form: WishLineForm) -> services.WishLineData:
    return services.WishLineData(
        sport=form.sport.data or "",
        category=form.category.data or "",
        quantity_wanted=form.quantity_wanted.data,
        size=(form.size.data or "").strip(),
        age_group=form.age_group.data or "",
        note=form.note.data or "",
    )


def _dashboard(drive, slot_form=None, line_form=None, status=200):
    return render_template(
        "drives/manage.html",
        drive=drive,
        pledges=queries.drive_pledges(drive),
        slot_form=slot_form or _slot_form(drive),
        line_form=line_form or _line_form(),
        cancel_form=CancelDriveForm(),
        form=ActionForm(),
    ), status


@bp.route("/<int:drive_id>/gestion")
@login_required
def manage(drive_id: int):
    return _dashboard(_followed(drive_id))


@bp.route("/<int:drive_id>/creneaux", methods=["POST"])
@login_required
def add_slot(drive_id: int):
    drive = _managed(drive_id)
    form = _slot_form(drive)
    if form.validate_on_submit() and act(
        lambda: services.add_slot(current_user, drive, _slot_data(form)), form=form
    ):
        flash(_("Le créneau est ajouté."), "success")
        return redirect(url_for("drives.manage", drive_id=drive.id), code=303)
    return _dashboard(queries.get_drive(drive_id), slot_form=form, status=form_status(form))


@bp.route("/<int:drive_id>/creneaux/<int:slot_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_slot(drive_id: int, slot_id: int):
    drive = _managed(drive_id)
    slot = services.get_slot(drive, slot_id)
    form = _slot_form(drive, slot)
    if form.validate_on_submit() and act(
        lambda: services.update_slot(current_user, slot, _slot_data(form)), form=form
    ):
        flash(_("Le créneau est enregistré."), "success")
        return redirect(url_for("drives.manage", drive_id=drive.id), code=303)
    return render_template("drives/slot_form.html", drive=drive, slot=slot, form=form), form_status(
        form
    )


@bp.route("/<int:drive_id>/creneaux/<int:slot_id>/supprimer", methods=["POST"])
@login_required
def remove_slot(drive_id: int, slot_id: int):
    drive = _managed(drive_id)
    slot = services.get_slot(drive, slot_id)
    back = url_for("drives.manage", drive_id=drive.id)
    if page := confirmation(
        _(
            "Supprimer le créneau du %(when)s ?",
            when=get_template_attribute("drives/_macros.html", "slot_time")(slot),
        ),
        _("Les donateurs ne pourront plus le choisir. Personne ne l’a encore réservé."),
        yes=_("Oui, supprimer"),
        back=back,
    ):
        return page
    if ActionForm().validate_on_submit() and act(
        lambda: services.remove_slot(current_user, slot), back=back
    ):
        flash(_("Le créneau est supprimé."), "success")
    return redirect(back, code=303)


@bp.route("/<int:drive_id>/besoins", methods=["POST"])
@login_required
def add_line(drive_id: int):
    drive = _managed(drive_id)
    form = _line_form()
    if form.validate_on_submit() and act(
        lambda: services.add_wish_line(current_user, drive, _line_data(form)), form=form
    ):
        flash(_("La ligne est ajoutée à la liste de besoins."), "success")
        return redirect(url_for("drives.manage", drive_id=drive.id), code=303)
    return _dashboard(queries.get_drive(drive_id), line_form=form, status=form_status(form))


@bp.route("/<int:drive_id>/besoins/<int:line_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_line(drive_id: int, line_id: int):
    drive = _managed(drive_id)
    line = services.get_wish_line(drive, line_id)
    form = _line_form(line)
    if form.validate_on_submit() and act(
        lambda: services.update_wish_line(current_user, line, _line_data(form)), form=form
    ):
        flash(_("La ligne est enregistrée."), "success")
        return redirect(url_for("drives.manage", drive_id=drive.id), code=303)
    return render_template("drives/line_form.html", drive=drive, line=line, form=form), form_status(
        form
    )


@bp.route("/<int:drive_id>/besoins/<int:line_id>/supprimer", methods=["POST"])
@login_required
def remove_line(drive_id: int, line_id: int):
    drive = _managed(drive_id)
    line = services.get_wish_line(drive, line_id)
    back = url_for("drives.manage", drive_id=drive.id)
    if page := confirmation(
        _("Supprimer « %(line)s » de la liste de besoins ?", line=line_label(line)),
        _("Les donateurs ne pourront plus promettre d’objets pour cette ligne."),
        yes=_("Oui, supprimer"),
        back=back,
    ):
        return page
    if ActionForm().validate_on_submit() and act(
        lambda: services.remove_wish_line(current_user, line), back=back
    ):
        flash(_("La ligne est supprimée."), "success")
    return redirect(back, code=303)


STATUS_ACTIONS = {
    "cloturer": (services.close_drive, _l("La collecte ne prend plus de promesses.")),
    "rouvrir": (services.reopen_drive, _l("La collecte prend de nouveau des promesses.")),
}


@bp.route("/<int:drive_id>/<any(cloturer, rouvrir):action>", methods=["POST"])
@login_required
def change_status(drive_id: int, action: str):
    drive = _followed(drive_id)
    back = url_for("drives.manage", drive_id=drive.id)
    call, message = STATUS_ACTIONS[action]
    if ActionForm().validate_on_submit() and act(lambda: call(current_user, drive), back=back):
        flash(str(message), "success")
    return redirect(back, code=303)


@bp.route("/<int:drive_id>/annuler", methods=["POST"])
@login_required
def cancel_drive(drive_id: int):
    drive = _followed(drive_id)
    form = CancelDriveForm()
    back = url_for("drives.manage", drive_id=drive.id)
    if page := confirmation(
        _("Annuler la collecte « %(title)s » ?", title=drive.title),
        _(
            "Elle ne prendra plus de promesses ; les promesses en cours sont annulées et leurs "
            "donateurs prévenus par e-mail, avec votre motif si vous en avez écrit un. Les objets "
            "déjà reçus restent dans l’inventaire. C’est définitif."
        ),
        yes=_("Oui, annuler la collecte"),
        back=back,
    ):
        return page
    if form.validate_on_submit() and act(
        lambda: services.cancel_drive(current_user, drive, form.reason.data or ""), back=back
    ):
        flash(_("La collecte est annulée ; les donateurs sont prévenus."), "success")
    return redirect(back, code=303)


@bp.route("/<int:drive_id>/objets/<int:item_id>/<any(recu, 'non-recu'):decision>", methods=["POST"])
@login_required
def decide_item(drive_id: int, item_id: int, decision: str):
    drive = _followed(drive_id)
    item = pledges.get_pledge_item(drive, item_id)
    back = url_for("drives.manage", drive_id=drive.id) + f"#promesse-{item.pledge_id}"
    if ActionForm().validate_on_submit() and act(
        lambda: pledges.decide_item(current_user, item, decision == "recu"), back=back
    ):
        flash(_("« %(title)s » : c’est noté.", title=item.title), "success")
    return redirect(back, code=303)


@bp.route("/<int:drive_id>/promesses/<int:pledge_id>/absent", methods=["POST"])
@login_required
def no_show(drive_id: int, pledge_id: int):
    drive = _followed(drive_id)
    pledge = pledges.get_pledge(pledge_id)
    if pledge.drive_id != drive.id:
        raise NotFound(_("Cette promesse n’existe pas pour cette collecte."))
    back = url_for("drives.manage", drive_id=drive.id)
    if ActionForm().validate_on_submit() and act(
        lambda: pledges.mark_no_show(current_user, pledge), back=back
    ):
        flash(_("Absence notée : les places et les besoins sont libérés."), "success")
    return redirect(back, code=303)


@bp.route("/<int:drive_id>/liste-de-depot")
@login_required
def dropoff_list(drive_id: int):
    drive = _followed(drive_id)
    return render_template(
        "drives/dropoff_list.html", drive=drive, pledges=queries.drive_pledges(drive)
    )
