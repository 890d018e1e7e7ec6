"""Pages of the loans: a listing's calendar and request form, the loan page with each step and
« Mes prêts ». The owner's terms and history, « Mon calendrier » and the private iCal feed are in
``views_terms``, the answers in ``views_answer`` and the pickup and return in ``views_handover``,
on the same blueprint ``bp``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from sportressources.core.db import db
from sportressources.core.errors import Forbidden
from sportressources.core.params import date_param
from sportressources.core.web import act, confirmation, form_status, safe_next
from sportressources.listings.models import Listing
from sportressources.listings.owners import owner_name
from sportressources.listings.policies import can_view_listing
from sportressources.trade.forms import RatingForm
from sportressources.trade.loans import (
    asks,
    extensions,
    partners,
    policies,
    queries,
    services,
    terms,
    waitlist,
)
from sportressources.trade.loans.availability import DatesTaken, kit_items, month_page, paris_today
from sportressources.trade.loans.checklists import checklist_for, points_to_check
from sportressources.trade.loans.forms import (
    ExtensionForm,
    HandoverForm,
    LoanRequestForm,
    ReasonForm,
    ReturnForm,
    WaitlistForm,
)
from sportressources.trade.loans.models import Loan, Party
from sportressources.trade.loans.photos import (
    handover_photo_url,
)

# The application's ``int`` converter: ids beyond what the id columns hold are a 404.
ID = "int"

bp = Blueprint("loans", __name__)


# --- template helpers ----------------------------------------------------------------------------


def with_organisations(form: LoanRequestForm, listing: Listing) -> LoanRequestForm:
    """Offer to borrow in the name of each verified organisation the member acts for."""
    form.borrow_as.choices = [SelectChoice("", _("Moi-même"))] + [
        SelectChoice(
            str(organisation.id), _("Emprunter au nom de %(name)s", name=organisation.name)
        )
        for organisation in partners.borrowing_organisations(current_user, listing)
    ]
    return form


def new_request_form(listing: Listing) -> LoanRequestForm:
    """An empty request form, its first day taken from ``?debut=`` (a free day's link)."""
    form = with_organisations(LoanRequestForm(prefix="loan", formdata=None), listing)
    today = paris_today()
    horizon = today + timedelta(days=terms.HORIZON_DAYS)
    start = date_param(request.args, "debut", earliest=today, latest=horizon)
    if start is not None:
        form.start_date.data = start
        form.end_date.data = start + timedelta(days=terms.terms_of(listing).min_days - 1)
    return form


def new_waitlist_form() -> WaitlistForm:
    return WaitlistForm(prefix="waitlist", formdata=None)


def weekday_names() -> list[tuple[str, str]]:
    """(abbreviation, full name) of the days from Monday, in the page's language."""
    monday = date(2024, 1, 1)
    return [
        (
            format_date(monday + timedelta(days=n), "EEE"),
            format_date(monday + timedelta(days=n), "EEEE"),
        )
        for n in range(7)
    ]


@bp.record_once
def register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        loan_section_state=queries.loan_section,
        new_loan_request_form=new_request_form,
        new_waitlist_form=new_waitlist_form,
        loan_status_labels=services.STATUS_LABELS,
        loan_today=paris_today,
        loan_weekday_names=weekday_names,
        loan_month_page=month_page,
        loan_checklist_for=checklist_for,
        loan_points_to_check=points_to_check,
        handover_photo_url=handover_photo_url,
        loan_side=policies.loan_side,
        is_loan_listing=policies.is_loan_listing,
        can_manage_loan_terms=policies.can_manage_loan_terms,
        can_answer_loan=policies.can_answer_loan,
        can_cancel_loan=policies.can_cancel_loan,
        can_confirm_pickup=policies.can_confirm_pickup,
        can_confirm_return=policies.can_confirm_return,
        can_request_extension=policies.can_request_extension,
        can_answer_extension=policies.can_answer_extension,
        can_mark_no_show=policies.can_mark_no_show,
        can_rate_loan=policies.can_rate_loan,
        loan_is_overdue=policies.is_overdue,
        loan_has_confirmed=policies.has_confirmed,
    )


# --- loading -------------------------------------------------------------------------------------


def _loan_listing(listing_id: int) -> Listing:
    listing = db.get_or_404(Listing, listing_id)
    if not policies.is_loan_listing(listing) or not can_view_listing(current_user, listing):
        abort(404)
    return listing


def _owned_loan_listing(listing_id: int) -> Listing:
    listing = _loan_listing(listing_id)
    if not policies.can_manage_loan_terms(current_user, listing):
        raise Forbidden(_("Seul le propriétaire de l’annonce de prêt peut faire cela."))
    return listing


