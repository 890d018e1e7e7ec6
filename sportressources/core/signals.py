"""Signals through which lower domains reach the ones built on them without importing them.

- ``personal_data_requested(user)``: each receiver returns ``(section, data)`` for the RGPD export.
- ``account_deleting(user)``: each receiver withdraws or anonymises what the user owns; may flush.
- ``listing_closing(listing, actor)``: a listing is withdrawn or closed; a receiver cancels what
  depends on it (loans not picked up yet) or raises a DomainError to refuse (an item out on loan).
- ``listing_availability_changing(listing, actor, status)``: the owner marks a listing reserved,
  available, given or sold; a receiver raises a DomainError to refuse (a member already chosen).
- ``account_restriction_requested(user, now)``: a member whose account is marked suspended or
  banned signs in; a receiver ends the sanctions whose period is over (clearing the marks, and
  may flush), and returns an ``accounts.restrictions.Restriction`` for one still in force, or None.
"""

from blinker import Namespace

_signals = Namespace()

personal_data_requested = _signals.signal("personal-data-requested")
account_deleting = _signals.signal("account-deleting")
listing_closing = _signals.signal("listing-closing")
listing_availability_changing = _signals.signal("listing-availability-changing")
account_restriction_requested = _signals.signal("account-restriction-requested")
