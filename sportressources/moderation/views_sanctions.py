"""Moderation pages: sanctions. Finding a member, their history, and the forms to warn, suspend,
ban (admins) and lift."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.params import text_param
from sportressources.core.security import role_required
from sportressources.core.web import act, form_status
from sportressources.moderation import members as member_queries
from sportressources.moderation import sanctions
from sportressources.moderation.forms_sanctions import (
    LiftForm,
    MemberSearchForm,
    SanctionForm,
    SuspensionForm,
)
from sportressources.moderation.grounds import ground_for
from sportressources.moderation.models import Sanction, SanctionStatus
from sportressources.moderation.policies import can_moderate
from sportressources.moderation.statements import DECISION_LABELS
from sportressources.moderation.views import bp

CASE_DECISION_LABELS = {
    "approve": _l("approuvé"),
    "reject": _l("annonce refusée"),
    "request_changes": _l("modification demandée"),
    "remove": _l("contenu retiré"),
    "dismiss": _l("signalements écartés"),
}
REPORT_STATUS_LABELS = {
    "open": _l("à examiner"),
    "upheld": _l("retenu"),
    "rejected": _l("écarté"),
}
LISTING_STATUS_LABELS = {
    "draft": _l("Brouillon"),
    "awaiting_review": _l("En attente de relecture"),
    "published": _l("Publiée"),
    "reserved": _l("Réservée"),
    "given": _l("Donnée"),
    "sold": _l("Vendue"),
    "withdrawn": _l("Retirée"),
    "rejected": _l("Refusée"),
    "changes_requested": _l("Modification demandée"),
    "removed": _l("Retirée par la modération"),
    "hidden": _l("Masquée (compte sanctionné)"),
}
TARGET_LABELS = {
    "listing": _l("Annonce n° %(id)s"),
    "message": _l("Message n° %(id)s"),
    "profile": _l("Profil"),
    "rating": _l("Évaluation n° %(id)s"),
    "organisation": _l("Organisation n° %(id)s"),
}


@bp.record_once
def _register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        sanction_case_decision_labels=CASE_DECISION_LABELS,
        sanction_report_status_labels=REPORT_STATUS_LABELS,
        sanction_decision_labels=DECISION_LABELS,
        sanction_target_label=lambda kind, id: str(TARGET_LABELS.get(kind, kind)) % {"id": id},
        sanction_ground_for=ground_for,
        sanction_listing_status_labels=LISTING_STATUS_LABELS,
    )


def _member_page(member: User, submitted: dict | None = None, status: int = 200):
    """The member page with its forms, the submitted one (if any) carrying its errors."""
    submitted = submitted or {}

    def form(key, form_class, prefix):
        return submitted.get(key) or form_class(prefix=prefix, formdata=None)

    history = member_queries.member_history(member)
    lift_forms = {
        sanction.id: form(f"lift-{sanction.id}", LiftForm, f"lift-{sanction.id}")
        for sanction in history.sanctions
        if sanction.status == SanctionStatus.ACTIVE.value
    }
    page = render_template(
        "moderation/member.html",
        member=member,
        history=history,
        statements=sanctions.statements_of(history.sanctions),
        warn_form=form("warn", SanctionForm, "warn"),
        suspend_form=form("suspend", SuspensionForm, "suspend"),
        ban_form=form("ban", SanctionForm, "ban"),
        lift_forms=lift_forms,
    )
    return page, status


@bp.route("/moderation/membres")
@role_required(can_moderate)
def members():
    query = text_param(request.args, "q", max_length=member_queries.SEARCH_MAX_LENGTH) or ""
    form = MemberSearchForm(formdata=None, q=query)
    return render_template(
        "moderation/members.html",
        form=form,
        query=query,
        results=member_queries.search_members(query),
        active=member_queries.sanctioned_members(),
    )


@bp.route("/moderation/membres/<int:user_id>")
@role_required(can_moderate)
def member(user_id: int):
    return _member_page(db.get_or_404(User, user_id))


def _decide(user_id: int, key: str, form_class, decide, done_message: str):
    member = db.get_or_404(User, user_id)
    form = form_class(prefix=key)
    moderator = current_user._get_current_object()
    if form.validate_on_submit() and act(lambda: decide(moderator, member, form), form=form):
        flash(done_message, "success")
        return redirect(url_for("moderation.member", user_id=member.id), code=303)
    return _member_page(member, {key: form}, form_status(form))


@bp.route("/moderation/membres/<int:user_id>/avertir", methods=["POST"])
@role_required(can_moderate)
def warn(user_id: int):
    return _decide(
        user_id,
        "warn",
        SanctionForm,
        lambda moderator, member, form: sanctions.warn_member(
            moderator, member, form.reason.data, form.rule.data
        ),
        _("Le membre est averti : il reçoit la décision et ses motifs."),
    )


@bp.route("/moderation/membres/<int:user_id>/suspendre", methods=["POST"])
@role_required(can_moderate)
def suspend(user_id: int):
    return _decide(
        user_id,
        "suspend",
        SuspensionForm,
        lambda moderator, member, form: sanctions.suspend_member(
            moderator, member, form.until.data, form.reason.data, form.rule.data
        ),
        _("Le compte est suspendu : le membre reçoit la décision et ses motifs."),
    )


@bp.route("/moderation/membres/<int:user_id>/fermer", methods=["POST"])
@role_required(can_moderate)
def ban(user_id: int):
    return _decide(
        user_id,
        "ban",
        SanctionForm,
        lambda moderator, member, form: sanctions.ban_member(
            moderator, member, form.reason.data, form.rule.data
        ),
        _("Le compte est fermé : le membre reçoit la décision et ses motifs."),
    )


@bp.route("/moderation/sanctions/<int:sanction_id>/lever", methods=["POST"])
@role_required(can_moderate)
def lift(sanction_id: int):
    sanction = db.get_or_404(Sanction, sanction_id)
    key = f"lift-{sanction.id}"
    form = LiftForm(prefix=key)
    moderator = current_user._get_current_object()
    if form.validate_on_submit() and act(
        lambda: sanctions.lift_sanction(moderator, sanction, form.reason.data), form=form
    ):
        flash(_("La sanction est levée : le membre en est informé."), "success")
        return redirect(url_for("moderation.member", user_id=sanction.member_id), code=303)
    return _member_page(sanction.member, {key: form}, form_status(form))
