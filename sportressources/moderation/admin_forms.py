"""Forms of the admin pages: a role change and its reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from sportressources.core.forms import NO_MAXLENGTH, max_length
from sportressources.moderation.team import REASON_MAX_LENGTH


class RoleChangeForm(FlaskForm):
    reason = TextAreaField(
        _l("Raison"),
        validators=[
            DataRequired(
                message=_l("Indiquez la raison de ce changement : elle est écrite au journal.")
            ),
            max_length(REASON_MAX_LENGTH),
        ],
        render_kw=NO_MAXLENGTH,
    )
