"""Processes that run one service and die (``os._exit``) just before one of its write statements.

Run by ``tests/test_crash_safety.py``: ``python -m tests.crash_child CONFIG_JSON ACTION ARGS_JSON
MODE``. MODE ``crash``: count the service's writes (rolled back), then fork one process per write
but the first, each dying just before that write. MODE ``commit``: run the service and commit.
Prints a JSON report.
"""

from __future__ import annotations

import json
import os
import sys

from sqlalchemy import event

from sportressources import create_app
from sportressources.accounts.models import User
from sportressources.core.db import begin_write, db
from sportressources.listings import review
from sportressources.listings.models import Listing
from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.exchanges.models import ExchangeRequest

CRASH_EXIT_CODE = 70
WRITES = ("INSERT", "UPDATE", "DELETE")


def approve(args: dict) -> None:
    moderator = db.session.get(User, args["moderator"])
    review.approve_listing(moderator, db.session.get(Listing, args["listing"]))


def accept(args: dict) -> None:
    owner = db.session.get(User, args["owner"])
    exchanges.accept_request(owner, db.session.get(ExchangeRequest, args["request"]))


ACTIONS = {"approve": approve, "accept": accept}


def run(action: str, args: dict, crash_at: int | None) -> int:
    """Run the service in a write transaction; die before write ``crash_at`` if given. Returns
    the number of write statements sent, after rolling back (``crash_at`` None) or committing."""
    writes = 0

    def count_writes(connection, cursor, statement, parameters, context, executemany):
        nonlocal writes
        if statement.lstrip().upper().startswith(WRITES):
            writes += 1
            if writes == crash_at:
                # The process dies at once: no exception handler, no rollback, no cleanup
                os._exit(CRASH_EXIT_CODE)

    event.listen(db.engine, "before_cursor_execute", count_writes)
    try:
        begin_write()
        ACTIONS[action](args)
        db.session.flush()
        if crash_at is None:
            db.session.rollback()
        else:
            db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", count_writes)
    return writes


def crash_at_every_gap(action: str, args: dict) -> dict:
    """Count the service's writes, then for each write but the first fork a process that dies
    just before it. Returns the count and each forked process's exit code."""
    writes = run(action, args, None)
    db.session.remove()
    db.engine.dispose()  # no connection of this process is inherited by the forks
    codes = {}
    for crash_at in range(2, writes + 1):
        pid = os.fork()
        if pid == 0:
            try:
                run(action, args, crash_at)
            finally:
                os._exit(0)  # the crash did not happen: the parent reports the exit code
        _, status = os.waitpid(pid, 0)
        codes[crash_at] = os.waitstatus_to_exitcode(status)
    return {"writes": writes, "exit_codes": codes}


def main(config: dict, action: str, args: dict, mode: str) -> None:
    app = create_app(config)
    with app.app_context():
        if mode == "crash":
            print(json.dumps(crash_at_every_gap(action, args)))
        else:
            print(json.dumps({"writes": run(action, args, 0)}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), sys.argv[4])
