"""``flask moderation export-statements`` writes the statements of reasons as the EU DSA
Transparency Database API takes them: the file is parsed back and every field name and value is
checked against what the API documentation allows, required fields included."""

import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from sportressources.core.db import db, utcnow
from sportressources.core.states import apply_transition
from sportressources.moderation import appeals, grounds
from sportressources.moderation.export import local_day
from sportressources.moderation.models import Statement
from sportressources.moderation.statements import issue_statement
from tests.factories import make_listing, make_user
from tests.moderation.statement_factories import (
    filed_appeal,
    rejected_listing_statement,
    suspension_statement,
)

# The documented names and values, copied from the API documentation (schema v2, in force
# since 1 July 2025): https://transparency.dsa.ec.europa.eu/page/api-documentation
# (and https://transparency.dsa.ec.europa.eu/page/api-documentation-two). Written out here, not
# imported from moderation.dsa, so that a wrong value there fails this test.
DECISION_VISIBILITY = {
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
}
DECISION_MONETARY = {
    "DECISION_MONETARY_SUSPENSION",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_MONETARY_OTHER",
}
DECISION_PROVISION = {
    "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
}
DECISION_ACCOUNT = {"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"}
ACCOUNT_TYPE = {"ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"}
DECISION_GROUND = {"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"}
CONTENT_TYPE = {
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_AUDIO",
    "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
}
CATEGORY = {
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
}
SOURCE_TYPE = {
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
}
AUTOMATED_DECISION = {
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
}
YES_NO = {"Yes", "No"}
# territorial_scope: ISO codes of EU and EEA countries
EEA_COUNTRIES = {
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
    "IS",
    "LI",
    "NO",
}
# name -> (kind, documented limit or allowed values)
FIELDS = {
    "decision_visibility": ("list", DECISION_VISIBILITY),
    "decision_visibility_other": ("text", 500),
    "decision_monetary": ("value", DECISION_MONETARY),
    "decision_monetary_other": ("text", 500),
    "decision_provision": ("value", DECISION_PROVISION),
    "decision_account": ("value", DECISION_ACCOUNT),
    "account_type": ("value", ACCOUNT_TYPE),
    "decision_facts": ("text", 5000),
    "decision_ground": ("value", DECISION_GROUND),
    "decision_ground_reference_url": ("url", None),
    "illegal_content_legal_ground": ("text", 500),
    "illegal_content_explanation": ("text", 2000),
    "incompatible_content_ground": ("text", 500),
    "incompatible_content_explanation": ("text", 2000),
    "incompatible_content_illegal": ("value", YES_NO),
    "content_type": ("list", CONTENT_TYPE),
    "content_type_other": ("text", 500),
    "category": ("value", CATEGORY),
    "category_addition": ("list", CATEGORY),
    "territorial_scope": ("list", EEA_COUNTRIES),
    "content_language": ("language", None),
    "content_date": ("date", date(2000, 1, 1)),
    "application_date": ("date", date(2020, 1, 1)),
    "end_date_account_restriction": ("date", None),
    "end_date_monetary_restriction": ("date", None),
    "end_date_service_restriction": ("date", None),
    "end_date_visibility_restriction": ("date", None),
    "source_type": ("value", SOURCE_TYPE),
    "source_identity": ("text", 500),
    "automated_detection": ("value", YES_NO),
    "automated_decision": ("value", AUTOMATED_DECISION),
    "puid": ("puid", 500),
}
REQUIRED = {
    "decision_ground",
    "decision_facts",
    "content_type",
    "category",
    "territorial_scope",
    "content_date",
    "application_date",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
}
RESTRICTIONS = {
    "decision_visibility",
    "decision_monetary",
    "decision_provision",
    "decision_account",
}


