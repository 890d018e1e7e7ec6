"""The demo organisations: a verified club managed by club@example.org, found by its slug, and a
verified ressourcerie; loading twice changes nothing."""

from sqlalchemy import func, select

from sportressources.accounts.demo import load_demo_accounts
from sportressources.core.db import db
from sportressources.organisations.demo import CLUB_SLUG, load_demo_organisations
from sportressources.organisations.identifiers import normalise_rna, normalise_siret
from sportressources.organisations.models import Organisation
from sportressources.organisations.queries import is_manager
from sportressources.organisations.sports import sport_labels


def test_the_demo_club_is_verified_and_managed_by_the_club_account(app):
    load_demo_accounts()
    assert load_demo_organisations() == "2 organisation(s) créée(s)"
    db.session.commit()
    club = db.session.scalar(select(Organisation).where(Organisation.slug == CLUB_SLUG))
    assert (club.name, club.kind, club.is_verified) == ("US Club démo", "club", True)
    manager = club.memberships[0].user
    assert manager.email == "club@example.org"
    assert is_manager(manager.id, club.id)
    assert club.commune_insee == manager.home_commune_insee
    assert normalise_rna(club.rna) == club.rna
    assert set(club.sports) <= set(sport_labels())
    shop = db.session.scalar(select(Organisation).where(Organisation.kind == "ressourcerie"))
    assert shop.name == "Ressourcerie démo de l'Artois" and shop.is_verified
    assert normalise_siret(shop.siret) == shop.siret


def test_loading_twice_changes_nothing(app):
    load_demo_accounts()
    load_demo_organisations()
    assert load_demo_organisations() == "déjà présentes"
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2
