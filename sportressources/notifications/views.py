"""The member's notification list, and the unread count for the header."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_login import current_user, login_required

from sportressources.core.params import int_param
from sportressources.core.web import act, header_count
from sportressources.notifications import services

bp = Blueprint("notifications", __name__)

MAX_PAGE = 10_000


def unread_notification_count() -> int:
    """For the header: the signed-in member's unread notifications."""
    return header_count("unread_notification_count", services.unread_count)


@bp.record_once
def register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(unread_notification_count=unread_notification_count)


@bp.get("/notifications")
@login_required
def index():
    page = int_param(request.args, "page", minimum=1, maximum=MAX_PAGE, default=1)

    def show():
        shown, has_more = services.list_notifications(current_user, page)
        services.mark_read(current_user, [item.notification for item in shown])
        return shown, has_more

    # Showing the list marks it read: a write, so the lock comes before the reads.
    shown, has_more = act(show, write=True).value
    g.unread_notification_count = services.unread_count(current_user)
    return render_template("notifications/index.html", shown=shown, page=page, has_more=has_more)
