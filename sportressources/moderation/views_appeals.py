"""Moderation pages: the statements of reasons a member reads on their account and contests
(« /compte/decisions »), and the appeals moderators rule on (« /moderation/contestations »)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sportressources.core.security import role_required
from sportressources.core.web import act, form_status
from sportressources.moderation import appeals, statements
from sportressources.moderation.forms_appeals import AppealForm, RulingForm
from sportressources.moderation.policies import can_appeal, can_moderate
from sportressources.moderation.views import bp


@bp.route("/compte/decisions")
@login_required
def statements_list():
    rows = statements.summaries(statements.statements_of(current_user))
    return render_template("moderation/statements.html", rows=rows)


def _statement_page(statement, form: AppealForm):
    summary = statements.summaries([statement])[0]
    own = can_appeal(current_user, statement)
    return render_template(
        "moderation/statement.html",
        statement=statement,
        summary=summary,
        appeal=summary.appeal,
        own=own,
        may_appeal=own and summary.appeal is None and appeals.appeal_window_open(statement),
        form=form,
    ), form_status(form)


@bp.route("/compte/decisions/<int:statement_id>")
@login_required
def statement(statement_id: int):
    return _statement_page(statements.statement_for(current_user, statement_id), AppealForm())


@bp.route("/compte/decisions/<int:statement_id>/contester", methods=["POST"])
@login_required
def file_appeal(statement_id: int):
    found = statements.statement_for(current_user, statement_id)
    form = AppealForm()
    if form.validate() and act(
        lambda: appeals.file_appeal(current_user, found, form.explanation.data), form=form
    ):
        flash(
            _("Votre contestation est enregistrée : un autre membre de l’équipe va l’examiner."),
            "success",
        )
        return redirect(url_for("moderation.statement", statement_id=statement_id), code=303)
    return _statement_page(found, form)


@bp.route("/moderation/contestations")
@role_required(can_moderate)
def appeals_list():
    waiting = appeals.open_appeals()
    rows = zip(waiting, statements.summaries([item.statement for item in waiting]), strict=True)
    return render_template("moderation/appeals.html", rows=list(rows))


def _ruling_page(appeal, form: RulingForm):
    return render_template(
        "moderation/appeal.html",
        appeal=appeal,
        statement=appeal.statement,
        summary=statements.summaries([appeal.statement])[0],
        cannot_rule=appeals.why_cannot_rule(current_user, appeal),
        form=form,
    ), form_status(form)


@bp.route("/moderation/contestations/<int:appeal_id>", methods=["GET", "POST"])
@role_required(can_moderate)
def appeal(appeal_id: int):
    found = appeals.appeal_for_moderator(current_user, appeal_id)
    form = RulingForm()
    here = url_for("moderation.appeal", appeal_id=appeal_id)
    if form.validate_on_submit() and act(
        lambda: appeals.rule_on_appeal(
            current_user, found, form.outcome.data == "grant", form.note.data
        ),
        form=form,
        back=here,
    ):
        flash(_("Votre décision est enregistrée et envoyée au membre."), "success")
        return redirect(here, code=303)
    return _ruling_page(found, form)
