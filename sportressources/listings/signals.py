"""Signals listings send for the packages above them, with the Listing class as sender.

``listing_form_checking(data, extras, listing)``: a listing is about to be created or changed
from a form that carried more fields than its own (``extras``, the submitted values, from a
template slot of the listing form, e.g. the loan terms); each receiver returns a dict of
field name to French message for the extra fields it refuses (empty when all is well), which
are reported with the listing's own errors. ``listing`` is None on creation.

``listing_form_saved(listing, actor, extras)``: the listing was created or changed (flushed),
in the same transaction; a receiver stores what its extra fields say. A receiver that raises
aborts the whole change.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
listing_form_checking = _signals.signal("listing-form-checking")
listing_form_saved = _signals.signal("listing-form-saved")
