"""The questions of the confirmation pages of the loan steps that cannot be undone
(``core.web.confirmation``): each says what happens to the other member."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _

from sportressources.core.templating import member_name
from sportressources.listings.owners import owner_name
from sportressources.trade.loans.models import Loan


def _ask(question: str, consequence: str, yes: str) -> dict:
    """The arguments of ``core.web.confirmation``: the question, its consequence, the button."""
    return {"question": question, "consequence": consequence, "yes": yes}


def decline(loan: Loan) -> dict:
    name = member_name(loan.borrower)
    return _ask(
        _("Refuser la demande de prêt de %(name)s ?", name=name),
        _(
            "%(name)s recevra une notification, avec votre motif si vous en avez écrit un. "
            "Les dates restent libres pour d’autres emprunteurs.",
            name=name,
        ),
        _("Oui, refuser"),
    )


def cancel(loan: Loan, side: str | None) -> dict:
    title = loan.listing.title
    other = owner_name(loan.listing) if side == "borrower" else member_name(loan.borrower)
    return _ask(
        _("Annuler ce prêt de « %(title)s » ?", title=title)
        if loan.status == "accepted"
        else _("Annuler la demande de prêt de « %(title)s » ?", title=title),
        _(
            "%(name)s recevra une notification, avec votre motif si vous en avez écrit un, "
            "et les dates réservées seront libérées. C’est définitif.",
            name=other,
        ),
        _("Oui, annuler"),
    )


def decline_extension(loan: Loan) -> dict:
    name = member_name(loan.borrower)
    return _ask(
        _("Refuser la prolongation demandée par %(name)s ?", name=name),
        _(
            "%(name)s recevra une notification ; le matériel reste à rendre à la date "
            "prévue, le %(date)s.",
            name=name,
            date=format_date(loan.end_date, "long"),
        ),
        _("Oui, refuser"),
    )


def leave_waitlist(listing) -> dict:
    return _ask(
        _("Quitter la liste d’attente de « %(title)s » ?", title=listing.title),
        _("Vous ne recevrez plus d’e-mail si les dates que vous attendiez se libèrent."),
        _("Oui, quitter la liste"),
    )


def remove_blocked_period(period) -> dict:
    return _ask(
        _(
            "Ne plus bloquer la période du %(start)s au %(end)s ?",
            start=format_date(period.start_date, "long"),
            end=format_date(period.end_date, "long"),
        ),
        _("Les membres pourront de nouveau demander à emprunter votre matériel ces jours-là."),
        _("Oui, débloquer"),
    )


def revoke_feed() -> dict:
    return _ask(
        _("Supprimer l’adresse de votre calendrier ?"),
        _(
            "Les agendas abonnés à cette adresse ne recevront plus vos prêts. Vous pourrez en "
            "créer une nouvelle."
        ),
        _("Oui, supprimer l’adresse"),
    )
