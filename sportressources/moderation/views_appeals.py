"""Moderation pages: statements of reasons a member reads, and appeals."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from sportressources.core.db import db
from sportressources.moderation.models import Statement
from sportressources.moderation.views import bp


@bp.route("/compte/decisions/<int:statement_id>")
@login_required
def statement(statement_id: int):
    return render_template(
        "moderation/statement.html", statement=db.get_or_404(Statement, statement_id)
    )
