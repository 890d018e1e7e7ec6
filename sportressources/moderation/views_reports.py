"""Moderation pages: reports. The report form anyone reaches from a listing, a profile, a
message or a rating, its confirmation, and the moderators' list of open reports."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from sportressources.core.forms import NO_MAXLENGTH, ChoiceField, grouped_choices, max_length
from sportressources.core.params import int_param
from sportressources.core.security import role_required
from sportressources.core.web import act, form_status, limit
from sportressources.extensions import limiter
from sportressources.moderation import reports as reporting
from sportressources.moderation.policies import can_moderate
from sportressources.moderation.reports_queries import (
    open_report_groups,
    record_of,
    records_for,
)
from sportressources.moderation.reports_targets import Target, find_target_by_ref, reason_groups
from sportressources.moderation.views import bp

MAX_PAGE = 10_000


class ReportForm(FlaskForm):
    reason = ChoiceField(
        _l("Motif du signalement"),
        validators=[DataRequired(message=reporting.REASON_MISSING)],
        invalid_choice_message=reporting.REASON_MISSING,
    )
    explanation = TextAreaField(
        _l("Expliquez ce qui pose problème"),
        description=_l(
            "Ce que vous avez vu, en quoi c’est contraire à la loi ou aux règles, et tout élément "
            "utile (où, quand). %(limit)s caractères au plus.",
            limit=reporting.EXPLANATION_MAX,
        ),
        validators=[
            DataRequired(message=reporting.EXPLANATION_MISSING),
            max_length(reporting.EXPLANATION_MAX),
        ],
        render_kw={"rows": 8, **NO_MAXLENGTH},
    )
    name = StringField(
        _l("Votre nom"),
        validators=[
            DataRequired(message=reporting.NAME_MISSING),
            Length(max=reporting.NAME_MAX, message=reporting.NAME_TOO_LONG),
        ],
        render_kw={"autocomplete": "name"},
    )
    email = StringField(
        _l("Votre adresse e-mail"),
        description=_l("Pour vous confirmer la réception puis vous dire la décision prise."),
        validators=[
            DataRequired(message=reporting.EMAIL_MISSING),
            Length(max=254, message=_l("Cette adresse e-mail est trop longue.")),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"},
    )
    good_faith = BooleanField(
        _l(
            "Je déclare de bonne foi que les informations et allégations contenues dans ce "
            "signalement sont exactes et complètes."
        ),
        validators=[DataRequired(message=reporting.GOOD_FAITH_MISSING)],
    )
    # Anti-bot, for visitors: a field people never see or fill
    website = StringField(
        _l("Ne remplissez pas ce champ"), render_kw={"autocomplete": "off", "tabindex": "-1"}
    )

    def __init__(self, *args, visitor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = grouped_choices(
            reason_groups(), blank=_l("Choisissez un motif"), lang=None
        )
        if not visitor:
            del self.name
            del self.email
            del self.website

    def validate_website(self, field) -> None:
        if field.data:
            raise ValidationError(
                _l("Ce formulaire semble rempli par un robot. Laissez vide le champ caché.")
            )


def _page_of(target: Target) -> str:
    return url_for(target.endpoint, **target.values, _anchor=target.anchor)


@bp.route("/signaler/<target_type>/<target_ref>", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_REPORT"), methods=["POST"])
def report(target_type: str, target_ref: str):
    target = find_target_by_ref(current_user, target_type, target_ref)
    back = _page_of(target)
    if request.method == "GET" and (refused := reporting.refusal(current_user, target)):
        flash(str(refused), "warning")
        return redirect(back, code=303)
    visitor = not current_user.is_authenticated
    form = ReportForm(visitor=visitor)
    if form.validate_on_submit():
        data = reporting.ReportData(
            reason=form.reason.data,
            explanation=form.explanation.data,
            good_faith=form.good_faith.data,
            name=form.name.data if visitor else "",
            email=form.email.data if visitor else "",
            locale=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
        )
        done = act(
            lambda: reporting.submit_report(current_user, target, data),
            form=form,
            back=back,
            expect=reporting.SlowedDown,
        )
        if done:
            return redirect(
                url_for(".report_sent", target_type=target.type, target_ref=target.ref), code=303
            )
        if isinstance(done.error, reporting.SlowedDown):
            form.form_errors.append(str(done.error))
            form.refused_status = 429
    record = None if visitor else record_of(current_user.id)
    return render_template(
        "moderation/report.html",
        form=form,
        target=target,
        back=back,
        slowed=record is not None and record.slowed,
    ), form_status(form)


@bp.get("/signaler/<target_type>/<target_ref>/envoye")
def report_sent(target_type: str, target_ref: str):
    target = find_target_by_ref(current_user, target_type, target_ref)
    return render_template("moderation/report_sent.html", target=target, back=_page_of(target))


@bp.get("/moderation/signalements")
@role_required(can_moderate)
def reports():
    page = int_param(request.args, "page", minimum=1, maximum=MAX_PAGE, default=1)
    groups, has_more = open_report_groups(page)
    return render_template(
        "moderation/reports.html",
        groups=groups,
        records=records_for(groups),
        page=page,
        has_more=has_more,
        case_url=_case_url,
    )


def _case_url(case_id: int | None) -> str | None:
    # The case page belongs to the queue part (endpoint moderation.case)
    if case_id is None or "moderation.case" not in current_app.view_functions:
        return None
    return url_for("moderation.case", case_id=case_id)
