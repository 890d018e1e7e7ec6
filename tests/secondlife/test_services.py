"""The owner's choices and the ressourcerie's answers, as services: who may act, what each
changes, what the owner is told (in their language), and the item's timeline."""

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Conflict, NotFound, ValidationFailed
from sportressources.listings.models import Listing
from sportressources.listings.revisions import pending_revision
from sportressources.messaging.models import Conversation
from sportressources.notifications.models import Notification
from sportressources.notifications.services import list_notifications
from sportressources.secondlife import queries, services
from sportressources.secondlife.scan import scan
from tests.factories import add_member, committed, fresh, make_organisation, make_user
from tests.secondlife.conftest import NOW


def offered(suggestion, owner, ressourcerie):
    committed(services.offer_to_ressourcerie(owner, suggestion, ressourcerie.id))
    return fresh(suggestion)


def test_the_owner_offers_to_a_ressourcerie_whose_members_are_told(
    suggested, owner, ressourcerie, volunteer
):
    suggestion = offered(suggested, owner, ressourcerie)
    assert (suggestion.status, suggestion.organisation_id) == ("offered", ressourcerie.id)
    shown, _more = list_notifications(volunteer)
    assert [notice.message for notice in shown] == [
        "Olivier Prêteur propose « Vélo enfant 20 pouces » à Ressourcerie démo de l’Artois."
    ]
    assert [s.id for s in queries.offers_to(ressourcerie.id, queries.OfferFilters())] == [
        suggestion.id
    ]


@pytest.mark.parametrize("kind, status", [("club", "verified"), ("ressourcerie", "pending")])
def test_only_a_verified_ressourcerie_may_be_offered_to(suggested, owner, kind, status):
    other = make_organisation(kind=kind, status=status, siret="73282932000082")
    with pytest.raises(ValidationFailed) as refused:
        services.offer_to_ressourcerie(owner, suggested, other.id)
    assert refused.value.fields == {"organisation": ["Choisissez une ressourcerie de la liste."]}
    assert fresh(suggested).status == "suggested"


@pytest.mark.parametrize("organisation_id", [None, 0, 999_999])
def test_an_unknown_organisation_is_refused(suggested, owner, organisation_id):
    with pytest.raises(ValidationFailed):
        services.offer_to_ressourcerie(owner, suggested, organisation_id)


def test_only_the_owner_chooses(suggested, ressourcerie, volunteer):
    stranger = make_user()
    for actor in (stranger, volunteer):
        with pytest.raises(NotFound):
            services.offer_to_ressourcerie(actor, suggested, ressourcerie.id)
        with pytest.raises(NotFound):
            services.dismiss(actor, suggested)
        with pytest.raises(NotFound):
            services.donate(actor, suggested)


def test_the_owner_donates_a_loan_item_through_the_listing_review(suggested, owner):
    assert committed(services.donate(owner, suggested)) is False
    suggestion = fresh(suggested)
    assert suggestion.status == "donated"
    revision = pending_revision(suggestion.listing)
    assert revision is not None and revision.data["kind"] == "gift"


def test_with_auto_approval_the_listing_becomes_a_gift_at_once(app, suggested, owner):
    app.config["LISTINGS_AUTO_APPROVE"] = True
    assert committed(services.donate(owner, suggested)) is True
    assert db.session.get(Listing, suggested.listing_id).kind == "gift"


def test_a_gift_cannot_be_donated_again(gift_item, owner):
    committed(scan(NOW))
    suggestion = queries.open_suggestions_of(owner)[0]
    with pytest.raises(Conflict, match="déjà un don"):
        services.donate(owner, suggestion)


def test_a_decided_suggestion_cannot_be_decided_again(suggested, owner):
    committed(services.dismiss(owner, suggested))
    with pytest.raises(Conflict):
        services.donate(owner, fresh(suggested))
    with pytest.raises(Conflict):
        services.dismiss(owner, fresh(suggested))


