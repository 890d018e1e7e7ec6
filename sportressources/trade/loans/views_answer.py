"""The owner's « yes » to a loan request, and what it declined: the requests whose days
overlapped are listed in the flash and on the loan's page. Routes on the loans blueprint ``bp``
of ``views``, imported by the package's ``init_app``; endpoint names are ``loans.*``.
"""

from __future__ import annotations

from flask import flash
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sportressources.core.templating import member_name
from sportressources.trade.loans import overlaps, services
from sportressources.trade.loans.models import LoanStatus
from sportressources.trade.loans.views import ID, _act, _loan, bp


@bp.record_once
def register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        loan_dates_taken=overlaps.taken_by,
        loans_declined_for=overlaps.declined_for,
        loan_taken_message=overlaps.TAKEN_MESSAGE,
    )


@bp.post(f"/prets/<{ID}:loan_id>/accepter")
@login_required
def accept(loan_id: int):
    loan = _loan(loan_id)
    response = _act(
        lambda: services.accept_loan(current_user, loan),
        _("Prêt accepté : les dates sont réservées et l’emprunteur est prévenu."),
        loan,
    )
    if loan.status == LoanStatus.ACCEPTED.value and (declined := overlaps.declined_for(loan)):
        names = ", ".join(
            _(
                "%(name)s (du %(start)s au %(end)s)",
                name=member_name(other.borrower),
                start=format_date(other.start_date, "short"),
                end=format_date(other.end_date, "short"),
            )
            for other in declined
        )
        flash(
            ngettext(
                "%(num)s autre demande chevauchait ces dates : elle est refusée et son auteur "
                "prévenu. %(names)s",
                "%(num)s autres demandes chevauchaient ces dates : elles sont refusées et leurs "
                "auteurs prévenus. %(names)s",
                len(declined),
                names=names,
            ),
            "info",
        )
    return response
