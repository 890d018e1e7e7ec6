"""``flask users ...`` and the demo accounts of ``flask data init --demo``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sportressources.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from sportressources.core.security import Role
from tests.factories import PASSWORD, make_user

ADMIN_PASSWORD = "une longue phrase pour administrer"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def users_named(email: str) -> list[User]:
    db.session.rollback()
    return list(db.session.scalars(select(User).where(User.email == email)))


def log_in(client, email: str, password: str):
    return client.post("/compte/connexion", data={"email": email, "password": password})


def test_create_admin_asks_the_password_twice_and_creates_a_confirmed_admin(runner, client):
    result = runner.invoke(
        args=["users", "create-admin", " Chef@Example.org "],
        input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Mot de passe: \nConfirmez le mot de passe: \n" in result.output
    assert "Compte chef@example.org créé." in result.output
    assert ADMIN_PASSWORD not in result.output
    [admin] = users_named("chef@example.org")
    assert admin.role == Role.ADMIN.value
    assert admin.is_confirmed
    assert log_in(client, "chef@example.org", ADMIN_PASSWORD).status_code == 302


def test_create_admin_repeats_the_question_when_the_two_entries_differ(runner):
    result = runner.invoke(
        args=["users", "create-admin", "chef@example.org"],
        input=f"{ADMIN_PASSWORD}\nautre chose\n{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert len(users_named("chef@example.org")) == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court", "Le mot de passe doit contenir au moins 10 caractères."),
        ("motdepasse123", "Ce mot de passe est trop courant ou trop simple"),
        ("chef-du-site-62", "ne doit pas reprendre votre adresse e-mail ni votre nom"),
    ],
)
def test_create_admin_refuses_a_weak_password_and_creates_nothing(runner, password, message):
    result = runner.invoke(
        args=["users", "create-admin", "chef-du-site@example.org"],
        input=f"{password}\n{password}\n",
    )

    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_refuses_a_malformed_address(runner):
    result = runner.invoke(
        args=["users", "create-admin", "pas-une-adresse"],
        input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )

    assert result.exit_code == 1
    assert "Cette adresse e-mail n’est pas valide" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_promotes_an_existing_account_without_asking_a_password(
    runner, client, resident
):
    result = runner.invoke(args=["users", "create-admin", "RESIDENT@example.org"])

    assert result.exit_code == 0, result.output
    assert "Mot de passe" not in result.output
    assert "Compte resident@example.org promu administrateur." in result.output
    [user] = users_named("resident@example.org")
    assert user.role == Role.ADMIN.value
    assert user.display_name == "Camille Résidente"
    assert log_in(client, "resident@example.org", PASSWORD).status_code == 302


def test_set_role_gives_a_role(runner, resident):
    result = runner.invoke(args=["users", "set-role", "resident@example.org", "moderator"])

    assert result.exit_code == 0, result.output
    assert "resident@example.org a maintenant le rôle moderator." in result.output
    assert users_named("resident@example.org")[0].role == Role.MODERATOR.value


def test_set_role_refuses_an_unknown_address(runner, resident):
    result = runner.invoke(args=["users", "set-role", "nobody@example.org", "moderator"])

    assert result.exit_code == 1
    assert "Aucun compte actif pour nobody@example.org." in result.output
    assert users_named("resident@example.org")[0].role == Role.RESIDENT.value


@pytest.mark.parametrize("role", ["superuser", "association_member"])
def test_set_role_refuses_an_unknown_role(runner, resident, role):
    result = runner.invoke(args=["users", "set-role", "resident@example.org", role])

    assert result.exit_code == 2
    assert users_named("resident@example.org")[0].role == Role.RESIDENT.value


def test_set_role_keeps_the_last_admin(runner, admin):
    result = runner.invoke(args=["users", "set-role", "admin@example.org", "resident"])

    assert result.exit_code == 1
    assert "Le site doit garder au moins un administrateur." in result.output
    assert users_named("admin@example.org")[0].role == Role.ADMIN.value


def test_set_role_demotes_an_admin_when_another_remains(runner, admin):
    make_user(email="second-admin@example.org", role=Role.ADMIN)

    result = runner.invoke(args=["users", "set-role", "admin@example.org", "moderator"])

    assert result.exit_code == 0, result.output
    assert users_named("admin@example.org")[0].role == Role.MODERATOR.value


def test_data_init_demo_creates_the_demo_accounts_once(runner, client):
    first = runner.invoke(args=["data", "init", "--demo"])

    assert first.exit_code == 0, first.output
    assert f"{len(DEMO_ACCOUNTS)} comptes créés" in first.output
    db.session.rollback()
    users = {user.email: user for user in db.session.scalars(select(User))}
    # the demo listings bring their own members besides the role accounts
    assert {email for email, *_ in DEMO_ACCOUNTS} <= set(users)
    count = len(users)
    for email, name, role, commune in DEMO_ACCOUNTS:
        assert (users[email].display_name, users[email].role) == (name, role.value)
        assert users[email].home_commune_insee == commune
        assert users[email].is_confirmed
    assert log_in(client, "admin@example.org", DEMO_PASSWORD).status_code == 302

    second = runner.invoke(args=["data", "init", "--demo"])

    assert second.exit_code == 0, second.output
    assert "rien à faire" in second.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == count


def test_data_init_without_demo_creates_no_account(runner):
    result = runner.invoke(args=["data", "init", "--no-demo"])

    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_purge_unconfirmed_erases_only_old_unconfirmed_accounts(runner):
    old = make_user(email="old@example.org", confirmed=False)
    old.created_at = utcnow() - timedelta(days=8)
    make_user(email="recent@example.org", confirmed=False)
    confirmed = make_user(email="confirmed@example.org")
    confirmed.created_at = utcnow() - timedelta(days=30)
    db.session.commit()

    result = runner.invoke(args=["users", "purge-unconfirmed"])

    assert result.exit_code == 0, result.output
    assert "1 compte(s) non confirmé(s) supprimé(s)." in result.output
    db.session.rollback()
    remaining = set(db.session.scalars(select(User.email)))
    assert remaining == {"recent@example.org", "confirmed@example.org"}