def check_documented(item: dict) -> None:
    """Fail unless ``item`` is a statement the API documentation accepts."""
    assert set(item) <= set(FIELDS), f"undocumented fields: {set(item) - set(FIELDS)}"
    assert set(item) >= REQUIRED, f"missing: {REQUIRED - set(item)}"
    assert RESTRICTIONS & set(item), "no visibility, monetary, provision or account decision"
    for name, value in item.items():
        kind, rule = FIELDS[name]
        if kind == "list":
            assert isinstance(value, list) and value, name
            assert set(value) <= rule, f"{name}: {value}"
        elif kind == "value":
            assert value in rule, f"{name}: {value!r}"
        elif kind == "text":
            assert isinstance(value, str) and value.strip() and len(value) <= rule, name
        elif kind == "date":
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), f"{name}: {value!r}"
            assert rule is None or date.fromisoformat(value) >= rule, name
        elif kind == "url":
            assert re.fullmatch(r"https?://\S+", value), name
        elif kind == "language":
            assert re.fullmatch(r"[A-Z]{2}", value), name
        elif kind == "puid":
            assert re.fullmatch(r"[A-Za-z0-9_-]+", value) and len(value) <= rule, value
    ground = item["decision_ground"]
    if ground == "DECISION_GROUND_ILLEGAL_CONTENT":
        assert {"illegal_content_legal_ground", "illegal_content_explanation"} <= set(item)
    else:
        assert {"incompatible_content_ground", "incompatible_content_explanation"} <= set(item)
    if "CONTENT_TYPE_OTHER" in item["content_type"]:
        assert "content_type_other" in item
    if "DECISION_VISIBILITY_OTHER" in item.get("decision_visibility", []):
        assert "decision_visibility_other" in item
    application = date.fromisoformat(item["application_date"])
    assert date.fromisoformat(item["content_date"]) <= application
    for name in [n for n in item if n.startswith("end_date_")]:
        assert date.fromisoformat(item[name]) >= application, name


def export(app, *args: str):
    return app.test_cli_runner().invoke(args=["moderation", "export-statements", *args])


def exported(app, tmp_path, *args: str) -> list[dict]:
    path = tmp_path / "statements.json"
    result = export(app, *args, "--output", str(path))
    assert result.exit_code == 0, result.output
    items = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(items, list)
    for item in items:
        check_documented(item)
    return items


def statement_about(member, moderator, decision, target_type, target_id, ground, **extra):
    made = issue_statement(
        member=member,
        decision=decision,
        target_type=target_type,
        target_id=target_id,
        ground=grounds.ground_for(ground),
        facts=extra.pop("facts", "Les faits constatés par l’équipe."),
        moderator=moderator,
        subject="l’élément",
        **extra,
    )
    db.session.commit()
    return made


@pytest.fixture
def every_kind(resident, other_resident, moderator):
    """One statement of each kind a decision makes, and two that restrict nothing."""
    made = {}
    made["rejected"] = rejected_listing_statement(resident, moderator)
    listing = make_listing(owner=other_resident, title="Casque de vélo")
    apply_transition(listing, "remove", actor=moderator, reason="contrefaçon")
    made["removed"] = statement_about(
        other_resident,
        moderator,
        "remove",
        "listing",
        listing.id,
        "illegal:counterfeit",
        from_report=True,
        automated_detection=True,
    )
    made["suspended"] = suspension_statement(resident, moderator, days=10)
    made["banned"] = statement_about(
        other_resident, moderator, "ban", "profile", other_resident.id, "rule:5.4"
    )
    made["profile"] = statement_about(
        resident, moderator, "remove", "profile", resident.id, "rule:2.2", facts="x" * 6000
    )
    made["organisation"] = statement_about(
        resident, moderator, "reject", "organisation", 4242, "illegal:other"
    )
    made["warning"] = statement_about(
        resident, moderator, "warning", "profile", resident.id, "rule:4.1"
    )
    appeal = filed_appeal(resident, made["rejected"])
    made["ruling"] = appeals.rule_on_appeal(
        make_user(role="moderator"), appeal, grant=False, note="La décision est maintenue."
    )
    db.session.commit()
    return made


