"""``flask moderation …``: commands for the moderation team and scheduled jobs."""

from __future__ import annotations

from flask.cli import AppGroup

moderation_cli = AppGroup("moderation", help="Modération : décisions, sanctions, exports.")
