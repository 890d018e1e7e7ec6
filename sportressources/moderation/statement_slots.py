"""What statements of reasons show on the account pages of ``accounts`` (see core.hooks): a link
in the account menu and a section listing the member's latest statements."""

from __future__ import annotations

from flask import Flask, render_template
from flask_login import current_user

from sportressources.moderation import statements

# The account page shows the latest few; /compte/decisions lists them all
SECTION_SIZE = 5


def account_nav(**_context) -> str:
    return render_template("moderation/_statements_nav.html")


def account_section(**_context) -> str:
    if not current_user.is_authenticated:
        return ""
    latest = statements.statements_of(current_user, limit=SECTION_SIZE + 1)
    return render_template(
        "moderation/_statements_section.html",
        statements=statements.summaries(latest[:SECTION_SIZE]),
        more=len(latest) > SECTION_SIZE,
    )


def register(app: Flask) -> None:
    """Wire the statements into the app: the account page's section and menu link, and the CLI
    command ``flask moderation export-statements``."""
    from sportressources.core.hooks import add_to_slot
    from sportressources.moderation import export  # noqa: F401  (adds its command to the group)

    add_to_slot(app, "account.nav", account_nav, order=10)
    add_to_slot(app, "account.sections", account_section, order=10)