def _loan(loan_id: int) -> Loan:
    return db.get_or_404(Loan, loan_id)


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def _act(action: Callable[[], object], success: str, loan: Loan):
    """Run one loan step, then go back to the page it was asked from."""
    target = safe_next(request.form.get("next"), url_for("loans.detail", loan_id=loan.id))
    if act(action):
        flash(success, "success")
    return redirect(target, code=303)


# --- a listing: calendar, request, waiting list --------------------------------------------------


def _render_listing(listing: Listing, request_form=None, waitlist_form=None, status: int = 200):
    return render_template(
        "loans/listing.html",
        listing=listing,
        request_form=request_form or new_request_form(listing),
        waitlist_form=waitlist_form or new_waitlist_form(),
    ), status


@bp.get(f"/prets/annonces/<{ID}:listing_id>")
def listing(listing_id: int):
    return _render_listing(_loan_listing(listing_id))


@bp.post(f"/prets/annonces/<{ID}:listing_id>/demander", endpoint="request")
@login_required
def request_loan(listing_id: int):
    listing = _loan_listing(listing_id)
    form = with_organisations(LoanRequestForm(prefix="loan"), listing)
    waitlist_form = None
    if form.validate_on_submit():
        done = act(
            lambda: services.request_loan(
                current_user,
                listing,
                form.start_date.data,
                form.end_date.data,
                form.message.data or "",
                borrower_organisation_id=int(form.borrow_as.data) if form.borrow_as.data else None,
            ),
            form=form,
        )
        if done:
            flash(
                _(
                    "Votre demande est envoyée à %(name)s. Vous recevrez un e-mail dès sa réponse.",
                    name=owner_name(listing),
                ),
                "success",
            )
            return redirect(url_for("loans.detail", loan_id=done.value.id), code=303)
        if isinstance(done.error, DatesTaken):
            # Offer the waiting list for the very dates asked for.
            waitlist_form = WaitlistForm(prefix="waitlist", formdata=None)
            waitlist_form.start_date.data = form.start_date.data
            waitlist_form.end_date.data = form.end_date.data
    return _render_listing(listing, form, waitlist_form, status=form_status(form))


@bp.post(f"/prets/annonces/<{ID}:listing_id>/liste-attente")
@login_required
def join_waitlist(listing_id: int):
    listing = _loan_listing(listing_id)
    form = WaitlistForm(prefix="waitlist")
    if form.validate_on_submit() and act(
        lambda: waitlist.join_waitlist(
            current_user, listing, form.start_date.data, form.end_date.data
        ),
        form=form,
    ):
        flash(
            _("C’est noté : vous serez prévenu par e-mail si ces dates se libèrent."),
            "success",
        )
        return redirect(url_for("loans.listing", listing_id=listing.id), code=303)
    return _render_listing(listing, waitlist_form=form, status=form_status(form))


@bp.post(f"/prets/annonces/<{ID}:listing_id>/liste-attente/quitter")
@login_required
def leave_waitlist(listing_id: int):
    listing = _loan_listing(listing_id)
    back = url_for("loans.listing", listing_id=listing.id)
    if page := confirmation(**asks.leave_waitlist(listing), back=back, danger=False):
        return page
    if act(lambda: waitlist.leave_waitlist(current_user, listing)):
        flash(_("Vous n’êtes plus sur la liste d’attente de ce matériel."), "success")
    return redirect(
        safe_next(request.form.get("next"), url_for("loans.listing", listing_id=listing.id)),
        code=303,
    )


# --- my loans ------------------------------------------------------------------------------------


@bp.get("/prets")
@login_required
def my_loans():
    borrowed = queries.loans_as_borrower(current_user)
    lent = queries.loans_as_lender(current_user)
    return render_template(
        "loans/my_loans.html",
        borrowed=borrowed,
        lent=lent,
        listings=queries.loan_listings_of(current_user),
        rated=queries.rated_loan_ids(current_user, borrowed + lent),
        today=paris_today(),
    )


# --- one loan ------------------------------------------------------------------------------------


def _with_checklist(form: HandoverForm, loan: Loan) -> HandoverForm:
    form.checklist.choices = [
        SelectChoice(code, label) for code, label in checklist_for(loan.listing.category)
    ]
    return form


def _detail_forms(loan: Loan, **overrides) -> dict:
    forms = {
        "decline": ReasonForm(prefix="decline", formdata=None),
        "cancel": ReasonForm(prefix="cancel", formdata=None),
        "pickup": _with_checklist(HandoverForm(prefix="pickup", formdata=None), loan),
        "return": _with_checklist(ReturnForm(prefix="return", formdata=None), loan),
        "extension": ExtensionForm(prefix="extension", formdata=None),
        "extension_decline": ReasonForm(prefix="extension-decline", formdata=None),
    }
    forms.update(overrides)
    return forms


