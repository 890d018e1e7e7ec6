"""How the loans tell a member that something happened: an email in their language and an in-app
notification, for each kind of step. Services call ``tell``, which hands both to
``notifications.services.tell_member``; messages live here only.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from sportressources.accounts.models import User
from sportressources.core.mail import external_url
from sportressources.core.templating import member_name
from sportressources.listings.policies import acts_for_owner
from sportressources.notifications.services import Email, register_kind, site_path, tell_member
from sportressources.trade.loans.models import Loan

Subject = Callable[[dict], LazyString]


# kind -> (email subject, in-app message); both lazy, written in the recipient's language
KINDS: dict[str, tuple[Subject, LazyString]] = {
    "loan_requested": (
        lambda p: _l("Demande de prêt pour « %(title)s »", **p),
        _l("%(actor)s demande à emprunter « %(title)s » du %(start)s au %(end)s."),
    ),
    "loan_accepted": (
        lambda p: _l("Prêt accepté : « %(title)s »", **p),
        _l("%(actor)s accepte de vous prêter « %(title)s » du %(start)s au %(end)s."),
    ),
    "loan_declined": (
        lambda p: _l("Votre demande de prêt pour « %(title)s »", **p),
        _l("Votre demande d’emprunt de « %(title)s » du %(start)s au %(end)s n’est pas retenue."),
    ),
    "loan_dates_taken": (
        lambda p: _l("Votre demande de prêt pour « %(title)s »", **p),
        _l(
            "Les dates que vous demandiez pour « %(title)s » (du %(start)s au %(end)s) ont été "
            "données à une autre demande."
        ),
    ),
    "loan_expired": (
        lambda p: _l("Demande expirée : « %(title)s »", **p),
        _l("Votre demande d’emprunt de « %(title)s » a expiré sans réponse du propriétaire."),
    ),
    "loan_cancelled": (
        lambda p: _l("Prêt annulé : « %(title)s »", **p),
        _l("%(actor)s a annulé le prêt de « %(title)s » du %(start)s au %(end)s."),
    ),
    "pickup_confirmed": (
        lambda p: _l("Confirmez la remise de « %(title)s »", **p),
        _l("%(actor)s a confirmé la remise de « %(title)s » : confirmez-la à votre tour."),
    ),
    "loan_started": (
        lambda p: _l("Prêt en cours : « %(title)s »", **p),
        _l("La remise de « %(title)s » est confirmée : le prêt court jusqu’au %(end)s."),
    ),
    "return_confirmed": (
        lambda p: _l("Confirmez le retour de « %(title)s »", **p),
        _l("%(actor)s a confirmé le retour de « %(title)s » : confirmez-le à votre tour."),
    ),
    "loan_returned": (
        lambda p: _l("Prêt terminé : « %(title)s »", **p),
        _l("Le retour de « %(title)s » est confirmé : le prêt est terminé."),
    ),
    "extension_requested": (
        lambda p: _l("Demande de prolongation pour « %(title)s »", **p),
        _l("%(actor)s demande à garder « %(title)s » jusqu’au %(new_end)s."),
    ),
    "extension_accepted": (
        lambda p: _l("Prolongation acceptée : « %(title)s »", **p),
        _l("Vous pouvez garder « %(title)s » jusqu’au %(end)s."),
    ),
    "extension_declined": (
        lambda p: _l("Prolongation refusée : « %(title)s »", **p),
        _l("Votre demande de prolongation pour « %(title)s » n’est pas acceptée."),
    ),
    "no_show": (
        lambda p: _l("Rendez-vous manqué pour « %(title)s »", **p),
        _l("%(actor)s signale que vous n’êtes pas venu chercher « %(title)s »."),
    ),
    "loan_rated": (
        lambda p: _l("%(name)s vous a évalué", **p),
        _l("%(actor)s vous a évalué après le prêt de « %(title)s »."),
    ),
    "due_soon": (
        lambda p: _l("À rendre bientôt : « %(title)s »", **p),
        _l("« %(title)s » est à rendre le %(end)s."),
    ),
    "overdue": (
        lambda p: _l("Prêt en retard : « %(title)s »", **p),
        _l("« %(title)s » devait être rendu le %(end)s : rendez-le au plus vite."),
    ),
    "overdue_lender": (
        lambda p: _l("Pas encore rendu : « %(title)s »", **p),
        _l("« %(title)s » devait vous être rendu le %(end)s par %(actor)s."),
    ),
    "waitlist_available": (
        lambda p: _l("« %(title)s » est de nouveau libre", **p),
        _l("« %(title)s » est libre du %(start)s au %(end)s : demandez-le vite."),
    ),
}

for _kind, (_subject, _message) in KINDS.items():
    register_kind(_kind, _message)


def actor_name(actor: User, listing, loan: Loan | None = None) -> str:
    """Who did a step, as emails say it: for an organisation's listing, « <member> pour
    <organisation> » when a member acts for it, the organisation's name for its side otherwise
    (a reminder names the lender); the member's name for the borrower and a member's listing."""
    organisation = listing.organisation
    if organisation is None or (loan is not None and actor.id == loan.borrower_id):
        return member_name(actor)
    if acts_for_owner(actor, listing):
        return gettext(
            "%(name)s pour %(organisation)s",
            name=member_name(actor),
            organisation=organisation.name,
        )
    return organisation.name


def tell(
    user: User | None,
    kind: str,
    loan: Loan | None = None,
    actor: User | None = None,
    url: str | None = None,
    **context,
) -> None:
    """Email ``user`` about a loan step (``templates/email/loans/<kind>.txt``) and add the in-app
    notification, in one go (``tell_member``); a deleted account gets neither.

    ``context`` reaches the email template; ``start`` and ``end`` default to the loan's dates.
    """
    if user is None or user.is_deleted:
        return
    listing = loan.listing if loan is not None else context.pop("listing")
    params = {"title": listing.title}
    if loan is not None:
        params.update(start=loan.start_date, end=loan.end_date)
    for name in ("start", "end", "new_end"):
        if name in context:
            params[name] = context[name]
    if actor is not None:
        params["actor_id"] = actor.id
    if url is None:
        url = site_path("loans.detail", loan_id=loan.id) if loan is not None else "/"
    subject, _message = KINDS[kind]
    email = Email(
        subject({"title": listing.title, "name": member_name(actor)}),
        f"loans/{kind}",
        {
            "loan": loan,
            "listing": listing,
            "other_name": actor_name(actor, listing, loan) if actor is not None else "",
            "page_url": external_url("loans.detail", loan_id=loan.id) if loan is not None else "",
            "my_loans_url": external_url("loans.my_loans"),
            **context,
            "start": params.get("start"),
            "end": params.get("end"),
        },
    )
    tell_member(user, kind, url, email=email, **params)
