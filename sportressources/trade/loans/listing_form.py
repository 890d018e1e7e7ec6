"""The loan terms (lengths, deposit) on the listing form itself: the fields come through the
slot « listing.form », their values through the signals of ``listings.signals``, and are stored
in the listing's own transaction. The terms page (kit, blocked periods, partner terms) stays."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from flask import render_template
from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.validators import InputRequired
from wtforms.validators import Optional as OptionalValue

from sportressources.core.forms import BoundedIntegerField, FrenchDecimalField
from sportressources.listings.models import ListingKind
from sportressources.trade.loans import terms
from sportressources.trade.loans.policies import is_loan_listing

PREFIX = "loan"
_MARKER = f"{PREFIX}-min_days"  # present when the form carried the terms


class ListingTermsForm(Form):
    """Shape only; ``terms.check_lengths_and_deposit`` holds the rules."""

    min_days = BoundedIntegerField(
        _l("Durée minimale du prêt (jours)"),
        validators=[InputRequired(message=_l("Indiquez une durée minimale, en jours."))],
        invalid_value_message=_l("Indiquez un nombre entier de jours."),
        render_kw={"inputmode": "numeric"},
    )
    max_days = BoundedIntegerField(
        _l("Durée maximale du prêt (jours)"),
        description=_l("Une saison sportive compte environ 300 jours."),
        validators=[InputRequired(message=_l("Indiquez une durée maximale, en jours."))],
        invalid_value_message=_l("Indiquez un nombre entier de jours."),
        render_kw={"inputmode": "numeric"},
    )
    deposit = FrenchDecimalField(
        _l("Caution (€, facultatif)"),
        description=_l(
            "Remise à la prise du matériel et rendue au retour, de la main à la main : le site "
            "l’indique seulement, aucun paiement n’y passe."
        ),
        places=2,
        validators=[OptionalValue()],
        render_kw={"inputmode": "decimal"},
    )


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def _read(extras: Mapping) -> tuple[ListingTermsForm, dict]:
    """The submitted terms and their refusals, by the field's full name (« loan-max_days »)."""
    form = ListingTermsForm(formdata=extras, prefix=PREFIX)
    if not form.validate():
        return form, {field.name: field.errors[0] for field in form if field.errors}
    errors = terms.check_lengths_and_deposit(
        form.min_days.data, form.max_days.data, _cents(form.deposit.data), prefix=f"{PREFIX}-"
    )
    return form, errors


def check_terms(sender, data=None, extras=None, **_) -> dict:
    """Receiver of ``listing_form_checking``: the terms of a loan listing, checked with it."""
    if data.kind != ListingKind.LOAN.value or _MARKER not in extras:
        return {}
    return _read(extras)[1]


def store_terms(sender, listing=None, actor=None, extras=None, **_) -> None:
    """Receiver of ``listing_form_saved``: store the lengths and deposit of a loan listing, its
    kit and partner terms unchanged (they are set on the terms page)."""
    if not is_loan_listing(listing) or _MARKER not in extras:
        return
    form, _errors = _read(extras)
    current = terms.terms_of(listing)
    terms.set_terms(
        actor,
        listing,
        form.min_days.data,
        form.max_days.data,
        _cents(form.deposit.data),
        kit_item_ids=None,
        partner_deposit_waived=current.partner_deposit_waived,
        partner_max_days=current.partner_max_days,
    )


def listing_form_section(listing=None, formdata=None, errors=None, **_) -> str:
    """The terms' fields on the listing form (slot ``listing.form``): as submitted after a
    refusal, else the listing's current terms (or the defaults)."""
    if formdata is not None:
        form = ListingTermsForm(formdata=formdata, prefix=PREFIX)
    else:
        current = (
            terms.terms_of(listing)
            if listing is not None and is_loan_listing(listing)
            else terms.Terms(terms.DEFAULT_MIN_DAYS, terms.DEFAULT_MAX_DAYS, None, custom=False)
        )
        deposit = current.deposit_cents
        form = ListingTermsForm(
            prefix=PREFIX,
            min_days=current.min_days,
            max_days=current.max_days,
            deposit=Decimal(deposit) / 100 if deposit is not None else None,
        )
    for field in form:
        field.errors = list((errors or {}).get(field.name, []))
    return render_template("loans/_listing_form_terms.html", form=form, listing=listing)