def _render_detail(loan: Loan, status: int = 200, **forms):
    if not policies.can_view_loan(current_user, loan):
        raise Forbidden(_("Seules les deux personnes du prêt peuvent voir cette page."))
    return render_template(
        "loans/detail.html",
        loan=loan,
        side=policies.loan_side(current_user, loan),
        forms=_detail_forms(loan, **forms),
        rated=services.has_rated(current_user, loan),
        today=paris_today(),
        place=terms.pickup_place(loan.listing),
        items=kit_items(loan.listing),
    ), status


@bp.get(f"/prets/<{ID}:loan_id>")
@login_required
def detail(loan_id: int):
    return _render_detail(_loan(loan_id))


@bp.post(f"/prets/<{ID}:loan_id>/absent")
@login_required
def no_show(loan_id: int):
    loan = _loan(loan_id)
    return _act(
        lambda: services.mark_no_show(current_user, loan),
        _("C’est noté : les dates sont libérées."),
        loan,
    )


@bp.post(f"/prets/<{ID}:loan_id>/prolongation/accepter")
@login_required
def accept_extension(loan_id: int):
    loan = _loan(loan_id)
    return _act(
        lambda: extensions.accept_extension(current_user, loan),
        _("Prolongation acceptée : l’emprunteur est prévenu."),
        loan,
    )


def _reason_step(loan: Loan, prefix: str, key: str, action, success: str, ask: dict, side=None):
    """A step taking an optional reason: too long a reason shows the page again, text kept;
    otherwise the member confirms first (``ask``: question, consequence, button). Only a party
    (of ``side`` when given) is asked; anyone else gets the Forbidden page."""
    form = ReasonForm(prefix=prefix)
    back = url_for("loans.detail", loan_id=loan.id)
    if form.validate_on_submit():
        party = policies.loan_side(current_user, loan)
        allowed = party is not None and side in (None, party)
        if page := confirmation(**ask, back=back, allowed=allowed):
            return page
        if act(lambda: action(form.reason.data or ""), form=form, back=back):
            flash(success, "success")
            return redirect(back, code=303)
    return _render_detail(loan, 422, **{key: form})


@bp.post(f"/prets/<{ID}:loan_id>/refuser")
@login_required
def decline(loan_id: int):
    loan = _loan(loan_id)
    return _reason_step(
        loan,
        "decline",
        "decline",
        lambda reason: services.decline_loan(current_user, loan, reason),
        _("Demande refusée : le membre est prévenu."),
        asks.decline(loan),
        side=Party.LENDER,
    )


@bp.post(f"/prets/<{ID}:loan_id>/annuler")
@login_required
def cancel(loan_id: int):
    loan = _loan(loan_id)
    return _reason_step(
        loan,
        "cancel",
        "cancel",
        lambda reason: services.cancel_loan(current_user, loan, reason),
        _("Le prêt est annulé : l’autre membre est prévenu."),
        asks.cancel(loan, policies.loan_side(current_user, loan)),
    )


@bp.post(f"/prets/<{ID}:loan_id>/prolongation/refuser")
@login_required
def decline_extension(loan_id: int):
    loan = _loan(loan_id)
    return _reason_step(
        loan,
        "extension-decline",
        "extension_decline",
        lambda reason: extensions.decline_extension(current_user, loan, reason),
        _("Prolongation refusée : l’emprunteur est prévenu."),
        asks.decline_extension(loan),
        side=Party.LENDER,
    )


@bp.post(f"/prets/<{ID}:loan_id>/prolongation")
@login_required
def extend(loan_id: int):
    loan = _loan(loan_id)
    form = ExtensionForm(prefix="extension")
    if form.validate_on_submit() and act(
        lambda: extensions.request_extension(
            current_user, loan, form.new_end.data, form.message.data or ""
        ),
        form=form,
    ):
        flash(_("Demande de prolongation envoyée au propriétaire."), "success")
        return redirect(url_for("loans.detail", loan_id=loan.id), code=303)
    return _render_detail(loan, form_status(form), extension=form)


@bp.route(f"/prets/<{ID}:loan_id>/evaluer", methods=["GET", "POST"])
@login_required
def rate(loan_id: int):
    loan = _loan(loan_id)
    back = url_for("loans.detail", loan_id=loan.id)
    act(lambda: services.ensure_can_rate(current_user, loan), back=back)
    form = RatingForm()
    if form.validate_on_submit() and act(
        lambda: services.rate_loan(current_user, loan, form.score.data, form.comment.data or ""),
        form=form,
        back=back,
    ):
        flash(_("Merci pour votre évaluation."), "success")
        return redirect(back, code=303)
    side = policies.loan_side(current_user, loan)
    return render_template(
        "loans/rate.html",
        loan=loan,
        other=loan.borrower if side == "lender" else loan.lender,
        form=form,
    ), form_status(form)
