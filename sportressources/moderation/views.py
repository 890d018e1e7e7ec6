"""The moderation blueprint and its home page; each part adds its routes from its own
``views_*`` module (queue, reports, appeals, sanctions, admin)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from sportressources.core.security import role_required
from sportressources.moderation import queries
from sportressources.moderation.policies import can_administer, can_moderate

bp = Blueprint("moderation", __name__)


@bp.route("/moderation/")
@role_required(can_moderate)
def home():
    return render_template(
        "moderation/home.html",
        counts=queries.waiting_counts(),
        is_admin=can_administer(current_user),
    )
