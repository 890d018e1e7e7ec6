"""Moderation pages: the review queue, one case with its author's history, and the decision."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from sportressources.core.db import db
from sportressources.core.params import int_param, text_param
from sportressources.core.security import role_required
from sportressources.core.web import act, form_status, header_count
from sportressources.moderation import decisions, history, queue_queries
from sportressources.moderation.models import ModerationCase
from sportressources.moderation.policies import can_moderate
from sportressources.moderation.queue_forms import DecisionForm
from sportressources.moderation.views import bp


@bp.record_once
def register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        moderation_queue_count=lambda: header_count(
            "moderation_queue_count",
            lambda user: queue_queries.open_case_count() if can_moderate(user) else 0,
        ),
        moderation_kind_label=queue_queries.KIND_LABEL,
        moderation_reason_labels=queue_queries.REASON_LABELS,
        moderation_reason_label=queue_queries.reason_label,
        moderation_decision_label=decisions.decision_label,
        moderation_report_reason=queue_queries.report_reason_label,
    )


def _filters() -> dict[str, str]:
    kind = text_param(request.args, "type", max_length=16)
    flag = queue_queries.valid_flag_code(text_param(request.args, "alerte", max_length=40))
    filters = {}
    if kind in queue_queries.KIND_LABELS:
        filters["type"] = kind
    if flag:
        filters["alerte"] = flag
    return filters


@bp.route("/moderation/file")
@role_required(can_moderate)
def queue():
    filters = _filters()
    page = int_param(request.args, "page", minimum=1, maximum=10_000, default=1)
    return render_template(
        "moderation/queue_list.html",
        queue=queue_queries.queue_page(filters.get("type"), filters.get("alerte"), page),
        filters=filters,
        kinds=queue_queries.KIND_LABELS,
        kind_counts=queue_queries.counts_by_kind(),
        flag_options=queue_queries.flag_options(filters.get("type")),
    )


@bp.route("/moderation/annonces")
@role_required(can_moderate)
def listings_queue():
    return redirect(url_for("moderation.queue", type="listing"), code=301)


def _case_page(case: ModerationCase, form: DecisionForm | None = None):
    view = queue_queries.case_view(case)
    form = form or DecisionForm()
    form.for_decisions(view.allowed, case.target_type)
    author = view.author
    return render_template(
        "moderation/queue_case.html",
        view=view,
        form=form,
        history=history.author_history(author, exclude_case_id=case.id) if author else None,
        sanction_labels=queue_queries.SANCTION_LABELS,
        sanction_status_labels=queue_queries.SANCTION_STATUS_LABELS,
    ), form_status(form)


@bp.route("/moderation/file/<int:case_id>")
@role_required(can_moderate)
def case(case_id: int):
    return _case_page(db.get_or_404(ModerationCase, case_id))


@bp.route("/moderation/file/<int:case_id>/decision", methods=["POST"])
@role_required(can_moderate)
def decide(case_id: int):
    case = db.get_or_404(ModerationCase, case_id)
    # Every decision passes the form: whether it fits this case is the service's to say
    form = DecisionForm().for_decisions(tuple(queue_queries.DECISION_CHOICE_LABELS))
    if form.validate_on_submit() and (
        done := act(
            lambda: decisions.decide(
                current_user, case_id, form.decision.data, form.note.data, form.ground.data
            ),
            form=form,
            back=url_for("moderation.case", case_id=case_id),
        )
    ):
        flash(
            _(
                "Décision enregistrée : %(decision)s.",
                decision=decisions.decision_label(done.value),
            ),
            "success",
        )
        return redirect(url_for("moderation.queue"), code=303)
    return _case_page(case, form)
