"""Every event a member hears of by email also shows among their in-app notices.

Emails reach a member through ``notifications.services.tell_member`` with an ``Email``: the
notice and the email go together. This test reads the code: each template of
``templates/email`` must be the template of some ``Email(...)``, or be one of the few emails
that can have no notice (listed below, each with why). An email sent with ``send_mail`` alone
must be one of those, or the address-only twin of an ``Email`` (a report by a visitor)."""

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from sportressources.alerts.services import save_search, send_digests
from sportressources.core.db import db
from sportressources.listings.search.params import parse_search_args
from sportressources.notifications.models import Notification
from sportressources.notifications.services import list_notifications, render
from sportressources.organisations import invitations
from sportressources.trade.exchanges.notices import KINDS as EXCHANGE_KINDS
from sportressources.trade.loans.notices import KINDS as LOAN_KINDS
from tests.factories import make_listing, make_organisation, make_user

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates" / "email"

# Emails about access to the account itself, sent to an address: before the member can sign
# in, to confirm an address, or after the account is gone. A notice would come too late.
EMAIL_ONLY = {
    "accounts/account_deleted": "the account no longer exists",
    "accounts/already_registered": "sent to an address, before signing in",
    "accounts/api_token_created": "security alert to the address, whoever holds the session",
    "accounts/confirm_email": "confirms the address before the account can be used",
    "accounts/confirm_new_email": "confirms a new address, sent to that address",
    "accounts/email_change_notice": "security alert to the former address",
    "accounts/password_changed": "security alert to the address, whoever holds the session",
    "accounts/reset_no_account": "sent to an address that has no account",
    "accounts/reset_password": "sent to an address, before signing in",
    "accounts/sign_in_locked": "sent to an address whose sign-in is locked",
}


def email_templates() -> set[str]:
    return {
        str(path.relative_to(TEMPLATES).with_suffix(""))
        for path in TEMPLATES.rglob("*.txt")
        if not path.name.startswith("_")
    }


def _pattern(node: ast.expr) -> re.Pattern | None:
    """The template names an argument may stand for: a string, or an f-string whose
    placeholders stand for any text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.compile(re.escape(node.value))
    if isinstance(node, ast.JoinedStr):
        parts = [
            re.escape(part.value) if isinstance(part, ast.Constant) else ".+"
            for part in node.values
        ]
        return re.compile("".join(parts))
    return None


def template_arguments(function: str, position: int) -> list[tuple[str, re.Pattern | None]]:
    """For each call of ``function`` in the package: where it is, and its template argument."""
    found = []
    for path in (ROOT / "sportressources").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != function:
                continue
            argument = next((k.value for k in node.keywords if k.arg == "template"), None)
            if argument is None and len(node.args) > position:
                argument = node.args[position]
            if argument is not None:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", _pattern(argument)))
    return found


def covered(template: str, patterns) -> bool:
    return any(pattern is not None and pattern.fullmatch(template) for _where, pattern in patterns)


def test_every_email_has_an_in_app_notice_or_a_reason_not_to():
    with_notice = template_arguments("Email", 1)
    assert with_notice, "no Email(...) found: the test reads the wrong files"
    missing = sorted(
        template
        for template in email_templates()
        if template not in EMAIL_ONLY and not covered(template, with_notice)
    )
    assert missing == [], "emails without an in-app notice"


def test_send_mail_alone_is_kept_for_emails_that_can_have_no_notice():
    with_notice = template_arguments("Email", 1)
    for where, pattern in template_arguments("send_mail", 2):
        if where.startswith("sportressources/notifications/"):
            continue  # tell_member itself
        assert pattern is not None, f"{where}: the template is not written out"
        names = [t for t in email_templates() if pattern.fullmatch(t)]
        assert names, f"{where}: no template matches"
        for name in names:
            assert name in EMAIL_ONLY or covered(name, with_notice), f"{where}: {name}"


def test_the_reasons_name_emails_that_exist():
    assert set(EMAIL_ONLY) <= email_templates()


@pytest.mark.parametrize(
    "kind, template",
    [(kind, f"loans/{kind}") for kind in LOAN_KINDS]
    + [(kind, f"listings/{entry.template}") for kind, entry in EXCHANGE_KINDS.items()],
)
def test_each_trade_kind_has_its_email_and_a_message(app, kind, template):
    assert template in email_templates()
    with app.test_request_context():
        message = render(
            Notification(
                kind=kind,
                params={
                    "title": "Vélo",
                    "start": "2027-03-20",
                    "end": "2027-03-21",
                    "new_end": "2027-03-22",
                },
            )
        )
    assert message != "Nouvelle notification" and "Vélo" in message


# --- the notices added for emails that had none -----------------------------------------------


def shown_to(user) -> list[tuple[str, str]]:
    notices, _more = list_notifications(user)
    return [(item.message, item.notification.url) for item in notices]


def test_the_alerts_digest_also_leaves_a_notice(resident, outbox):
    save_search(resident, parse_search_args(MultiDict({"q": "vélo"}))[0], name="Vélos")
    db.session.commit()
    seller = make_user(email="seller@example.org", display_name="Vendeur")
    make_listing(seller, title="Vélo enfant rouge", category="velos", description="Bon état.")
    assert send_digests(datetime.now(UTC) + timedelta(hours=1)).emails == 1
    assert len(outbox.to(resident.email)) == 1
    assert shown_to(resident) == [
        ("De nouvelles annonces correspondent à vos alertes : « Vélos ».", "/alertes")
    ]


def test_an_invitation_to_a_member_also_leaves_a_notice_without_its_link(app, outbox):
    club = make_organisation(name="Club des Lilas")
    member = make_user(email="membre@example.org", display_name="Mia Membre")
    manager = club.memberships[0].user
    token = invitations.invite_member(manager, club, "membre@example.org", "volunteer")
    db.session.commit()
    [mail] = outbox.to("membre@example.org")
    assert mail.link("/organisations/invitation/").endswith(token)
    [(message, url)] = shown_to(member)
    assert message == (
        f"{manager.display_name} vous invite à rejoindre « Club des Lilas » : le lien pour "
        "accepter est dans l’e-mail que vous avez reçu."
    )
    assert url == f"/organisations/{club.slug}" and token not in url
    # Someone without an account gets the email alone
    invitations.invite_member(manager, club, "nouveau@example.org", "volunteer")
    db.session.commit()
    assert len(outbox.to("nouveau@example.org")) == 1
