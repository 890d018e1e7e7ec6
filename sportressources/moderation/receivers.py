"""What moderation does when lower packages change state (connected by ``init_app``): a listing
submitted or edited goes into the queue with its automatic flags; one that leaves review before a
decision leaves the queue. An organisation created, resubmitted or edited waits there for its
verification."""

from __future__ import annotations

from sportressources.core.states import apply_transition, state_changed
from sportressources.listings.models import Listing, ListingStatus
from sportressources.moderation import flags, queue
from sportressources.moderation.models import CaseReason, TargetType
from sportressources.organisations.models import Organisation
from sportressources.organisations.signals import organisation_submitted

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


_ORGANISATION_REASONS = {
    "new": CaseReason.NEW,
    "resubmitted": CaseReason.RESUBMITTED,
    "edited": CaseReason.EDITED,
}


def on_organisation_submitted(sender, organisation=None, actor=None, reason="new", **_):
    """An organisation to verify goes into the queue."""
    queue.open_case(
        TargetType.ORGANISATION,
        organisation.id,
        author_id=getattr(actor, "id", None) or organisation.created_by_id,
        reason=_ORGANISATION_REASONS.get(reason, CaseReason.NEW),
    )


def on_organisation_changed(sender, obj=None, action=None, actor=None, **_):
    """An organisation verified, refused or closed outside the queue leaves it."""
    if action not in {"verify", "refuse", "close"}:
        return
    case = queue.open_case_for(TargetType.ORGANISATION, obj.id)
    if case is not None:
        reason = f"organisation {action} outside the queue"
        apply_transition(case, "close", actor=actor, reason=reason)


def connect() -> None:
    state_changed.connect(on_listing_changed, sender=Listing, weak=False)
    organisation_submitted.connect(on_organisation_submitted, sender=Organisation, weak=False)
    state_changed.connect(on_organisation_changed, sender=Organisation, weak=False)
