"""Once a case is decided, its reports are settled (upheld or rejected, through their transitions)
and every reporter is told the outcome: members by notice and email, visitors by email in the
language they reported in. A reporter whose recent reports were all rejected is slowed down, told
so in plain French, and moderators see it."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from sportressources.accounts import personal_data
from sportressources.core.audit import AuditEntry
from sportressources.core.db import db, utcnow
from sportressources.moderation import dsa, reports
from sportressources.moderation.grounds import rule
from sportressources.moderation.models import ModerationCase, Report, Statement
from sportressources.moderation.queue import open_case_for
from sportressources.moderation.reports_queries import (
    SLOW_DOWN_AFTER,
    record_of,
    reporter_records,
    slowed_until,
)
from sportressources.moderation.reports_targets import find_target
from sportressources.notifications.models import Notification
from tests.factories import committed, make_listing
from tests.fixtures.web import text
from tests.moderation.reporting import (
    LISTING_TITLE,
    all_reports,
    decide,
    listing_by,
    report_form,
)

UPHELD = "Votre signalement a été retenu"
REJECTED = "Votre signalement n’a pas été retenu"


def report(reporter, listing, visitor: dict | None = None, reason="rule:3.4", locale="fr"):
    """``reporter`` (a member, or None with ``visitor`` name and email) reports ``listing``."""
    data = reports.ReportData(
        reason=reason,
        explanation="Numéro de téléphone dans la description.",
        good_faith=True,
        locale=locale,
        **(visitor or {}),
    )
    return committed(
        reports.submit_report(reporter, find_target(reporter, "listing", listing.id), data)
    )


@pytest.fixture
def listing(owner):
    return listing_by(owner)


@pytest.fixture
def case(listing, resident):
    report(resident, listing)
    report(
        None,
        listing,
        {"name": "Valérie Visiteuse", "email": "valerie@example.org"},
        "illegal:fraud",
        "en",
    )
    return open_case_for("listing", listing.id)


def test_an_upheld_decision_tells_each_reporter_what_was_done(
    case, listing, resident, moderator, outbox, client_for
):
    # The statement of reasons the decisions part writes for the case (its own tests cover it)
    ground = rule("3.4")
    db.session.add(
        Statement(
            member_id=listing.owner_id,
            target_type="listing",
            target_id=listing.id,
            decision="remove",
            case_id=case.id,
            ground=dsa.DECISION_GROUND_INCOMPATIBLE,
            terms_rule=ground.rule,
            category=ground.category,
            content_type=dsa.CONTENT_TYPE_PRODUCT,
            facts="Un numéro de téléphone dans la description.",
            source_type=dsa.SOURCE_ARTICLE_16,
            automated_decision=dsa.AUTOMATED_DECISION_NOT,
            decided_by_id=moderator.id,
        )
    )
    db.session.commit()
    settled = decide(case, "remove", moderator, upheld=True)

    assert len(settled) == 2
    rows = all_reports()
    assert [r.status for r in rows] == ["upheld", "upheld"]
    assert all(r.decided_by_id == moderator.id and r.decided_at for r in rows)
    assert all(r.outcome_sent_at is not None for r in rows)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "report")
    ).all()
    assert sorted(actions) == ["report.uphold", "report.uphold"]

    member_mail = outbox.last(resident.email)
    assert member_mail.subject == UPHELD
    assert f"vous nous avez signalé l’annonce « {LISTING_TITLE} »" in member_mail.text
    assert "Votre signalement a été retenu. Le contenu signalé a été retiré du site." in (
        member_mail.text
    )
    assert (
        "Motif de la décision : Règle 3.4 des conditions d’utilisation : Pas de coordonnées ni "
        "de liens dans une annonce" in member_mail.text
    )
    notice = db.session.scalars(
        select(Notification).where(
            Notification.user_id == resident.id, Notification.kind == "moderation_report_upheld"
        )
    ).one()
    assert notice is not None
    page = html.unescape(text(client_for(resident).get("/notifications")))
    assert f"Votre signalement concernant « {LISTING_TITLE} » a été retenu" in page

    visitor_mail = outbox.last("valerie@example.org")  # reported in English
    assert visitor_mail.subject == "Your report was upheld"
    assert "Hello Valérie Visiteuse," in visitor_mail.text
    assert "The reported content was removed from the site." in visitor_mail.text


def test_a_rejected_report_says_the_content_stays_online(case, resident, moderator, outbox):
    decide(case, "dismiss", moderator, upheld=False)

    assert [r.status for r in all_reports()] == ["rejected", "rejected"]
    mail = outbox.last(resident.email)
    assert mail.subject == REJECTED
    assert "Votre signalement n’a pas été retenu." in mail.text
    assert "n’enfreint ni la loi ni les conditions d’utilisation : il reste en ligne" in mail.text
    assert "Motif de la décision" not in mail.text
    assert "sans décision automatisée" in mail.text
    assert "organisme de règlement extrajudiciaire des litiges" in mail.text
    assert outbox.last("valerie@example.org").subject == "Your report was not upheld"


def test_reports_are_settled_once_and_later_reports_wait_for_the_next_decision(
    case, listing, resident, other_resident, moderator, outbox
):
    decide(case, "dismiss", moderator, upheld=False)
    sent = len(outbox)
    assert reports.settle_reports(case, upheld=True, actor=moderator) == []
    assert len(outbox) == sent

    # Once settled, the same member may report the item again: a new case
    report(resident, listing)
    report(other_resident, listing)
    new_case = open_case_for("listing", listing.id)
    assert new_case.id != case.id and new_case.report_count == 2
    assert new_case.previous_case_id == case.id
    decide(new_case, "remove", moderator, upheld=True)
    assert [r.status for r in all_reports()] == ["rejected", "rejected", "upheld", "upheld"]


def test_a_members_reports_are_in_their_personal_data_export(case, resident, moderator):
    decide(case, "dismiss", moderator, upheld=False)
    [sent] = personal_data.export_personal_data(resident)["moderation_reports"]
    assert (sent["target_type"], sent["reason"], sent["status"]) == (
        "listing",
        "rule:3.4",
        "rejected",
    )
    assert sent["explanation"] == "Numéro de téléphone dans la description."
    assert sent["decided_at"] is not None


def test_a_reporter_whose_account_is_gone_is_told_nothing(case, resident, moderator, outbox):
    resident.deleted_at = utcnow()
    db.session.commit()
    before = len(outbox.to(resident.email))

    decide(case, "dismiss", moderator, upheld=False)

    mine, visitors = all_reports()
    assert (mine.status, mine.outcome_sent_at) == ("rejected", None)
    assert visitors.outcome_sent_at is not None
    assert len(outbox.to(resident.email)) == before


# --- slowing down reporters whose reports are all rejected ----------------------------------------


def rejected_reports(reporter, moderator, count: int, visitor: dict | None = None) -> None:
    """``count`` reports by ``reporter`` on as many listings, each rejected, sent two days ago."""
    for number in range(count):
        listing = make_listing(title=f"Annonce {number}")
        report(reporter, listing, visitor)
        decide(open_case_for("listing", listing.id), "dismiss", moderator, upheld=False)
        db.session.execute(update(Report).values(created_at=utcnow() - timedelta(days=2)))
        db.session.commit()


def test_a_member_whose_reports_were_all_rejected_may_report_once_a_day(
    resident, moderator, client_for
):
    rejected_reports(resident, moderator, SLOW_DOWN_AFTER)
    assert record_of(resident.id).slowed
    first, second = make_listing(title="Premier"), make_listing(title="Second")
    browser = client_for(resident)

    page = html.unescape(text(browser.get(f"/signaler/listing/{first.id}")))
    assert "Vos derniers signalements ont tous été rejetés" in page
    assert browser.post(f"/signaler/listing/{first.id}", data=report_form()).status_code == 303

    told = browser.get(f"/signaler/listing/{second.id}")
    assert told.status_code == 303 and told.headers["Location"] == f"/annonces/{second.id}"
    shown = html.unescape(text(browser.get(told.headers["Location"])))
    assert f"Vos {SLOW_DOWN_AFTER} derniers signalements ont tous été rejetés" in shown
    assert "vous pouvez en envoyer un par jour" in shown
    typed = "Encore une annonce douteuse, je vous assure."
    refused = browser.post(f"/signaler/listing/{second.id}", data=report_form(explanation=typed))
    assert refused.status_code == 429
    assert "Vous pourrez envoyer le prochain à partir du" in html.unescape(text(refused))
    assert typed in html.unescape(text(refused))  # nothing lost
    assert len(all_reports()) == SLOW_DOWN_AFTER + 1

    # A day later, one more
    db.session.execute(update(Report).values(created_at=utcnow() - timedelta(days=1, minutes=1)))
    db.session.commit()
    assert browser.post(f"/signaler/listing/{second.id}", data=report_form()).status_code == 303


def test_one_upheld_report_or_too_few_rejections_slow_nobody_down(
    resident, other_resident, moderator
):
    rejected_reports(resident, moderator, SLOW_DOWN_AFTER - 1)
    assert not record_of(resident.id).slowed
    listing = make_listing(title="Vraie arnaque")
    report(other_resident, listing)
    decide(open_case_for("listing", listing.id), "remove", moderator, upheld=True)
    rejected_reports(other_resident, moderator, SLOW_DOWN_AFTER)
    record = record_of(other_resident.id)
    assert (record.decided, record.upheld, record.slowed) == (SLOW_DOWN_AFTER + 1, 1, False)
    assert slowed_until(other_resident.id) is None


def test_rejections_older_than_ninety_days_are_forgotten(resident, moderator):
    rejected_reports(resident, moderator, SLOW_DOWN_AFTER)
    db.session.execute(update(Report).values(decided_at=utcnow() - timedelta(days=91)))
    db.session.commit()
    assert record_of(resident.id).decided == 0


def test_a_visitor_is_slowed_down_by_their_address(client, moderator):
    visitor = {"name": "Valérie Visiteuse", "email": "valerie@example.org"}
    rejected_reports(None, moderator, SLOW_DOWN_AFTER, visitor)
    assert reporter_records([], ["valerie@example.org"])["valerie@example.org"].slowed
    first, second = make_listing(title="Premier"), make_listing(title="Second")
    assert (
        client.post(f"/signaler/listing/{first.id}", data=report_form(visitor=True)).status_code
        == 303
    )
    refused = client.post(f"/signaler/listing/{second.id}", data=report_form(visitor=True))
    assert refused.status_code == 429
    assert "ont tous été rejetés" in html.unescape(text(refused))
    # Another address is another reporter
    other = report_form(visitor=True, email="quelquun@example.org")
    assert client.post(f"/signaler/listing/{second.id}", data=other).status_code == 303


def test_moderators_see_the_record_of_a_slowed_down_reporter(resident, moderator, client_for):
    rejected_reports(resident, moderator, 7)
    listing = make_listing(title="Encore une")
    report(resident, listing)

    page = " ".join(
        html.unescape(text(client_for(moderator).get("/moderation/signalements"))).split()
    )

    assert "7 signalements rejetés sur 7 ces 90 derniers jours" in page
    assert "signaleur ralenti à un signalement par jour" in page
    assert (
        db.session.scalar(
            select(ModerationCase.report_count).where(
                ModerationCase.target_id == listing.id, ModerationCase.status == "open"
            )
        )
        == 1
    )
