"""Reports sent at the same moment, on both databases: every one is counted on the item's one
case, and a member clicking « Envoyer » in several tabs at once leaves a single report."""

from sqlalchemy import select

from sportressources.core.db import db
from sportressources.moderation.models import ModerationCase
from tests.concurrency import post_at_once
from tests.factories import make_user
from tests.moderation.reporting import all_reports, report_form


def open_cases(target_type: str, target_id: int) -> list[ModerationCase]:
    return db.session.scalars(
        select(ModerationCase).where(
            ModerationCase.target_type == target_type,
            ModerationCase.target_id == target_id,
            ModerationCase.status == "open",
        )
    ).all()


def test_six_members_reporting_a_profile_at_once_share_one_case(app, owner, client_for):
    reporters = [make_user(display_name=f"Témoin {n}") for n in range(6)]
    path = f"/signaler/profile/{owner.public_id}"

    statuses = post_at_once(app, [(client_for(user), path, report_form()) for user in reporters])

    assert statuses == [303] * 6
    assert sorted(r.reporter_id for r in all_reports()) == sorted(u.id for u in reporters)
    [case] = open_cases("profile", owner.id)
    assert case.report_count == 6
    assert {r.case_id for r in all_reports()} == {case.id}


def test_one_member_sending_a_report_from_four_tabs_at_once_leaves_one(
    app, owner, resident, client_for
):
    path = f"/signaler/profile/{owner.public_id}"

    statuses = post_at_once(app, [(client_for(resident), path, report_form()) for _ in range(4)])

    assert statuses == [303] * 4
    [report] = all_reports()
    assert report.reporter_id == resident.id
    [case] = open_cases("profile", owner.id)
    assert case.report_count == 1
