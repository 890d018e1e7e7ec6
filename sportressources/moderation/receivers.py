"""What moderation does when lower packages change state (connected by ``init_app``): a listing
submitted or edited goes into the queue with its automatic flags; one that leaves review before a
decision leaves the queue."""

from __future__ import annotations

from sportressources.core.states import apply_transition, state_changed
from sportressources.listings.models import Listing, ListingStatus
from sportressources.moderation import flags, queue
from sportressources.moderation.models import CaseReason, TargetType

_RESUBMITTED_FROM = {ListingStatus.REJECTED.value, ListingStatus.CHANGES_REQUESTED.value}


def on_listing_changed(sender, obj=None, action=None, before=None, after=None, actor=None, **_):
    if after == ListingStatus.AWAITING_REVIEW.value:
        if action == "send_back_to_review":
            reason = CaseReason.EDITED
        elif before in _RESUBMITTED_FROM:
            reason = CaseReason.RESUBMITTED
        else:
            reason = CaseReason.NEW
        queue.open_case(
            TargetType.LISTING,
            obj.id,
            author_id=obj.owner_id,
            reason=reason,
            flags=flags.listing_flags(obj),
        )
    elif before == ListingStatus.AWAITING_REVIEW.value and action == "withdraw":
        case = queue.open_case_for(TargetType.LISTING, obj.id)
        if case is not None:
            apply_transition(case, "close", actor=actor, reason="listing withdrawn")


def connect() -> None:
    state_changed.connect(on_listing_changed, sender=Listing, weak=False)
