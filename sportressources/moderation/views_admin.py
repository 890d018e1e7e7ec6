"""Moderation pages: the dashboard, the audit log and its CSV export, the team (roles), and the
public transparency report."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from sportressources.core.errors import NotFound
from sportressources.core.params import int_param, parse_int, text_param
from sportressources.core.security import role_required
from sportressources.core.templating import member_name
from sportressources.core.web import act, form_status
from sportressources.moderation import charts, figures, journal, queries, team
from sportressources.moderation.admin_forms import RoleChangeForm
from sportressources.moderation.policies import can_administer, can_moderate
from sportressources.moderation.views import bp

# Pages an audit row's target has: target type -> (endpoint, name of its id argument)
TARGET_PAGES = {
    "listing": ("listings.detail", "listing_id"),
    "user": ("moderation.member", "user_id"),
    "statement": ("moderation.statement", "statement_id"),
}


@bp.app_template_filter("moderation_duration")
def duration_text(seconds: float | None) -> str:
    """A duration as people say it: minutes under an hour, hours under two days, then days."""
    if seconds is None:
        return "–"
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return ngettext("%(num)s minute", "%(num)s minutes", minutes)
    hours = round(seconds / 3600)
    if hours < 48:
        return ngettext("%(num)s heure", "%(num)s heures", hours)
    days = seconds / 86400
    return ngettext("%(num)s jour", "%(num)s jours", round(days), num=format_decimal(round(days)))


# --- dashboard ------------------------------------------------------------------------------------


def _day_chart(days: list[figures.DayCount]) -> charts.Chart:
    total = sum(day.total for day in days)
    busiest = max(days, key=lambda day: day.total)
    if total:
        description = _(
            "Décisions par jour sur les %(days)s derniers jours : %(total)s en tout, au plus "
            "%(most)s le %(date)s. Le tableau qui suit donne chaque jour.",
            days=len(days),
            total=total,
            most=busiest.total,
            date=format_date(busiest.day, "long"),
        )
    else:
        description = _("Aucune décision sur les %(days)s derniers jours.", days=len(days))
    return charts.columns(
        "chart-days",
        _("Décisions par jour"),
        description,
        [
            charts.Point(format_date(day.day, "long"), day.total, format_date(day.day, "d MMM"))
            for day in days
        ],
    )


def _moderator_chart(rows: list[figures.ModeratorCount]) -> charts.Chart:
    description = "; ".join(
        _("%(name)s : %(num)s", name=member_name(row.member), num=row.total) for row in rows
    )
    return charts.rows(
        "chart-team",
        _("Décisions par membre de l’équipe"),
        _(
            "Décisions, contestations tranchées et sanctions par membre : %(list)s.",
            list=description,
        ),
        [charts.Point(member_name(row.member), row.total) for row in rows],
    )


@bp.route("/moderation/tableau-de-bord")
@role_required(can_moderate)
def dashboard():
    now = utcnow()
    days = figures.decisions_per_day(now=now)
    moderators = figures.decisions_per_moderator(now=now)
    return render_template(
        "moderation/dashboard.html",
        now=now,
        backlog=figures.backlog(),
        days=days,
        days_total=sum(day.total for day in days),
        day_chart=_day_chart(days),
        moderators=moderators,
        moderator_chart=_moderator_chart(moderators),
    )


# --- audit log ------------------------------------------------------------------------------------


@bp.route("/moderation/journal", endpoint="journal")
@role_required(can_administer)
def journal_page():
    query = journal.parse_journal_args(request.args)
    page = queries.journal_page(
        query.filters,
        after=int_param(request.args, "after", minimum=1),
        before=int_param(request.args, "before", minimum=1),
    )
    return render_template(
        "moderation/audit.html",
        journal=query,
        page=page,
        prefixes=journal.ACTION_PREFIXES,
        target_types=journal.TARGET_TYPES,
        target_label=journal.target_label,
        target_pages=TARGET_PAGES,
    )


@bp.route("/moderation/journal.csv")
@role_required(can_administer)
def journal_csv():
    query = journal.parse_journal_args(request.args)
    back = url_for("moderation.journal", **query.args())
    if query.errors:
        flash(_("Corrigez les critères avant d’exporter le journal."), "error")
        return redirect(back)
    text = journal.journal_csv(
        queries.journal_rows(query.filters, limit=journal.EXPORT_LIMIT + 1),
        limit=journal.EXPORT_LIMIT,
    )
    if text is None:
        flash(
            _(
                "Plus de %(num)s entrées correspondent : précisez les critères (dates, action) "
                "pour exporter moins de lignes.",
                num=format_decimal(journal.EXPORT_LIMIT),
            ),
            "error",
        )
        return redirect(back)
    filename = f"journal-{figures.paris_today().isoformat()}.csv"
    return Response(
        text.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- team -----------------------------------------------------------------------------------------


def _team_page(form: RoleChangeForm, *, failed_id: int | None = None, found=None, status=200):
    # The text area of the form that was refused, for the error summary's link
    action = request.endpoint.rsplit(".", 1)[-1]
    email = text_param(request.args, "email", max_length=254)
    if found is None and email:
        found = queries.member_by_email(email)
    return (
        render_template(
            "moderation/team.html",
            members=queries.team_members(),
            email=email or (found.email if found is not None else ""),
            found=found,
            form=form,
            failed_id=failed_id,
            failed_field_id=f"reason-{action}-{failed_id}",
            can_change_role=team.can_change_role,
        ),
        status,
    )


@bp.route("/moderation/equipe", endpoint="team")
@role_required(can_administer)
def team_page():
    return _team_page(RoleChangeForm())


def _change_role(member_id: int, change, done_message):
    form = RoleChangeForm()
    member = db.session.get(User, member_id)
    # What the actor may not do at all is refused by the service before any word on the reason
    if form.validate_on_submit() or not team.can_change_role(current_user, member):
        result = act(lambda: change(current_user, member_id, form.reason.data or ""), form=form)
        if result:
            flash(done_message(result.value.display_name), "success")
            return redirect(url_for("moderation.team"))
        db.session.refresh(member)
    return _team_page(form, failed_id=member_id, found=member, status=form_status(form))


@bp.route("/moderation/equipe/<int:member_id>/nommer", methods=["POST"])
@role_required(can_administer)
def grant_moderator(member_id: int):
    return _change_role(
        member_id,
        team.grant_moderator,
        lambda name: _("%(name)s fait désormais partie de l’équipe de modération.", name=name),
    )


@bp.route("/moderation/equipe/<int:member_id>/retirer", methods=["POST"])
@role_required(can_administer)
def withdraw_moderator(member_id: int):
    return _change_role(
        member_id,
        team.withdraw_moderator,
        lambda name: _("%(name)s ne fait plus partie de l’équipe de modération.", name=name),
    )


# --- transparency ---------------------------------------------------------------------------------


@bp.route("/transparence")
def transparency():
    years = figures.years_with_data()
    # A year asked for but unreadable (too long, not a number) is no year at all: a 404 too
    asked = text_param(request.args, "annee", max_length=40, default="?")
    if "annee" not in request.args or not asked:
        year = years[0]
    else:
        year = parse_int(asked, minimum=1, maximum=9999)
    if year not in years:
        raise NotFound(
            _l(
                "Il n’y a pas de rapport de transparence pour cette année. Les années publiées "
                "vont de %(first)s à %(last)s.",
                first=years[-1],
                last=years[0],
            )
        )
    today = figures.paris_today()
    return render_template(
        "moderation/transparency.html",
        report=figures.transparency(year),
        years=years,
        current_year=today.year,
        today=today,
        format_percent=format_percent,
    )