def test_accepting_withdraws_the_listing_and_opens_a_conversation(
    suggested, owner, ressourcerie, volunteer, outbox
):
    suggestion = offered(suggested, owner, ressourcerie)
    conversation = committed(services.accept_offer(volunteer, suggestion))
    suggestion = fresh(suggestion)
    assert suggestion.status == "accepted" and suggestion.decided_by_id == volunteer.id
    assert suggestion.listing.status == "withdrawn"
    assert (conversation.owner_id, conversation.interested_id) == (owner.id, volunteer.id)
    assert outbox.last("owner@example.org").subject == (
        "« Vélo enfant 20 pouces » : la ressourcerie l’accepte"
    )
    actions = [entry.action for entry in queries.timeline(suggestion)]
    assert actions == [
        "second_life_suggestion.suggest",
        "second_life_suggestion.offer",
        "second_life_suggestion.accept",
    ]
    assert queries.timeline(suggestion)[-1].details["organisation"] == ressourcerie.name


def test_accepting_reuses_an_existing_conversation(suggested, owner, ressourcerie, volunteer):
    from sportressources.messaging import services as messaging

    existing = committed(messaging.start_conversation(volunteer, suggested.listing))
    suggestion = offered(suggested, owner, ressourcerie)
    assert committed(services.accept_offer(volunteer, suggestion)).id == existing.id
    assert db.session.scalar(select(db.func.count()).select_from(Conversation)) == 1


def test_declining_tells_the_owner_why_and_lets_them_choose_again(
    suggested, owner, ressourcerie, volunteer, outbox
):
    suggestion = offered(suggested, owner, ressourcerie)
    committed(services.decline_offer(volunteer, suggestion, "  Nous avons assez de vélos.  "))
    suggestion = fresh(suggestion)
    assert (suggestion.status, suggestion.decline_reason) == (
        "declined",
        "Nous avons assez de vélos.",
    )
    mail = outbox.last("owner@example.org")
    assert "Sa raison : Nous avons assez de vélos." in mail.text
    assert suggestion.listing.status == "published"
    committed(services.dismiss(owner, suggestion))
    assert fresh(suggestion).status == "dismissed"


@pytest.mark.parametrize(
    "reason, message",
    [
        ("", "Dites au propriétaire pourquoi, en une phrase."),
        ("   ", "Dites au propriétaire pourquoi, en une phrase."),
        ("x" * 501, "500 caractères au plus, s’il vous plaît."),
    ],
)
def test_a_decline_needs_a_short_reason(suggested, owner, ressourcerie, volunteer, reason, message):
    suggestion = offered(suggested, owner, ressourcerie)
    with pytest.raises(ValidationFailed) as refused:
        services.decline_offer(volunteer, suggestion, reason)
    assert refused.value.fields == {"reason": [message]}


def test_only_members_of_the_offered_ressourcerie_answer(suggested, owner, ressourcerie):
    other = make_organisation(kind="ressourcerie", siret="73282932000082")
    outsider = add_member(other)
    suggestion = offered(suggested, owner, ressourcerie)
    for actor in (make_user(), outsider, owner):
        with pytest.raises(NotFound):
            services.accept_offer(actor, suggestion)
        with pytest.raises(NotFound):
            services.decline_offer(actor, suggestion, "Non merci.")
    assert fresh(suggestion).status == "offered"


def test_a_suggestion_not_offered_cannot_be_answered(suggested, owner, ressourcerie, volunteer):
    suggestion = offered(suggested, owner, ressourcerie)
    committed(services.accept_offer(volunteer, suggestion))
    with pytest.raises(Conflict):
        services.decline_offer(volunteer, fresh(suggestion), "Trop tard.")


def test_the_owner_is_told_in_their_language(app, loan_item, owner, outbox):
    owner.locale = "en"
    db.session.commit()
    committed(scan(NOW))
    mail = outbox.last("owner@example.org")
    assert mail.subject == "A second life for “Vélo enfant 20 pouces”?"
    notice = db.session.scalar(select(Notification).where(Notification.user_id == owner.id))
    assert notice.kind == "second_life_suggested"


def test_the_personal_data_export_holds_the_suggestions_and_where_each_went(
    owner, suggested, ressourcerie
):
    from sportressources.accounts import personal_data

    committed(services.offer_to_ressourcerie(owner, suggested, ressourcerie.id))
    [exported] = personal_data.export_personal_data(owner)["second_life"]
    assert exported["listing_title"] == suggested.listing.title
    assert exported["status"] == "offered"
    assert exported["offered_to"] == "Ressourcerie démo de l’Artois"
    assert personal_data.export_personal_data(make_user())["second_life"] == []
