"""Signals through which lower domains reach the ones built on them without importing them.

- ``personal_data_requested(user)``: each receiver returns ``(section, data)`` for the RGPD export.
- ``account_deleting(user)``: each receiver withdraws or anonymises what the user owns; may flush.
"""

from blinker import Namespace

_signals = Namespace()

personal_data_requested = _signals.signal("personal-data-requested")
account_deleting = _signals.signal("account-deleting")
