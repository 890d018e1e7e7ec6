"""What moderation does when lower packages change state (connected by ``init_app``): a listing
submitted or edited goes into the queue with its automatic flags; one that leaves review before a
decision leaves the queue. An organisation created, resubmitted or edited waits there for its
verification."""

from __future__ import annotations

from sportressources.core.states import apply_transition, state_changed
from sportressources.listings import revisions
from sportressources.listings.models import Listing, ListingRevision, ListingStatus
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


def on_revision_proposed(sender, listing=None, revision=None, actor=None, **_):
    """A change to a public listing waits in the queue; its flags are those of the new text."""
    queue.open_case(
        TargetType.LISTING,
        listing.id,
        author_id=revision.author_id,
        reason=CaseReason.EDITED,
        flags=flags.listing_flags(revisions.ProposedListing(listing, revision)),
    )


def on_revision_changed(sender, obj=None, action=None, actor=None, **_):
    """A change given up before a decision (its owner undid it, the listing closed) leaves the
    queue, unless members reported the listing meanwhile."""
    if action != "withdraw":
        return
    case = queue.open_case_for(TargetType.LISTING, obj.listing_id)
    if case is not None and case.reason == CaseReason.EDITED and not case.report_count:
        apply_transition(case, "close", actor=actor, reason="listing change withdrawn")


def connect() -> None:
    state_changed.connect(on_revision_changed, sender=ListingRevision, weak=False)
    revisions.revision_proposed.connect(on_revision_proposed, sender=Listing, weak=False)
    state_changed.connect(on_listing_changed, sender=Listing, weak=False)
    organisation_submitted.connect(on_organisation_submitted, sender=Organisation, weak=False)
    state_changed.connect(on_organisation_changed, sender=Organisation, weak=False)
