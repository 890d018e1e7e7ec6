"""The pickup and the return of a loan: the check-list form, with an optional photo stored
with the step. On the blueprint ``bp`` of ``views``."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sportressources.core.errors import ValidationFailed
from sportressources.core.web import act
from sportressources.trade.loans import handovers
from sportressources.trade.loans.forms import HandoverForm, ReturnForm
from sportressources.trade.loans.models import Loan
from sportressources.trade.loans.photos import store_handover_photo
from sportressources.trade.loans.views import (
    ID,
    _cents,
    _loan,
    _render_detail,
    _with_checklist,
    bp,
)


def _handover_step(loan: Loan, stage: str):
    """Pickup or return: the check-list form, with an optional photo stored with the step."""
    form = _with_checklist(
        HandoverForm(prefix="pickup") if stage == "pickup" else ReturnForm(prefix="return"), loan
    )
    if not form.validate_on_submit():
        return _render_detail(loan, 422, **{stage: form})
    photo_key = _stored_photo(form)
    if form.photo.errors:
        return _render_detail(loan, 422, **{stage: form})
    back = url_for("loans.detail", loan_id=loan.id)
    done = act(
        lambda: _confirm(stage, loan, form, photo_key),
        form=form,
        back=back,
    )
    if not done:
        return _render_detail(loan, 422, **{stage: form})
    flash(done.value, "success")
    return redirect(back, code=303)


def _stored_photo(form: HandoverForm) -> str | None:
    """Stage the form's photo, if any, written only if the step commits; a refused file puts
    its message on the field."""
    upload = form.photo.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return store_handover_photo(upload.stream, upload.filename)
    except ValidationFailed as error:
        messages = [str(m) for messages in error.fields.values() for m in messages]
        form.photo.errors = [*form.photo.errors, *messages]
        return None


def _confirm(stage: str, loan: Loan, form: HandoverForm, photo_key: str | None) -> str:
    values = {"checklist": form.checklist.data, "notes": form.notes.data or ""}
    if stage == "pickup":
        handovers.confirm_pickup(current_user, loan, photo_key=photo_key, **values)
        return _("Merci, la remise est confirmée.")
    handovers.confirm_return(
        current_user,
        loan,
        photo_key=photo_key,
        damage_report=form.damage_report.data or "",
        deposit_kept_cents=_cents(form.deposit_kept.data),
        **values,
    )
    return _("Merci, le retour est confirmé.")


@bp.post(f"/prets/<{ID}:loan_id>/retrait")
@login_required
def pickup(loan_id: int):
    return _handover_step(_loan(loan_id), "pickup")


@bp.post(f"/prets/<{ID}:loan_id>/retour")
@login_required
def give_back(loan_id: int):
    return _handover_step(_loan(loan_id), "return")
