"""How a conversation names its two sides: the organisation, for the owner's side of an
organisation's listing, and « <member> pour <organisation> » for each of its members' messages.
Registered as Jinja globals by ``messaging.init_app``."""

from __future__ import annotations

from flask_babel import gettext

from sportressources.core.templating import member_name
from sportressources.messaging.models import Conversation, Message
from sportressources.messaging.services import OWNER, other_party, side_of


def other_side_name(user, conversation: Conversation) -> str:
    """The name of the side ``user`` is talking to: an organisation's name, or a member's."""
    organisation = conversation.listing.organisation
    if side_of(user, conversation) != OWNER and organisation is not None:
        return organisation.name
    return member_name(other_party(user, conversation))


def author_name(conversation: Conversation, message: Message) -> str:
    """Who wrote ``message``: « <member> pour <organisation> » when a member of the listing's
    organisation wrote it, the member's name otherwise."""
    organisation = conversation.listing.organisation
    if organisation is not None and message.sender_id != conversation.interested_id:
        return gettext(
            "%(name)s pour %(organisation)s",
            name=member_name(message.sender),
            organisation=organisation.name,
        )
    return member_name(message.sender)


def speaks_for_organisation(user, conversation: Conversation) -> bool:
    """True when ``user`` writes on the owner's side of an organisation's listing."""
    return conversation.listing.organisation_id is not None and side_of(user, conversation) == OWNER