def test_the_export_holds_every_restricting_statement_as_the_api_documents_it(
    app, tmp_path, every_kind
):
    today = local_day(utcnow()).isoformat()
    items = exported(app, tmp_path, "--since", today)
    by_puid = {item["puid"]: item for item in items}
    expected = ["rejected", "removed", "suspended", "banned", "profile", "organisation"]
    assert sorted(by_puid) == sorted(f"sr62-statement-{every_kind[k].id}" for k in expected)

    rejected = by_puid[f"sr62-statement-{every_kind['rejected'].id}"]
    assert rejected["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    assert rejected["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert rejected["incompatible_content_ground"].endswith("règle 3.4")
    assert rejected["incompatible_content_explanation"] == (
        "Pas de coordonnées ni de liens dans une annonce"
    )
    assert rejected["decision_ground_reference_url"].endswith("/conditions-utilisation#regle-3-4")
    assert rejected["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert rejected["content_type"] == ["CONTENT_TYPE_PRODUCT"]
    assert rejected["territorial_scope"] == ["FR"] and rejected["content_language"] == "FR"
    assert rejected["application_date"] == today
    assert rejected["source_type"] == "SOURCE_VOLUNTARY"
    assert rejected["automated_detection"] == "No"
    assert rejected["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"

    removed = by_puid[f"sr62-statement-{every_kind['removed'].id}"]
    assert removed["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert removed["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert removed["illegal_content_legal_ground"].startswith("Code de la propriété intellectuelle")
    assert removed["category"] == "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS"
    assert removed["source_type"] == "SOURCE_ARTICLE_16"
    assert removed["automated_detection"] == "Yes"

    suspended = by_puid[f"sr62-statement-{every_kind['suspended'].id}"]
    assert suspended["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert suspended["end_date_account_restriction"] == (
        local_day(every_kind["suspended"].ends_at).isoformat()
    )
    assert suspended["end_date_account_restriction"] > today
    assert suspended["category"] == "STATEMENT_CATEGORY_CYBER_VIOLENCE"
    banned = by_puid[f"sr62-statement-{every_kind['banned'].id}"]
    assert banned["decision_account"] == "DECISION_ACCOUNT_TERMINATED"
    assert "end_date_account_restriction" not in banned

    profile = by_puid[f"sr62-statement-{every_kind['profile'].id}"]
    assert profile["content_type"] == ["CONTENT_TYPE_TEXT"]
    assert len(profile["decision_facts"]) == 5000 and profile["decision_facts"].endswith("…")

    organisation = by_puid[f"sr62-statement-{every_kind['organisation'].id}"]
    assert organisation["content_type"] == ["CONTENT_TYPE_OTHER"]
    assert organisation["content_type_other"]
    assert organisation["category"] == "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"
    assert organisation["illegal_content_legal_ground"] == "Autre contenu illicite"


def test_content_dates_are_when_the_item_was_posted(app, tmp_path, resident, moderator):
    statement = rejected_listing_statement(resident, moderator)
    from sportressources.listings.models import Listing

    listing = db.session.get(Listing, statement.target_id)
    listing.created_at = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)  # 15 March in Paris
    db.session.commit()
    [item] = exported(app, tmp_path, "--since", "2025-01-01")
    assert item["content_date"] == "2025-03-15"


def test_since_and_until_are_paris_days_both_included(app, tmp_path, resident, moderator):
    made = [rejected_listing_statement(resident, moderator, title=f"Ballon {n}") for n in range(4)]
    # 31 Dec 23:30 UTC is 1 Jan in Paris; 2 Jan 22:59 UTC is 2 Jan 23:59 in Paris
    moments = [
        datetime(2025, 12, 31, 22, 0, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
        datetime(2026, 1, 2, 22, 59, tzinfo=UTC),
        datetime(2026, 1, 2, 23, 0, tzinfo=UTC),
    ]
    for statement, moment in zip(made, moments, strict=True):
        statement.created_at = moment
    db.session.commit()
    items = exported(app, tmp_path, "--since", "2026-01-01", "--until", "2026-01-02")
    assert [item["puid"] for item in items] == [f"sr62-statement-{made[n].id}" for n in (1, 2)]
    assert [item["application_date"] for item in items] == ["2026-01-01", "2026-01-02"]
    # puids stay the same from one export to the next
    again = exported(app, tmp_path, "--since", "2025-12-01")
    assert {item["puid"] for item in items} <= {item["puid"] for item in again}


def test_the_export_goes_to_standard_output_by_default(app, resident, moderator):
    statement = rejected_listing_statement(resident, moderator)
    result = export(app, "--since", local_day(utcnow()).isoformat())
    assert result.exit_code == 0
    assert f'"puid": "sr62-statement-{statement.id}"' in result.stdout
    assert "1 décision(s) exportée(s) vers la sortie standard." in result.stderr
    assert json.loads(result.stdout)[0]["puid"] == f"sr62-statement-{statement.id}"


def test_an_empty_period_gives_an_empty_array(app, tmp_path):
    assert exported(app, tmp_path, "--since", "2020-01-01", "--until", "2020-12-31") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-13-01"], "« 2026-13-01 » n’est pas une date"),
        (["--since", "hier"], "« hier » n’est pas une date : écrivez-la AAAA-MM-JJ"),
        (["--since", "20260101"], "« 20260101 » n’est pas une date"),
        (["--since", "2026-01-01T00:00"], "n’est pas une date"),
        (["--since", ""], "n’est pas une date"),
        (["--since", "2026-02-30"], "« 2026-02-30 » n’est pas une date"),
        (["--since", "2026-03-01", "--until", "2026-02-01"], "précède la date de début"),
        ([], "Missing option '--since'"),
    ],
)
def test_a_bad_date_is_a_clear_error_without_traceback(app, args, message):
    result = export(app, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_an_unwritable_output_is_a_clear_error(app, tmp_path, resident, moderator):
    rejected_listing_statement(resident, moderator)
    result = export(app, "--since", "2020-01-01", "--output", str(tmp_path / "absent" / "x.json"))
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "x.json" in result.output
    assert isinstance(result.exception, SystemExit)


def test_every_ground_and_target_gives_documented_values(app, resident, moderator):
    """Whatever the ground and the kind of item, a statement stores documented values only."""
    from sportressources.moderation.export import payload

    for number, ground in enumerate(grounds.TERMS_RULES + grounds.ILLEGAL_KINDS):
        for target_type in ("listing", "message", "profile", "rating", "organisation"):
            statement = issue_statement(
                member=resident,
                decision="remove",
                target_type=target_type,
                target_id=number + 1,
                ground=ground,
                facts="Faits.",
                moderator=moderator,
                subject="x",
            )
            check_documented(payload(statement))
    db.session.rollback()


def test_an_undocumented_value_is_refused_when_issuing(app, resident, moderator):
    # « scope of platform service » was a category of the first schema, gone from v2
    bogus = grounds.Ground(
        "rule:9.9", "Règle inventée", "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE", False, "9.9"
    )
    with pytest.raises(ValueError, match="category"):
        issue_statement(
            member=resident,
            decision="reject",
            target_type="listing",
            target_id=1,
            ground=bogus,
            facts="Faits.",
            moderator=moderator,
            subject="x",
        )
    with pytest.raises(ValueError, match="content_type"):
        issue_statement(
            member=resident,
            decision="reject",
            target_type="forum_post",
            target_id=1,
            ground=grounds.rule("3.4"),
            facts="Faits.",
            moderator=moderator,
            subject="x",
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 0


def test_illegal_grounds_cite_distinct_laws():
    # A statement keeps the law it cites, from which its ground is found again
    laws = [ground.law for ground in grounds.ILLEGAL_KINDS]
    assert len(laws) == len(set(laws))


def test_contact_details_quoted_in_the_facts_are_not_exported(app, tmp_path, resident, moderator):
    rejected_listing_statement(
        resident,
        moderator,
        facts="L’annonce donne le 06 12 34 56 78, le +33 6 12 34 56 78 et jean.dupont@example.org.",
    )
    [item] = exported(app, tmp_path, "--since", "2020-01-01")
    assert item["decision_facts"] == (
        "L’annonce donne le [coordonnées retirées], le [coordonnées retirées] et "
        "[coordonnées retirées]."
    )
