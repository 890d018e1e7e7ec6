"""Signals organisations send for the packages above them.

``organisation_submitted``: an organisation needs a moderator's verification: just created
(``reason="new"``), resubmitted after a refusal (``"resubmitted"``), or sent back after its
name or identifiers changed (``"edited"``). Sent with the Organisation as sender and
``organisation``, ``actor``, ``reason``; moderation opens a case in its queue. A receiver that
raises aborts the change with the caller's transaction.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
organisation_submitted = _signals.signal("organisation-submitted")
