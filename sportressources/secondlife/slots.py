"""What second life shows on the pages of lower packages (see core.hooks)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from sportressources.organisations.models import OrganisationKind
from sportressources.organisations.queries import is_member
from sportressources.secondlife import queries


def my_space_section(**_context) -> str:
    """The owner's suggestions waiting for a choice; nothing when there are none."""
    suggestions = queries.open_suggestions_of(current_user)
    if not suggestions:
        return ""
    return render_template("secondlife/_my_space_section.html", suggestions=suggestions)


def organisation_section(organisation=None, viewer=None, **_context) -> str:
    """For a ressourcerie's members: a link to what is offered to it."""
    if (
        organisation is None
        or organisation.kind != OrganisationKind.RESSOURCERIE.value
        or viewer is None
        or not getattr(viewer, "is_authenticated", False)
        or not is_member(viewer.id, organisation.id)
    ):
        return ""
    return render_template(
        "secondlife/_organisation_section.html",
        organisation=organisation,
        waiting=queries.waiting_count(organisation.id),
    )
