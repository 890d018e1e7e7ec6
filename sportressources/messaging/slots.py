"""What messaging shows on the pages of lower packages (see core.hooks)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from sportressources.messaging import services


def my_space_section(**_context) -> str:
    return render_template(
        "messages/_my_space_section.html", conversations=services.conversations_of(current_user)
    )
