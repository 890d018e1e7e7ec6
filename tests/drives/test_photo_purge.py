"""The nightly purge of unused photo files spares the photos of pledges and inventory items,
which go through the listings' pipeline but are not listing photos."""

from __future__ import annotations

from datetime import timedelta

from sportressources.core.db import db
from sportressources.core.storage import get_storage
from sportressources.listings.photos import process_upload, purge_orphans, store
from tests.drives.inventory_helpers import receive_items, stock_item
from tests.factories import make_organisation
from tests.listings.test_photos import age, encode, photo_like


def _stored_photo() -> str:
    key = store(process_upload(encode(photo_like((600, 400)), "JPEG")))
    age(key, 72)
    return key


def _stored_keys() -> set[str]:
    return {name[:32] for name in get_storage().names()}


def test_purge_keeps_the_photos_of_inventory_items_and_pledges(app):
    organisation = make_organisation()
    kept_by_item, kept_by_pledge, orphan = _stored_photo(), _stored_photo(), _stored_photo()
    stock_item(organisation, photo_key=kept_by_item)
    [received] = receive_items(organisation, photo_key=kept_by_pledge)
    received.photo_key = None  # only the pledge item still names that photo
    db.session.commit()

    assert purge_orphans(timedelta(hours=24)) == 3  # the orphan's three sizes

    assert _stored_keys() == {kept_by_item, kept_by_pledge}
    assert orphan not in _stored_keys()
