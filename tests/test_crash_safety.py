"""A process that dies between two writes of a service leaves nothing half-written.

A child process (``tests/crash_child.py``) runs a real service against the test database and is
killed by ``os._exit`` just before its N-th write statement, for every N from the second write to
the last: the writes before were sent to the database inside the open transaction, the rest never
were. Afterwards every table must hold exactly what it held before: on PostgreSQL the server rolls
back the dead connection's transaction, on SQLite the next opener rolls back the hot journal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine

from sportressources.core.db import db
from sportressources.trade.exchanges import services as exchanges
from tests.crash_child import CRASH_EXIT_CODE
from tests.factories import committed, make_listing, make_user

ROOT = Path(__file__).resolve().parents[1]


def child_config(app) -> dict:
    keys = (
        "SQLALCHEMY_DATABASE_URI",
        "SQLALCHEMY_ENGINE_OPTIONS",
        "MAIL_OUTBOX_DIR",
        "UPLOAD_DIR",
        "SECRET_KEY",
        "SITE_URL",
    )
    return {"APP_ENV": "testing", **{key: app.config[key] for key in keys}}


def run_child(app, action: str, args: dict, mode: str) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.crash_child",
            json.dumps(child_config(app)),
            action,
            json.dumps(args),
            mode,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, read on a connection of its own."""
    engine = create_engine(
        app.config["SQLALCHEMY_DATABASE_URI"], **app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    try:
        with engine.connect() as connection:
            return {
                name: [
                    tuple(row)
                    for row in connection.execute(
                        table.select().order_by(*table.primary_key.columns)
                    )
                ]
                for name, table in db.metadata.tables.items()
            }
    finally:
        engine.dispose()


def changed_tables(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def crash_at_every_gap(app, action: str, args: dict) -> set[str]:
    """Kill a process running the service before each write but the first; then let it run to
    the end. Returns the tables the full run changes."""
    db.session.remove()
    before = snapshot(app)
    report = run_child(app, action, args, "crash")
    assert report["writes"] >= 3, "the service should make several writes"
    assert set(report["exit_codes"].values()) == {CRASH_EXIT_CODE}, report
    # A crash leaves its half-written rows behind for good: one look after all of them suffices
    assert changed_tables(before, snapshot(app)) == set()
    run_child(app, action, args, "commit")
    return changed_tables(before, snapshot(app))


def test_a_listing_approval_killed_midway_leaves_the_listing_awaiting_review(app, moderator):
    owner = make_user()
    listing = make_listing(owner=owner, status="awaiting_review")
    db.session.commit()

    changed = crash_at_every_gap(app, "approve", {"moderator": moderator.id, "listing": listing.id})

    # The same service, not killed, writes the status, its audit row and the owner's notice
    assert {"listings", "audit_entries", "notifications"} <= changed


def test_an_accepted_request_killed_midway_reserves_nothing_and_declines_no_one(app):
    owner, chosen, other = make_user(), make_user(), make_user()
    listing = make_listing(owner=owner, status="published")
    picked = committed(exchanges.request_item(chosen, listing))
    committed(exchanges.request_item(other, listing))

    changed = crash_at_every_gap(app, "accept", {"owner": owner.id, "request": picked.id})

    assert {"listings", "exchange_requests", "audit_entries", "outgoing_mail"} <= changed
