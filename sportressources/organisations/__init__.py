"""Organisations: clubs, communes and ressourceries as members of the site; their members,
invitations and verification, and their public pages."""

from flask import Flask


def init_app(app: Flask) -> None:
    from sportressources.organisations.models import Organisation

    Organisation.transitions.enforce()  # statuses change through apply_transition only
